// @grpc/grpc-js against the gateway's public gRPC port with TLS and an API key. SecurityE2ETest runs it with
// MEDV_GRPC (host:port), MEDV_CA (the PEM the server certificate chains to), MEDV_API_KEY and MEDV_PROTO_DIR; it
// prints one JSON object of what it saw: a streamed Ask with the key, the same Ask without metadata and with a wrong
// key, and the call over an insecure channel.
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { readFileSync } from "node:fs";

const definition = protoLoader.loadSync("medv/v1/assistant.proto", {
  includeDirs: [process.env.MEDV_PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true,
});
const { Assistant } = grpc.loadPackageDefinition(definition).medv.v1;
const tls = grpc.credentials.createSsl(readFileSync(process.env.MEDV_CA));
const request = { question: "Is there a lesion in the left lung?", options: { gen_length: 16, block_length: 8, steps: 16 } };

/** The events and the status of one streamed Ask. */
function ask(credentials, authorization) {
  const client = new Assistant(process.env.MEDV_GRPC, credentials);
  const metadata = new grpc.Metadata();
  if (authorization) {
    metadata.set("authorization", authorization);
  }
  return new Promise((resolve) => {
    const events = [];
    const call = client.Ask(request, metadata, { deadline: Date.now() + 120_000 });
    call.on("data", (e) => events.push({ step: e.step, final: e.final, text: e.text, finish_reason: e.finish_reason }));
    call.on("error", (err) => {
      client.close();
      resolve({ events, code: err.code, details: err.details });
    });
    call.on("end", () => {
      client.close();
      resolve({ events, code: grpc.status.OK });
    });
  });
}

const seen = {};
seen.withKey = await ask(tls, `Bearer ${process.env.MEDV_API_KEY}`);
seen.withoutKey = await ask(tls, null);
seen.wrongKey = await ask(tls, "Bearer not-a-key-of-the-file-0123");
seen.plaintext = await ask(grpc.credentials.createInsecure(), `Bearer ${process.env.MEDV_API_KEY}`);
console.log(JSON.stringify(seen));
