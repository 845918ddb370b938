// Gateway scenarios through the official openai npm client. Prints one
// "ok - NAME" or "FAIL - NAME: why" line per check; the calling shell test
// then checks what the recording provider received.
//
// Env: BASE_URL (…/v1), SALES_KEY (role sales, home DE), US_KEY (role sales, home US).
import OpenAI from "openai";
import { check, expectError, failed } from "./checks.mjs";

const client = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.SALES_KEY, maxRetries: 0, timeout: 20000 });
const usClient = new OpenAI({ baseURL: process.env.BASE_URL, apiKey: process.env.US_KEY, maxRetries: 0, timeout: 20000 });

export const NAME = "Max Mustermann";
export const EMAIL = "max.mustermann@example.com";
export const IBAN = "DE89 3704 0044 0532 0130 00";
const PHONE = "+49 30 12345678";
const TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
const PROMPT = `Please summarise the account of ${NAME} (${EMAIL}), IBAN ${IBAN}.`;

async function collect(stream) {
  let content = "";
  let args = "";
  let finish = null;
  for await (const chunk of stream) {
    const ch = chunk.choices?.[0];
    if (!ch) continue;
    content += ch.delta?.content ?? ch.text ?? "";
    for (const tc of ch.delta?.tool_calls ?? []) args += tc.function?.arguments ?? "";
    if (ch.finish_reason) finish = ch.finish_reason;
  }
  return { content, args, finish };
}
const chat = (model, messages, extra = {}) => client.chat.completions.create({ model, messages, ...extra });

// 1. Non-streamed: pseudonymised on the way out, rehydrated on the way back.
{
  const r = await chat("crm-assist", [{ role: "user", content: PROMPT }]);
  const c = r.choices[0].message.content;
  check("non-streamed reply rehydrated", c.includes(NAME) && c.includes(EMAIL) && c.includes(IBAN), c);
  check("no surrogate left in the reply", !/<[A-Z_]+_\d+>/.test(c), c);
  check("usage passed through", r.usage?.total_tokens === 18);
}

// 2. Multi-turn: the same values keep their surrogates across turns.
{
  const first = await chat("crm-assist", [{ role: "user", content: PROMPT }]);
  const r = await chat("crm-assist", [
    { role: "user", content: PROMPT },
    { role: "assistant", content: first.choices[0].message.content },
    { role: "user", content: `Write to ${EMAIL} about IBAN ${IBAN} and call ${PHONE}.` },
  ]);
  const c = r.choices[0].message.content;
  check("multi-turn reply rehydrated", c.includes(PHONE) && c.split(IBAN).length >= 4, c);
}

// 3. Multi-part content.
{
  const r = await chat("crm-assist", [{ role: "user", content: [
    { type: "text", text: `Customer ${NAME}` },
    { type: "text", text: `IBAN ${IBAN}` },
  ] }]);
  const c = r.choices[0].message.content;
  check("multi-part content rehydrated", c.includes(IBAN), c);
}

// 4. Tool calls: values inside tool-call arguments in and out.
{
  const r = await chat("crm-tools", [
    { role: "user", content: `Look up ${NAME}` },
    { role: "assistant", content: null, tool_calls: [{ id: "call_0", type: "function",
      function: { name: "lookup", arguments: JSON.stringify({ iban: IBAN, email: EMAIL }) } }] },
    { role: "tool", tool_call_id: "call_0", content: `Found: ${EMAIL}, phone ${PHONE}` },
    { role: "user", content: `Now pay to ${IBAN}` },
  ], { tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }] });
  const call = r.choices[0].message.tool_calls?.[0];
  let args = {};
  try { args = JSON.parse(call.function.arguments); } catch { /* checked below */ }
  check("tool-call arguments rehydrated and still JSON", args.text === `Now pay to ${IBAN}`, call?.function?.arguments);
}

// 5. Streamed: pieces of 3 bytes split every surrogate; the client reads values.
{
  const s = await chat("crm-assist", [{ role: "user", content: PROMPT }], { stream: true });
  const { content, finish } = await collect(s);
  check("streamed reply rehydrated across chunks", content === `ECHO: ${PROMPT}`, content);
  check("streamed finish_reason kept", finish === "stop");
}

// 5b. A slow stream held back until scanned: the gateway sends SSE comment
// lines meanwhile (stream_keepalive_ms is 100 in this test); the client
// ignores them and reads the whole answer.
{
  const prompt = `Summarise the call with ${NAME} about the renewal, briefly please.`;
  const s = await chat("slow-stream", [{ role: "user", content: prompt }], { stream: true });
  const { content, finish } = await collect(s);
  check("slow held-back stream read whole through keep-alive comments", content === `ECHO: ${prompt}`, content);
  check("slow held-back stream finish_reason kept", finish === "stop");
}

// 6. Streamed tool call.
{
  const s = await chat("crm-tools", [{ role: "user", content: `Pay ${IBAN} for ${NAME}` }], { stream: true,
    tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }] });
  const { args, finish } = await collect(s);
  let parsed = {};
  try { parsed = JSON.parse(args); } catch { /* checked below */ }
  check("streamed tool-call arguments rehydrated", parsed.text === `Pay ${IBAN} for ${NAME}`, args);
  check("streamed tool-call finish_reason", finish === "tool_calls");
}

// 7. A value split across two messages.
{
  const r = await chat("crm-assist", [
    { role: "user", content: "My IBAN is DE89 3704 0044" },
    { role: "user", content: "0532 0130 00 thanks" },
  ]);
  check("split value: request served", r.choices.length === 1);
}

// 8. Residency.
await expectError("EU data to a US backend without reroute: 403", () => chat("us-only", [{ role: "user", content: PROMPT }]), 403, "residency_blocked");
try {
  await chat("us-only", [{ role: "user", content: PROMPT }]);
} catch (e) {
  const body = JSON.stringify(e.error ?? {});
  check("residency block names data classes, never values", body.includes("personal") && !body.includes("Mustermann") && !body.includes("DE89"), body);
}
{
  const r = await chat("us-reroute", [{ role: "user", content: PROMPT }]);
  check("rerouted to an adequacy country (CH)", r.choices[0].message.content.includes(IBAN));
}
await expectError("reroute prefers the local model (503 without one)", () => chat("us-reroute-local", [{ role: "user", content: PROMPT }]), 503, "no_model");
{
  const r = await chat("us-dpf", [{ role: "user", content: PROMPT }]);
  check("US backend with DPF certification allowed", r.choices[0].message.content.includes(NAME));
}
{
  const r = await chat("us-redacted", [{ role: "user", content: PROMPT }]);
  const c = r.choices[0].message.content;
  check("redacted data may go to the US", c.includes("[REDACTED:IBAN_CODE]") && !c.includes(IBAN), c);
}
{
  const r = await usClient.chat.completions.create({ model: "us-only", messages: [{ role: "user", content: PROMPT }] });
  check("a US principal's non-EU data may go to the US", r.choices[0].message.content.includes(NAME));
}
await expectError("credentials are blocked", () => chat("crm-assist", [{ role: "user", content: `token ${TOKEN}` }]), 403, "policy_blocked");

// 9. Other actions.
for (const [wf, want] of [["crm-mask", /\*\*/], ["crm-redact", /\[REDACTED:IBAN_CODE\]/], ["crm-hash", /\[IBAN_CODE:[0-9a-f]{12}\]/]]) {
  const r = await chat(wf, [{ role: "user", content: PROMPT }]);
  const c = r.choices[0].message.content;
  check(`${wf}: value transformed, not rehydrated`, want.test(c) && !c.includes(IBAN), c);
}

// 10. Output scanning.
{
  const r = await chat("leak-redact", [{ role: "user", content: "hello" }]);
  const c = r.choices[0].message.content;
  check("leak in output redacted", c.includes("[REDACTED:IBAN_CODE]") && !c.includes("DE89") && !c.includes("leak.victim"), c);
  const s = await chat("leak-redact", [{ role: "user", content: "hello" }], { stream: true });
  const { content } = await collect(s);
  check("leak in streamed output redacted", content.includes("[REDACTED:IBAN_CODE]") && !content.includes("DE89") && !content.includes("leak.victim"), content);
}
await expectError("leak with output: block -> 502", () => chat("leak-block", [{ role: "user", content: "hello" }]), 502, "output_blocked");
{
  let got = "";
  let err = null;
  try {
    const s = await chat("leak-block", [{ role: "user", content: "hello" }], { stream: true });
    for await (const chunk of s) got += chunk.choices?.[0]?.delta?.content ?? "";
  } catch (e) { err = e; }
  check("streamed leak with output: block ends in an error, nothing leaked", err !== null && !got.includes("DE89"), `${got} ${err}`);
}

// 11. Upstream failures: 502 with a JSON body, never retried elsewhere.
await expectError("upstream garbage -> 502", () => chat("garbage", [{ role: "user", content: PROMPT }]), 502, "upstream_failed");
await expectError("upstream HTTP 500 -> 502", () => chat("upstream-error", [{ role: "user", content: "hi" }]), 502, "upstream_status");
// A streamed request whose upstream answers with a Content-Length body (an
// error JSON, as providers send for a rejected streamed request, or SSE
// events not chunked): the upstream's status and code pass, and the events.
await expectError("streamed, upstream HTTP 500 -> 502 with its code", () => chat("upstream-error", [{ role: "user", content: "hi" }], { stream: true }), 502, "upstream_status");
{
  const s = await chat("crm-sse-length", [{ role: "user", content: PROMPT }], { stream: true });
  const r = await collect(s);
  check("streamed reply sent with Content-Length rehydrated", r.content.includes(NAME) && r.content.includes(IBAN) && r.finish === "stop", r.content);
}
await expectError("upstream slow -> 502 after the backend timeout", () => chat("upstream-slow", [{ role: "user", content: "hi" }]), 502, "upstream_failed");
await expectError("upstream down -> 502", () => chat("upstream-down", [{ role: "user", content: "hi" }]), 502, "upstream_failed");
{
  let err = null;
  try {
    const s = await chat("garbage", [{ role: "user", content: "hi" }], { stream: true });
    for await (const _ of s) { /* drain */ }
  } catch (e) { err = e; }
  check("streamed garbage ends in an error", err !== null, String(err));
}

// 12. Embeddings and legacy completions.
{
  const e = await client.embeddings.create({ model: "crm-assist", input: [PROMPT, "second"], encoding_format: "float" });
  check("embeddings answered", e.data.length === 2 && e.data[0].embedding.length === 3);
  const r = await client.completions.create({ model: "crm-assist", prompt: PROMPT });
  check("completions rehydrated", r.choices[0].text.includes(IBAN), r.choices[0].text);
  const s = await client.completions.create({ model: "crm-assist", prompt: PROMPT, stream: true });
  const { content } = await collect(s);
  check("streamed completions rehydrated", content.includes(IBAN) && content.includes(NAME), content);
}

// 13. Minimisation: a Salesforce record loses the fields the workflow drops.
{
  const record = JSON.stringify({ attributes: { type: "Contact" }, Name: "Erika Musterfrau", Email: "erika@example.com",
    Phone: PHONE, MailingStreet: "Hauptstrasse 5", Description: "VIP" });
  const r = await chat("crm-assist", [{ role: "user", content: record }]);
  const c = r.choices[0].message.content;
  check("minimised record: kept fields come back", c.includes("erika@example.com") && c.includes("VIP"), c);
  check("minimised record: dropped fields gone", !c.includes("MailingStreet") && !c.includes("Phone"), c);
  await expectError("document over max_document_bytes -> 413", () => chat("crm-assist", [{ role: "user", content: "x".repeat(30000) }]), 413, "document_too_large");
}

// 14. A CRM record inside a prompt: values that only their JSON key gives
// away (a surname, a street without a street word) are redacted too.
{
  const record = JSON.stringify({ attributes: { type: "Lead" }, LastName: "Tamm", Street: "Allika 46",
    City: "Tallinn", Status: "Open" });
  const r = await chat("crm-redact", [{ role: "user", content: `Draft a follow-up for this lead: ${record}` }]);
  const c = r.choices[0].message.content;
  check("embedded record: street and surname redacted by their keys",
    c.includes("[REDACTED:STREET_ADDRESS]") && c.includes("[REDACTED:PERSON]") && !c.includes("Allika") && !c.includes("Tamm") &&
    c.includes("Open"), c);
}

process.exit(failed() ? 1 : 0);
