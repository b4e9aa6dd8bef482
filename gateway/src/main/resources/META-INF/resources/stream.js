// POST /v1/ask and its server-sent events, read with fetch so that the request can carry an image and be aborted:
// aborting closes the connection, and the gateway cancels the generation when its SSE client goes away. The API key,
// if any, goes in the Authorization header (auth.js).

import { withKey } from './auth.js';

/** An HTTP refusal before the stream started: {"error": {"code", "field", "message"}}. */
export class AskError extends Error {
  constructor(status, code, field, message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** One SSE frame ("event: x\ndata: y") to {event, data}. */
function parseFrame(frame) {
  let event = 'message';
  const data = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) {
      event = line.slice(6).trim();
    } else if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, ''));
    }
  }
  return { event, data: data.join('\n') };
}

/**
 * Sends the form and calls onEvent(name, answerEvent) for each draft and the final event. Resolves when the stream
 * ends; rejects with AskError for a refusal, with an AbortError when signal aborts.
 */
export async function ask(form, signal, onEvent) {
  const res = await fetch('/v1/ask', {
    method: 'POST', body: form, signal, headers: withKey({ Accept: 'text/event-stream' }),
  });
  if (!res.ok) {
    let error = { code: String(res.status), field: '', message: res.status + ' ' + res.statusText };
    try {
      const body = await res.json();
      if (body.error) {
        error = { ...error, ...body.error };
      }
    } catch (ignored) {
      // not our JSON error body: keep the HTTP status
    }
    throw new AskError(res.status, error.code, error.field, error.message);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const flush = (frame) => {
    const f = parseFrame(frame);
    if (f.data) {
      onEvent(f.event, JSON.parse(f.data));
    }
  };
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) {
      break;
    }
    buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      flush(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
    }
  }
  if (buffer.trim()) {
    flush(buffer);
  }
}
