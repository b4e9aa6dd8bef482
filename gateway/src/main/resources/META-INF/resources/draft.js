// The answer as it unmasks: one span per answer position (masked, committed earlier, or committed since the draft
// shown before), the progress of the denoising steps and blocks, and the final event's timings.

import { modeName } from './options.js';

const shown = new WeakMap(); // container -> the tokens of the draft it shows

/**
 * Renders an AnswerEvent's tokens into container, reusing the spans of the previous draft. A position is "new"
 * when this step committed it (committed_positions) or it was masked in the draft shown before: a slow page skips
 * drafts, and what the skipped steps committed is new to the reader too.
 */
export function renderTokens(container, e) {
  const tokens = e.tokens || [];
  const placeholder = e.placeholder || '\u2591';
  if (tokens.length === 0) {
    // an older gateway sends only the text
    container.textContent = e.draft || '';
    return;
  }
  const previous = shown.get(container) || [];
  shown.set(container, tokens);
  const committed = new Set(e.committed_positions || []);
  let spans = container.querySelectorAll('span.tok');
  if (spans.length !== tokens.length) {
    container.replaceChildren(...tokens.map(() => document.createElement('span')));
    spans = container.querySelectorAll('span');
  }
  tokens.forEach((text, i) => {
    const span = spans[i];
    const masked = text === placeholder;
    const wasMasked = i >= previous.length || previous[i] === placeholder;
    const fresh = !masked && (committed.has(i) || wasMasked);
    span.className = 'tok' + (masked ? ' mask' : '') + (fresh ? ' new' : '') + (!masked && text === '' ? ' pad' : '');
    span.title = masked ? 'masked' : text === '' ? 'special token (end of text)' : '';
    if (span.textContent !== text) {
      span.textContent = text;
    }
  });
}

/** Empties the token view for a new question. */
export function clearTokens(container) {
  shown.delete(container);
  container.replaceChildren();
}

/** Clears the highlight of the last step (the final answer is shown as one committed text). */
export function settleTokens(container) {
  container.querySelectorAll('span.tok.new').forEach((s) => s.classList.remove('new'));
}

/**
 * Updates the progress bar and its text. blocks is gen_length / block_length as asked; the event's block is
 * 0-based. The final event's step is the number of steps run (fewer when a stop sequence ended the answer early).
 */
export function renderProgress(bar, label, e, blocks) {
  const total = e.total_steps || 0;
  bar.max = Math.max(total, 1);
  bar.value = e.final ? bar.max : Math.min(e.step, bar.max);
  if (e.final) {
    const early = total > 0 && e.step < total ? ' (of ' + total + ')' : '';
    label.textContent = e.step + ' step' + (e.step === 1 ? '' : 's') + early;
    return;
  }
  const block = blocks > 1 ? ' · block ' + (e.block + 1) + ' of ' + blocks : '';
  label.textContent = 'step ' + e.step + ' of ' + total + block;
}

/** "FINISH_REASON_STOP" -> "stop". */
export function finishReason(value) {
  return String(value || '').replace(/^FINISH_REASON_/, '').toLowerCase().replace(/_/g, ' ');
}

function ms(v) {
  const n = Number(v || 0);
  return n >= 1000 ? (n / 1000).toFixed(2) + ' s' : n + ' ms';
}

/** The final event's timings as [term, value] rows; firstDraftMs is measured by the page. */
export function timingRows(e, firstDraftMs) {
  const t = e.timings || {};
  const steps = Number(t.steps || 0);
  const rows = [
    ['finish', finishReason(e.finish_reason)],
    ['total', ms(t.total_ms)],
    ['image encoding', ms(t.vision_ms)],
    ['queue', ms(t.queue_ms)],
    ['first step', ms(t.first_step_ms)],
    ['denoising', ms(t.generate_ms)],
    ['steps run', String(steps)],
  ];
  if (e.options) {
    rows.push(['decoding', modeName(e.options.cache, e.options.threshold, e.options.refresh_every)]);
  }
  if (steps > 0) {
    rows.push(['per step', (Number(t.generate_ms || 0) / steps).toFixed(1) + ' ms']);
  }
  if (firstDraftMs != null) {
    rows.push(['first draft seen', ms(firstDraftMs)]);
  }
  return rows;
}

export function renderTimings(dl, rows) {
  dl.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    const pair = document.createElement('div');
    pair.append(dt, dd);
    dl.append(pair);
  }
}
