// The "Advanced" sampler options: prefilled with the served model's defaults (GET /v1/model), sent as the multipart
// fields POST /v1/ask takes, and marked when the gateway names one of them in a refusal.

/** Form field name -> input id; the order of the Advanced section. */
export const FIELDS = {
  gen_length: 'gen-length',
  block_length: 'block-length',
  steps: 'steps',
  temperature: 'temperature',
  seed: 'seed',
  cfg_scale: 'cfg-scale',
  remasking: 'remasking',
  cache: 'cache',
  threshold: 'threshold',
  refresh_every: 'refresh-every',
};

const $ = (id) => document.getElementById(id);

/** Puts the model's defaults into the inputs (and remembers them for "Reset"). */
export function fillDefaults(defaults) {
  for (const [name, id] of Object.entries(FIELDS)) {
    if (defaults[name] !== undefined) {
      $(id).value = String(defaults[name]);
    }
  }
  $('stop').value = '';
  $('no-stop').checked = false;
  clearInvalid();
}

/** The sampler options as they are in the inputs, for the history's "Ask again". */
export function readOptions() {
  const o = {};
  for (const [name, id] of Object.entries(FIELDS)) {
    o[name] = $(id).value.trim();
  }
  o.stop = $('stop').value;
  o.no_stop = $('no-stop').checked;
  return o;
}

export function writeOptions(o) {
  for (const [name, id] of Object.entries(FIELDS)) {
    $(id).value = o[name];
  }
  $('stop').value = o.stop;
  $('no-stop').checked = o.no_stop;
}

/** Appends the options to the multipart form; empty inputs are left out (the model's defaults apply). */
export function appendOptions(form, o) {
  for (const name of Object.keys(FIELDS)) {
    if (o[name] !== '') {
      form.append(name, o[name]);
    }
  }
  o.stop.split('\n').map((s) => s.trim()).filter((s) => s).forEach((s) => form.append('stop', s));
  if (o.no_stop) {
    form.append('no_stop', 'true');
  }
}

/** gen_length / block_length as asked, for "block b of n"; 1 when either is unset or invalid. */
export function blocks(o, defaults) {
  const gen = Number(o.gen_length || defaults.gen_length);
  const block = Number(o.block_length || defaults.block_length);
  return gen > 0 && block > 0 && gen % block === 0 ? gen / block : 1;
}

/**
 * The decoding mode as answer records and reports name it (GenerationOptions.modeName): "exact", "dual",
 * "prefix+t0.9", "dual/r8". Takes the inputs' values or a final event's options (cache "CACHE_MODE_DUAL").
 */
export function modeName(cache, threshold, refreshEvery) {
  let c = String(cache || 'none').toLowerCase().replace(/^cache_mode_/, '');
  c = c === 'unspecified' ? 'none' : c;
  const t = Number(threshold || 0);
  const r = Number(refreshEvery || 0);
  if (c === 'none' && t === 0) {
    return 'exact';
  }
  return c + (t > 0 ? '+t' + t : '') + (r > 0 && c !== 'none' ? '/r' + r : '');
}

/** A one-line summary for the history: "64 tokens · 64 steps · greedy · exact". */
export function summary(o, defaults) {
  const v = (name) => (o[name] !== '' ? o[name] : String(defaults[name] ?? ''));
  const temperature = Number(v('temperature'));
  const sampling = temperature > 0 ? 'temperature ' + temperature + ', seed ' + v('seed') : 'greedy';
  return v('gen_length') + ' tokens · ' + v('steps') + ' steps · block ' + v('block_length') + ' · ' + sampling
    + ' · ' + modeName(v('cache'), v('threshold'), v('refresh_every'));
}

/**
 * Marks the input the gateway named (its "field") invalid, opens the Advanced section when it is there, and
 * returns the input to focus (or null when the field is not one of the page's inputs).
 */
export function markInvalid(field) {
  const id = FIELDS[field] || (field === 'stop' ? 'stop' : field === 'question' ? 'question' : null);
  if (!id) {
    return null;
  }
  const input = $(id);
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', 'status');
  if (input.closest('details')) {
    input.closest('details').open = true;
  }
  return input;
}

export function clearInvalid() {
  document.querySelectorAll('[aria-invalid="true"]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  });
}
