// The official openai client against the gateway over HTTPS with an API key. SecurityE2ETest runs it with
// MEDV_BASE_URL (https://localhost:PORT/v1), MEDV_API_KEY and NODE_EXTRA_CA_CERTS (the test's CA); it prints one JSON
// object of what it saw: the models, a streamed completion, and the refusal of a wrong key.
import OpenAI from "openai";

const seen = {};
const client = new OpenAI({ baseURL: process.env.MEDV_BASE_URL, apiKey: process.env.MEDV_API_KEY, maxRetries: 0 });
seen.models = (await client.models.list()).data.map((m) => m.id);
const stream = await client.chat.completions.create({
  model: seen.models[0],
  messages: [{ role: "user", content: "Is there a lesion in the left lung?" }],
  max_tokens: 16,
  stream: true,
});
seen.chunks = 0;
seen.text = "";
for await (const chunk of stream) {
  seen.chunks++;
  seen.text += chunk.choices[0]?.delta?.content ?? "";
  seen.finish_reason = chunk.choices[0]?.finish_reason ?? seen.finish_reason;
}
try {
  await new OpenAI({ baseURL: process.env.MEDV_BASE_URL, apiKey: "not-a-key-of-the-file-0123", maxRetries: 0 })
    .models.list();
  seen.wrongKey = { status: 200 };
} catch (e) {
  seen.wrongKey = { status: e.status, code: e.code, type: e.type, name: e.constructor.name };
}
console.log(JSON.stringify(seen));
