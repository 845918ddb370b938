// The local model engine behind the gateway, through the official openai
// npm client: chat (streamed and not), greedy determinism, max_tokens, stop
// sequences, legacy completions, embeddings and the engine's refusals.
// Prints one "ok - NAME" or "FAIL - NAME: why" line per check.
//
// Env: BASE_URL (…/v1), KEY (a key whose role may use WORKFLOW), WORKFLOW.
import OpenAI from "openai";
import { check, expectError, failed } from "./checks.mjs";

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.KEY, maxRetries: 0, timeout: 30000 });
const model = process.env.WORKFLOW;

const messages = [{ role: "user", content: "Tell me a short story about the sea." }];
const greedy = (extra = {}) => client.chat.completions.create({ model, messages, temperature: 0, max_tokens: 12, ...extra });

// Non-streamed chat, usage, determinism.
const first = await greedy();
const text = first.choices[0].message.content;
check("non-streamed chat answers text", typeof text === "string" && text.length > 0, JSON.stringify(first));
check("usage counts tokens", first.usage?.completion_tokens === 12 && first.usage?.prompt_tokens > 0 &&
  first.usage?.total_tokens === first.usage.prompt_tokens + 12, JSON.stringify(first.usage));
check("max_tokens ends with finish_reason length", first.choices[0].finish_reason === "length");
const second = await greedy();
check("greedy sampling is deterministic", second.choices[0].message.content === text, second.choices[0].message.content);

// max_tokens.
const short = await greedy({ max_tokens: 3 });
check("max_tokens 3 gives 3 tokens", short.usage?.completion_tokens === 3, JSON.stringify(short.usage));

// Streamed: the same text, in chunks, with a finish_reason.
{
  const s = await greedy({ stream: true });
  let content = "";
  let finish = null;
  let chunks = 0;
  for await (const chunk of s) {
    const ch = chunk.choices?.[0];
    if (!ch) continue;
    chunks++;
    content += ch.delta?.content ?? "";
    if (ch.finish_reason) finish = ch.finish_reason;
  }
  check("streamed chat gives the same text", content === text, `${JSON.stringify(content)} vs ${JSON.stringify(text)}`);
  check("streamed chat ends with finish_reason", finish === "length" && chunks >= 2, `${finish}, ${chunks} chunks`);
}

// Stop sequence: cut the greedy text before a piece of it.
{
  const chars = [...text];
  const stop = chars.slice(Math.floor(chars.length / 2), Math.floor(chars.length / 2) + 2).join("");
  const r = await greedy({ stop: [stop] });
  const want = text.slice(0, text.indexOf(stop));
  check("stop sequence ends the text before it", r.choices[0].message.content === want && r.choices[0].finish_reason === "stop",
    `${JSON.stringify(r.choices[0].message.content)} vs ${JSON.stringify(want)} (stop ${JSON.stringify(stop)})`);
}

// Legacy completions.
{
  const r = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 4, temperature: 0 });
  check("legacy completion", typeof r.choices[0].text === "string" && r.usage?.completion_tokens === 4, JSON.stringify(r));
}

// Embeddings (the client asks for base64 and decodes it).
{
  const r = await client.embeddings.create({ model, input: ["the first text", "a second one"] });
  const v = r.data[0].embedding;
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  check("embeddings: one vector per input", r.data.length === 2 && v.length === 64, `${r.data.length} x ${v.length}`);
  check("embeddings are normalised", Math.abs(norm - 1) < 1e-3, String(norm));
}

// Refusals: clear 400s.
await expectError("temperature out of range is a 400", () => greedy({ temperature: 7 }), 400, "invalid_request", "temperature");
await expectError("a prompt beyond the context is a 400", () => client.chat.completions.create({
  model, messages: [{ role: "user", content: "word ".repeat(2000) }], max_tokens: 2 }), 400, "context_length_exceeded", "context holds");

process.exit(failed() ? 1 : 0);
