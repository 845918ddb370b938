// Times the JavaScript PII libraries people use today on the corpus that
// airlock-bench wrote, and scores them (and Airlock) on the Presidio
// synthetic set with one scoring function.
//
//   node bench/js/compare.mjs --corpus-dir DIR [--cap-mib 1] [--budget-s 20]
//        [--dataset FILE] [--airlock-bench build/release/airlock-bench]
//        [--out results.json]
//
// Throughput: each library gets the first --cap-mib MiB of each corpus
// (cut at a line end), split into the same ~64 KiB line-aligned chunks that
// airlock-bench uses, one chunk per call, single process, after one warm-up
// call. A library that has not finished within --budget-s seconds is stopped
// after the chunk in flight and its throughput is computed over the bytes it
// did process (reported as "bytes_done"), so a slow library cannot blow up
// the run time.
//
// Accuracy: a prediction is correct when it overlaps a gold span of the type
// it maps to (mapping tables below; a label that maps to nothing is reported
// as "unmapped" and left out of precision). Recall counts gold spans touched
// by a prediction of the right type. Offsets are compared in code points, as
// the data set gives them.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { OpenRedaction } from '@openredaction/openredaction';
import redactPii from 'redact-pii';

const { SyncRedactor } = redactPii;

// ------------------------------------------------------------------ options
function parseArgs(argv) {
  const o = {
    corpusDir: null,
    capMib: 1,
    budgetS: 20,
    dataset: '/work/shared/datasets/presidio-synth-v2/synth_dataset_v2.json',
    airlockBench: null,
    out: null,
    chunk: 64 * 1024,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--corpus-dir') o.corpusDir = v();
    else if (a === '--cap-mib') o.capMib = Number(v());
    else if (a === '--budget-s') o.budgetS = Number(v());
    else if (a === '--dataset') o.dataset = v();
    else if (a === '--airlock-bench') o.airlockBench = v();
    else if (a === '--out') o.out = v();
    else throw new Error(`unknown flag ${a}`);
  }
  return o;
}

// ------------------------------------------------------------------ label maps
// Presidio types in the data set: PERSON STREET_ADDRESS GPE ORGANIZATION
// CREDIT_CARD DATE_TIME TITLE PHONE_NUMBER AGE NRP EMAIL_ADDRESS ZIP_CODE
// DOMAIN_NAME IBAN_CODE US_SSN IP_ADDRESS US_DRIVER_LICENSE.

// redact-pii replaces each match with a fixed upper-case label.
const REDACT_PII_MAP = {
  PERSON_NAME: 'PERSON',
  CREDIT_CARD_NUMBER: 'CREDIT_CARD',
  STREET_ADDRESS: 'STREET_ADDRESS',
  ZIPCODE: 'ZIP_CODE',
  PHONE_NUMBER: 'PHONE_NUMBER',
  IP_ADDRESS: 'IP_ADDRESS',
  US_SOCIAL_SECURITY_NUMBER: 'US_SSN',
  EMAIL_ADDRESS: 'EMAIL_ADDRESS',
  URL: 'DOMAIN_NAME',
  // USERNAME, PASSWORD, CREDENTIALS, DIGITS: no Presidio counterpart.
};
const REDACT_PII_LABELS = [
  'US_SOCIAL_SECURITY_NUMBER', 'CREDIT_CARD_NUMBER', 'STREET_ADDRESS', 'EMAIL_ADDRESS',
  'PHONE_NUMBER', 'PERSON_NAME', 'IP_ADDRESS', 'CREDENTIALS', 'USERNAME', 'PASSWORD',
  'ZIPCODE', 'DIGITS', 'URL',
];

// openredaction reports its own pattern types (hundreds); the ones that
// correspond to a Presidio type are listed, by exact name or by prefix.
const OPENREDACTION_EXACT = {
  EMAIL: 'EMAIL_ADDRESS',
  CREDIT_CARD: 'CREDIT_CARD',
  IBAN: 'IBAN_CODE',
  SSN: 'US_SSN',
  US_SSN: 'US_SSN',
  IPV4: 'IP_ADDRESS',
  IPV6: 'IP_ADDRESS',
  IP_ADDRESS: 'IP_ADDRESS',
  NAME: 'PERSON',
  PERSON_NAME: 'PERSON',
  DATE_OF_BIRTH: 'DATE_TIME',
  DATE: 'DATE_TIME',
  URL: 'DOMAIN_NAME',
  DOMAIN: 'DOMAIN_NAME',
  ZIP_CODE: 'ZIP_CODE',
  ZIP_CODE_US: 'ZIP_CODE',
  US_ZIP_CODE: 'ZIP_CODE',
  POSTCODE_UK: 'ZIP_CODE',
  UK_POSTCODE: 'ZIP_CODE',
  DRIVING_LICENSE_US: 'US_DRIVER_LICENSE',
  US_DRIVERS_LICENSE: 'US_DRIVER_LICENSE',
};
const OPENREDACTION_PREFIX = [
  ['PHONE', 'PHONE_NUMBER'],
  ['ADDRESS', 'STREET_ADDRESS'],
  ['CREDIT_CARD', 'CREDIT_CARD'],
  ['EMAIL', 'EMAIL_ADDRESS'],
];

function mapOpenRedaction(type) {
  if (type in OPENREDACTION_EXACT) return OPENREDACTION_EXACT[type];
  for (const [p, t] of OPENREDACTION_PREFIX) if (type.startsWith(p)) return t;
  return null;
}

// Airlock's entity types are Presidio's names where one exists.
const PRESIDIO_TYPES = new Set([
  'PERSON', 'STREET_ADDRESS', 'GPE', 'ORGANIZATION', 'CREDIT_CARD', 'DATE_TIME', 'TITLE',
  'PHONE_NUMBER', 'AGE', 'NRP', 'EMAIL_ADDRESS', 'ZIP_CODE', 'DOMAIN_NAME', 'IBAN_CODE',
  'US_SSN', 'IP_ADDRESS', 'US_DRIVER_LICENSE',
]);
const AIRLOCK_EXTRA = { DATE_OF_BIRTH: 'DATE_TIME', URL: 'DOMAIN_NAME' };
function mapAirlock(type) {
  if (PRESIDIO_TYPES.has(type)) return type;
  return AIRLOCK_EXTRA[type] ?? null;
}

// ------------------------------------------------------------------ adapters
// Each returns [{start, end, label}] in UTF-16 code units of `text`.
function makeOpenRedaction() {
  const shield = new OpenRedaction();
  return async (text) => {
    const r = await shield.detect(text);
    return r.detections.map((d) => ({ start: d.position[0], end: d.position[1], label: d.type }));
  };
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// redact-pii returns only the redacted text. Spans are recovered by matching
// the output against the input as a glob: literal pieces must match exactly
// and each label stands for a non-empty run of input.
function makeRedactPii() {
  const redactor = new SyncRedactor();
  const labelRe = new RegExp(`(${REDACT_PII_LABELS.join('|')})`, 'g');
  return async (text) => {
    const out = redactor.redact(text);
    const parts = out.split(labelRe);  // literal, label, literal, label, ...
    if (parts.length === 1) return [];
    let src = '^';
    const labels = [];
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 0) src += escapeRegExp(parts[i]);
      else {
        src += '([\\s\\S]+?)';
        labels.push(parts[i]);
      }
    }
    const m = new RegExp(src + '$', 'd').exec(text);
    if (!m) return [{ start: -1, end: -1, label: '(unaligned)' }];
    return labels.map((label, k) => ({ start: m.indices[k + 1][0], end: m.indices[k + 1][1], label }));
  };
}

// ------------------------------------------------------------------ throughput
function linePrefix(buf, capBytes) {
  if (buf.length <= capBytes) return buf;
  const nl = buf.lastIndexOf(0x0a, capBytes - 1);
  return buf.subarray(0, nl + 1);
}

// Same rule as airlock-bench's Chunks(): ~chunk bytes, extended to a line end.
function chunks(buf, chunk) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    let end = Math.min(buf.length, pos + chunk);
    if (end < buf.length) {
      const nl = buf.indexOf(0x0a, end);
      end = nl < 0 ? buf.length : nl + 1;
    }
    out.push({ text: buf.subarray(pos, end).toString('utf8'), bytes: end - pos });
    pos = end;
  }
  return out;
}

async function timeLibrary(fn, pieces, budgetS) {
  await fn(pieces[0].text.slice(0, 2000));  // warm-up (lazy pattern compilation)
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let bytes = 0;
  let detections = 0;
  let stopped = false;
  for (const p of pieces) {
    const r = await fn(p.text);
    detections += typeof r === 'string' ? 0 : r.length;
    bytes += p.bytes;
    if ((performance.now() - t0) / 1000 > budgetS) {
      stopped = bytes < pieces.reduce((s, x) => s + x.bytes, 0);
      break;
    }
  }
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  // mb_per_s is per CPU second of the process, like airlock-bench's numbers
  // (the box is shared, so wall time includes other people's work).
  return { bytes_done: bytes, seconds: s, cpu_seconds: cpu, mb_per_s: bytes / 1e6 / cpu,
           wall_mb_per_s: bytes / 1e6 / s, stopped_by_budget: stopped, detections };
}

// ------------------------------------------------------------------ accuracy
// UTF-16 index -> code point index for `text`.
function utf16ToCp(text) {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      map[++i] = cp;
    }
    cp++;
  }
  map[text.length] = cp;
  return (i) => map[i];
}

// UTF-8 byte offset -> code point index for `text`: the number of code
// points that start before the byte.
function bytesToCp(text) {
  const buf = Buffer.from(text, 'utf8');
  const map = new Int32Array(buf.length + 1);
  let cp = 0;
  for (let b = 0; b < buf.length; b++) {
    map[b] = cp;
    if ((buf[b] & 0xc0) !== 0x80) cp++;
  }
  map[buf.length] = cp;
  return (b) => map[b];
}

function score(records, predictions, mapLabel) {
  // predictions[i] = [{start, end, label}] in code points
  const perType = {};
  const unmapped = {};
  const t = (k) => (perType[k] ??= { gold: 0, gold_found: 0, predicted: 0, predicted_correct: 0 });
  records.forEach((rec, i) => {
    const gold = rec.spans.map((s) => ({ start: s.start_position, end: s.end_position, type: s.entity_type }));
    for (const g of gold) t(g.type).gold++;
    const preds = [];
    for (const p of predictions[i] ?? []) {
      const m = mapLabel(p.label);
      if (m === null) {
        unmapped[p.label] = (unmapped[p.label] ?? 0) + 1;
      } else {
        preds.push({ ...p, type: m });
      }
    }
    const overlaps = (a, b) => a.start < b.end && b.start < a.end;
    for (const p of preds) {
      t(p.type).predicted++;
      if (gold.some((g) => g.type === p.type && overlaps(g, p))) t(p.type).predicted_correct++;
    }
    for (const g of gold) {
      if (preds.some((p) => p.type === g.type && overlaps(g, p))) t(g.type).gold_found++;
    }
  });
  const rows = {};
  for (const [k, v] of Object.entries(perType)) {
    if (v.predicted === 0 && v.gold_found === 0) continue;  // a type it does not detect
    rows[k] = {
      ...v,
      precision: v.predicted ? v.predicted_correct / v.predicted : null,
      recall: v.gold ? v.gold_found / v.gold : null,
    };
  }
  return { per_type: rows, unmapped };
}

async function predictJs(fn, records) {
  const preds = [];
  for (const rec of records) {
    const conv = utf16ToCp(rec.full_text);
    const r = await fn(rec.full_text);
    preds.push(r.filter((p) => p.start >= 0).map((p) => ({ start: conv(p.start), end: conv(p.end), label: p.label })));
  }
  return preds;
}

function predictAirlock(bench, records) {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-eval-'));
  try {
    const parts = [];
    for (const rec of records) {
      const b = Buffer.from(rec.full_text, 'utf8');
      parts.push(Buffer.from(`${b.length}\n`), b, Buffer.from('\n'));
    }
    writeFileSync(join(dir, 'in.rec'), Buffer.concat(parts));
    execFileSync(bench, ['--analyze-records', join(dir, 'in.rec'), join(dir, 'out.tsv')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const preds = records.map(() => []);
    const convs = records.map((r) => bytesToCp(r.full_text));
    for (const line of readFileSync(join(dir, 'out.tsv'), 'utf8').split('\n')) {
      if (!line) continue;
      const [rec, begin, end, type] = line.split('\t');
      const i = Number(rec);
      preds[i].push({ start: convs[i](Number(begin)), end: convs[i](Number(end)), label: type });
    }
    return preds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ main
async function main() {
  const o = parseArgs(process.argv);
  const result = { node: process.version, cap_mib: o.capMib, budget_s: o.budgetS, throughput: {}, accuracy: {} };
  const libs = { '@openredaction/openredaction': makeOpenRedaction(), 'redact-pii': makeRedactPii() };

  if (o.corpusDir) {
    for (const profile of ['prose', 'digits']) {
      const buf = linePrefix(readFileSync(join(o.corpusDir, `${profile}.txt`)), Math.floor(o.capMib * 1048576));
      const pieces = chunks(buf, o.chunk);
      for (const [name, fn] of Object.entries(libs)) {
        // redact-pii is timed through its public API (redact), not through
        // the span-recovery wrapper used for accuracy.
        const plain = new SyncRedactor();
        const timed = name === 'redact-pii' ? (t) => plain.redact(t) : fn;
        const r = await timeLibrary(timed, pieces, o.budgetS);
        (result.throughput[name] ??= {})[profile] = r;
        console.error(`${name} ${profile}: ${r.mb_per_s.toFixed(3)} MB/s over ${r.bytes_done} bytes` +
          (r.stopped_by_budget ? ' (stopped by time budget)' : ''));
      }
    }
  }

  const records = JSON.parse(readFileSync(o.dataset, 'utf8'));
  const gold = records.reduce((n, r) => n + r.spans.length, 0);
  result.accuracy.dataset = { path: o.dataset, records: records.length, spans: gold,
                              matching: 'overlap, same mapped type; code-point offsets' };
  const maps = { '@openredaction/openredaction': mapOpenRedaction, 'redact-pii': (l) => REDACT_PII_MAP[l] ?? null };
  for (const [name, fn] of Object.entries(libs)) {
    const t0 = performance.now();
    const preds = await predictJs(fn, records);
    result.accuracy[name] = { seconds: (performance.now() - t0) / 1000, ...score(records, preds, maps[name]) };
    console.error(`${name}: accuracy set done`);
  }
  if (o.airlockBench) {
    const t0 = performance.now();
    const preds = predictAirlock(o.airlockBench, records);
    result.accuracy.airlock = { seconds: (performance.now() - t0) / 1000, ...score(records, preds, mapAirlock) };
  }
  const json = JSON.stringify(result, null, 2);
  if (o.out) writeFileSync(o.out, json);
  else console.log(json);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
