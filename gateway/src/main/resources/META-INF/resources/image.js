// The image to ask about: one of the served model's example scans (one click), a chosen file, or an image dropped
// on the drop zone or pasted. Whatever the source, the page holds it as a Blob and previews it.

const $ = (id) => document.getElementById(id);
const ACCEPTED = /^image\/(png|jpeg)$/;

/** "ct-right-lower.png" -> "ct right lower". */
export function label(name) {
  return name.replace(/\.[^.]+$/, '').replace(/[-_]+/g, ' ');
}

export class ImagePicker {
  /**
   * onChange(image) gets {blob, name, url, questions} or null; onRefused(message) a dropped file that is no image.
   */
  constructor(onChange, onRefused) {
    this.onChange = onChange;
    this.onRefused = onRefused;
    this.current = null;
    $('image').addEventListener('change', () => {
      const f = $('image').files[0];
      if (f) {
        this.set(f, f.name, [], null);
      }
    });
    $('clear-image').addEventListener('click', () => this.clear());
    const drop = $('drop');
    for (const type of ['dragenter', 'dragover']) {
      drop.addEventListener(type, (ev) => {
        ev.preventDefault();
        drop.classList.add('over');
      });
    }
    for (const type of ['dragleave', 'drop']) {
      drop.addEventListener(type, () => drop.classList.remove('over'));
    }
    drop.addEventListener('drop', (ev) => {
      ev.preventDefault();
      this.takeFirstImage(ev.dataTransfer.files, 'Drop a PNG or JPEG image.');
    });
    document.addEventListener('paste', (ev) => {
      if (ev.clipboardData && ev.clipboardData.files.length > 0) {
        this.takeFirstImage(ev.clipboardData.files, 'The pasted file is not a PNG or JPEG image.');
      }
    });
  }

  takeFirstImage(files, refusal) {
    const f = [...files].find((file) => ACCEPTED.test(file.type));
    if (f) {
      $('image').value = '';
      this.set(f, f.name || 'pasted image', [], null);
    } else {
      this.onRefused(refusal);
    }
  }

  /** One button per example scan, its thumbnail and name; clicking it selects the scan. */
  showExamples(examples) {
    const list = $('examples');
    list.replaceChildren();
    for (const ex of examples) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'example';
      b.dataset.name = ex.name;
      b.setAttribute('aria-pressed', 'false');
      const img = document.createElement('img');
      img.src = ex.url;
      img.alt = '';
      img.width = 64;
      img.height = 64;
      const span = document.createElement('span');
      span.textContent = label(ex.name);
      b.append(img, span);
      b.addEventListener('click', () => this.chooseExample(ex));
      li.append(b);
      list.append(li);
    }
    $('examples-empty').hidden = examples.length > 0;
  }

  async chooseExample(ex) {
    const res = await fetch(ex.url);
    if (!res.ok) {
      this.onRefused('Cannot load the example ' + ex.name + ' (' + res.status + ').');
      return;
    }
    $('image').value = '';
    this.set(await res.blob(), ex.name, ex.questions || [], ex.name);
  }

  /** Restores an image of the history. */
  restore(image) {
    $('image').value = '';
    this.set(image.blob, image.name, image.questions, image.example);
  }

  set(blob, name, questions, example) {
    const url = URL.createObjectURL(blob);
    this.current = { blob, name, url, questions, example };
    const preview = $('preview');
    preview.onload = () => document.dispatchEvent(new CustomEvent('medv:update'));
    preview.src = url;
    preview.alt = 'Selected image: ' + label(name);
    preview.hidden = false;
    $('image-name').textContent = name;
    $('clear-image').hidden = false;
    this.markExample(example);
    this.onChange(this.current);
  }

  clear() {
    this.current = null;
    $('image').value = '';
    $('preview').hidden = true;
    $('preview').removeAttribute('src');
    $('image-name').textContent = 'No image: the question is asked as text only.';
    $('clear-image').hidden = true;
    this.markExample(null);
    this.onChange(null);
  }

  markExample(name) {
    document.querySelectorAll('#examples button').forEach((b) => {
      b.setAttribute('aria-pressed', String(b.dataset.name === name));
    });
  }
}
