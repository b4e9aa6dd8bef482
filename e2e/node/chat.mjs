// The official openai client against medv's OpenAI-compatible API. OpenAiClientE2ETest runs it with
// MEDV_BASE_URL (e.g. http://localhost:18080/v1) and MEDV_IMAGE (a PNG); it prints one JSON object of what it saw,
// and the Java test asserts on it. No assertion on the answer's words: only structure and invariants.
import OpenAI from "openai";
import { readFileSync } from "node:fs";

const client = new OpenAI({ baseURL: process.env.MEDV_BASE_URL, apiKey: "unused", maxRetries: 0 });
const image = readFileSync(process.env.MEDV_IMAGE).toString("base64");
const seen = {};

const models = await client.models.list();
seen.models = models.data.map((m) => ({ id: m.id, object: m.object, owned_by: m.owned_by }));
const model = seen.models[0].id;

const request = {
  model,
  messages: [{
    role: "user",
    content: [
      { type: "image_url", image_url: { url: `data:image/png;base64,${image}` } },
      { type: "text", text: "Which modality is this?" },
    ],
  }],
  max_tokens: 16,
  seed: 5,
  // medv's diffusion options as extra body fields
  steps: 16,
  block_length: 8,
};

const completion = await client.chat.completions.create(request);
seen.completion = {
  object: completion.object,
  model: completion.model,
  choices: completion.choices.length,
  role: completion.choices[0].message.role,
  content: completion.choices[0].message.content,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
  medv: completion.medv,
};

const stream = await client.chat.completions.create({
  ...request,
  stream: true,
  stream_options: { include_usage: true },
});
const chunks = [];
for await (const chunk of stream) {
  const choice = chunk.choices[0];
  chunks.push({
    object: chunk.object,
    id: chunk.id,
    role: choice?.delta?.role ?? null,
    content: choice ? choice.delta.content : null,
    finish_reason: choice ? choice.finish_reason : null,
    usage: chunk.usage ?? null,
    medv: chunk.medv,
  });
}
seen.chunks = chunks;

try {
  await client.chat.completions.create({ ...request, max_tokens: 20, block_length: 8 });
  seen.invalid = { status: 200 };
} catch (e) {
  seen.invalid = { status: e.status, param: e.param, type: e.type, code: e.code, message: e.message };
}

try {
  await client.chat.completions.create({ ...request, model: "gpt-4o" });
  seen.unknownModel = { status: 200 };
} catch (e) {
  seen.unknownModel = { status: e.status, param: e.param, code: e.code };
}

process.stdout.write(JSON.stringify(seen) + "\n");
