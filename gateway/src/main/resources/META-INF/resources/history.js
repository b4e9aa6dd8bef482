// The answers asked earlier on this page, newest first: the image, the question, the outcome and how long it took,
// and "Ask again", which puts the same image, question and options back into the form.

import { label } from './image.js';

const $ = (id) => document.getElementById(id);

/**
 * entry: {image: {blob, name, ...} | null, question, options, summary, outcome: 'done' | 'cancelled' | 'error',
 * text, detail}; onReuse(entry) is called by its "Ask again" button.
 */
export function addToHistory(entry, onReuse) {
  const li = document.createElement('li');
  li.className = 'entry ' + entry.outcome;
  if (entry.image) {
    const img = document.createElement('img');
    img.src = URL.createObjectURL(entry.image.blob);
    img.alt = label(entry.image.name);
    img.width = 48;
    img.height = 48;
    li.append(img);
  }
  const body = document.createElement('div');
  body.className = 'entry-body';
  const q = document.createElement('p');
  q.className = 'entry-q';
  q.textContent = entry.question;
  const a = document.createElement('p');
  a.className = 'entry-a';
  const outcome = document.createElement('strong');
  outcome.textContent = entry.outcome === 'done' ? entry.text || '(empty answer)'
    : entry.outcome === 'cancelled' ? 'Cancelled' : 'Failed';
  a.append(outcome);
  if (entry.detail) {
    a.append(' · ' + entry.detail);
  }
  const meta = document.createElement('p');
  meta.className = 'entry-meta';
  meta.textContent = new Date().toLocaleTimeString() + ' · ' + entry.summary;
  body.append(q, a, meta);
  const again = document.createElement('button');
  again.type = 'button';
  again.className = 'secondary';
  again.textContent = 'Ask again';
  again.setAttribute('aria-label', 'Ask again: ' + entry.question);
  again.addEventListener('click', () => onReuse(entry));
  body.append(again);
  li.append(body);
  $('history').prepend(li);
  $('history-empty').hidden = true;
}
