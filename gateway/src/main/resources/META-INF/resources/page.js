// The page: reads the served model (GET /v1/model), asks (POST /v1/ask) and shows the answer unmasking step by step.
// document.body's data-state (idle, asking, streaming, done, cancelled, error) and a "medv:update" event after every
// change let a test, or another script, wait for what the page shows.

import { ask, AskError } from './stream.js';
import {
  clearTokens, finishReason, renderProgress, renderTimings, renderTokens, settleTokens, timingRows,
} from './draft.js';
import {
  appendOptions, blocks, clearInvalid, fillDefaults, markInvalid, readOptions, summary, writeOptions,
} from './options.js';
import { ImagePicker, label } from './image.js';
import { addToHistory } from './history.js';
import { apiKey, setApiKey, withKey } from './auth.js';

const $ = (id) => document.getElementById(id);
let defaults = {};
let trainedQuestions = [];
let running = null;

function update() {
  document.dispatchEvent(new CustomEvent('medv:update'));
}

function setState(state) {
  document.body.dataset.state = state;
  update();
}

function status(text, kind) {
  $('status').textContent = text;
  $('status').className = kind || '';
}

const picker = new ImagePicker(showSuggestions, (message) => status(message, 'error'));

/** The example's questions (from examples.json), else every example's: the kinds of question the model knows. */
function showSuggestions(image) {
  const own = image && image.questions.length > 0;
  const questions = own ? image.questions : trainedQuestions;
  $('suggestions-label').textContent = own ? 'Suggested for this scan:' : 'Questions the model knows:';
  $('suggestions-box').hidden = questions.length === 0;
  const list = $('suggestions');
  list.replaceChildren(...questions.map((q) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.textContent = q;
    b.addEventListener('click', () => {
      $('question').value = q;
      $('ask').focus();
    });
    li.append(b);
    return li;
  }));
  if (own && !$('question').value.trim()) {
    $('question').value = questions[0];
  }
}

async function loadModel() {
  try {
    const res = await fetch('/v1/model', { headers: withKey() });
    if (res.status === 401) {
      askForKey(apiKey() ? 'The gateway did not accept this API key: paste a valid one.'
        : 'This gateway requires an API key: paste yours above.');
      return;
    }
    if (!res.ok) {
      throw new Error('HTTP ' + res.status);
    }
    const model = await res.json();
    defaults = model.defaults;
    $('model-name').textContent = model.model;
    fillDefaults(defaults);
    trainedQuestions = [...new Set(model.examples.flatMap((e) => e.questions))];
    picker.showExamples(model.examples);
    showSuggestions(picker.current);
    document.body.dataset.model = 'loaded';
  } catch (err) {
    $('model-name').textContent = 'unknown';
    status('Cannot read the served model (' + err.message + '); the gateway may still be starting. '
      + 'Reload to try again; asking works with the model\'s defaults.', 'error');
    document.body.dataset.model = 'failed';
  }
  update();
}

/** Opens the key box with a message; the model is read again once a key is given. */
function askForKey(message) {
  document.body.dataset.model = 'needs-key';
  $('key-box').open = true;
  $('api-key').focus();
  status(message, 'error');
  update();
}

function useKey(ev) {
  ev.preventDefault();
  setApiKey($('api-key').value.trim());
  $('api-key').value = '';
  keyState();
  status('Reading the served model…');
  loadModel();
}

function keyState() {
  $('key-state').textContent = apiKey() ? 'API key set for this tab' : 'No API key';
  $('forget-key').hidden = !apiKey();
}

function resetOutput() {
  clearTokens($('draft'));
  $('answer').textContent = '';
  $('timings').replaceChildren();
  $('draft-log').replaceChildren();
  $('draft-count').textContent = '0';
  $('progress').value = 0;
  $('progress-text').textContent = '';
  $('output').dataset.requestId = '';
}

function logDraft(e) {
  const li = document.createElement('li');
  li.dataset.step = e.step;
  li.textContent = e.draft;
  $('draft-log').append(li);
  $('draft-count').textContent = String($('draft-log').children.length);
}

function record(run, outcome, text, detail) {
  addToHistory({
    image: run.image, question: run.question, options: run.options, summary: summary(run.options, defaults),
    outcome, text, detail,
  }, reuse);
}

function onEvent(run, name, e) {
  $('output').dataset.requestId = e.request_id;
  const previous = run.last;
  run.last = e;
  renderTokens($('draft'), e);
  renderProgress($('progress'), $('progress-text'), e, run.blocks);
  if (name === 'draft') {
    if (!previous) {
      run.firstDraftMs = Math.round(performance.now() - run.started);
      status('Denoising…');
      document.body.dataset.state = 'streaming';
    } else if (run.blocks > 1 && previous.block !== e.block) {
      status('Denoising block ' + (e.block + 1) + ' of ' + run.blocks + '…');
    }
    logDraft(e);
    update();
    return;
  }
  run.finished = true;
  settleTokens($('draft'));
  const reason = finishReason(e.finish_reason);
  if (e.error && e.error.message) {
    fail(run, e.error.code + ': ' + e.error.message);
    return;
  }
  $('answer').textContent = e.text || '(empty answer)';
  renderTimings($('timings'), timingRows(e, run.firstDraftMs));
  const total = ((e.timings || {}).total_ms || 0) / 1000;
  status('Answered in ' + total.toFixed(2) + ' s after ' + e.step + ' steps (' + reason + ').', 'ok');
  record(run, 'done', e.text, e.step + ' steps, ' + total.toFixed(2) + ' s, ' + reason);
  setState('done');
}

function fail(run, message) {
  run.finished = true;
  status(message, 'error');
  record(run, 'error', '', message);
  setState('error');
}

function cancelled(run) {
  const e = run.last;
  const at = e ? ' at step ' + e.step + ' of ' + e.total_steps : ' before the first step';
  status('Cancelled' + at + '; the server stopped the generation.', 'warn');
  record(run, 'cancelled', '', at.trim());
  setState('cancelled');
}

function refused(run, err) {
  fail(run, 'Refused: ' + err.message);
  if (err.status === 401) {
    askForKey('Refused: ' + err.message);
    return;
  }
  const input = markInvalid(err.field);
  if (input) {
    input.focus();
  }
}

async function onSubmit(ev) {
  ev.preventDefault();
  if (running) {
    return;
  }
  clearInvalid();
  const question = $('question').value.trim();
  if (!question) {
    status('Type a question first.', 'error');
    markInvalid('question').focus();
    return;
  }
  const options = readOptions();
  const image = picker.current;
  const form = new FormData();
  if (image) {
    form.append('image', image.blob, image.name);
  }
  form.append('question', question);
  appendOptions(form, options);
  const run = {
    controller: new AbortController(), started: performance.now(), firstDraftMs: null, last: null,
    finished: false, blocks: blocks(options, defaults), question, options, image,
  };
  running = run;
  resetOutput();
  $('asked').textContent = (image ? label(image.name) + ': ' : '') + question;
  $('ask').disabled = true;
  $('cancel').disabled = false;
  status(image ? 'Encoding the image and waiting for the first step…' : 'Waiting for the first step…');
  setState('asking');
  try {
    await ask(form, run.controller.signal, (name, e) => onEvent(run, name, e));
    if (!run.finished) {
      fail(run, 'The stream ended without a final answer.');
    }
  } catch (err) {
    if (err.name === 'AbortError') {
      cancelled(run);
    } else if (err instanceof AskError) {
      refused(run, err);
    } else {
      fail(run, 'The request failed: ' + err.message);
    }
  } finally {
    running = null;
    const hadFocus = document.activeElement === $('cancel');
    $('ask').disabled = false;
    $('cancel').disabled = true;
    if (hadFocus) {
      $('ask').focus();
    }
    update();
  }
}

function cancel() {
  if (running) {
    running.controller.abort();
  }
}

/** "Ask again" of a history entry: its image, question and options back in the form. */
function reuse(entry) {
  if (entry.image) {
    picker.restore(entry.image);
  } else {
    picker.clear();
  }
  $('question').value = entry.question;
  writeOptions(entry.options);
  status('The earlier question is back in the form: press Ask.');
  $('question').focus();
}

$('ask-form').addEventListener('submit', onSubmit);
$('key-form').addEventListener('submit', useKey);
$('forget-key').addEventListener('click', () => {
  setApiKey('');
  keyState();
});
keyState();
$('cancel').addEventListener('click', cancel);
$('reset-options').addEventListener('click', () => fillDefaults(defaults));
$('question').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    $('ask-form').requestSubmit();
  }
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && running) {
    cancel();
  }
});
loadModel();
