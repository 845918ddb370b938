// Prints the summary of a bench/run.sh run: throughput with the ratios to
// memchr, raw vectorscan and each JavaScript library, compile figures, and
// the accuracy table.
//
//   node bench/js/summary.mjs airlock-bench.json [js.json]
import { readFileSync } from 'node:fs';

const [benchPath, jsPath] = process.argv.slice(2);
const bench = JSON.parse(readFileSync(benchPath, 'utf8'));
const js = jsPath ? JSON.parse(readFileSync(jsPath, 'utf8')) : null;

// Median of repetitions when there are any, else the single run.
const runs = {};
for (const b of bench.benchmarks) {
  const name = b.run_name ?? b.name;
  if (b.run_type === 'aggregate' && b.aggregate_name !== 'median') continue;
  runs[name] = b;
}
const mbs = (name) => (runs[name] ? runs[name].bytes_per_second / 1e6 : NaN);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

const ctx = bench.context;
console.log(`catalog: ${ctx.airlock_detectors} detectors, ${ctx.airlock_patterns} patterns (incl. context words)`);
console.log(`compile (cold, no cache): ${ctx.airlock_cold_compile_ms} ms wall, ${ctx.airlock_cold_compile_cpu_ms} ms CPU; ` +
            `cache load: ${ctx.airlock_cache_load_ms} ms`);
console.log(`database: ${ctx.airlock_database_bytes} bytes; scratch: ${ctx.airlock_scratch_bytes} bytes; ` +
            `RSS ${ctx.airlock_rss_kib_before_compile} -> ${ctx.airlock_rss_kib_after_compile} KiB ` +
            `(peak ${ctx.airlock_peak_rss_kib_after_compile} KiB)`);
for (const [k, v] of Object.entries(runs)) {
  if (k.startsWith('BM_Compile') || k.startsWith('BM_CacheLoad')) {
    console.log(`${k}: ${fmt(v.cpu_time)} ${v.time_unit} CPU per iteration`);
  }
}
console.log(`corpus prose: ${ctx.corpus_prose}`);
console.log(`corpus digits: ${ctx.corpus_digits}`);
console.log('');

const targets = { prose: 1000, digits: 250 };
const libs = js ? Object.keys(js.throughput) : [];
const head = ['profile', 'Analyze 4K', 'Analyze 64K', 'raw vs 64K', 'memchr', 'ours/memchr', 'ours/raw', 'target', ...libs.map((l) => `ours/${l}`)];
console.log(head.join(' | '));
for (const p of ['prose', 'digits']) {
  const a4 = mbs(`BM_Analyze/${p}/chunk:4096`);
  const a64 = mbs(`BM_Analyze/${p}/chunk:65536`);
  const raw = mbs(`BM_RawVectorscan/${p}/chunk:65536`);
  const mem = mbs(`BM_Memchr/${p}/chunk:65536`);
  const row = [p, `${fmt(a4)} MB/s`, `${fmt(a64)} MB/s`, `${fmt(raw)} MB/s`, `${fmt(mem)} MB/s`,
               pct(a64 / mem), pct(a64 / raw),
               `${targets[p]} MB/s: ${a64 >= targets[p] ? 'met' : `missed (${fmt(a64 / targets[p], 3)}x of target)`}`];
  for (const l of libs) {
    const t = js.throughput[l][p];
    row.push(t ? `${fmt(a64 / t.mb_per_s, 2)}x (${fmt(t.mb_per_s, 3)} MB/s over ${t.bytes_done} B)` : 'n/a');
  }
  console.log(row.join(' | '));
}

if (js) {
  console.log('');
  console.log(`accuracy on ${js.accuracy.dataset.path} (${js.accuracy.dataset.records} records, ` +
              `${js.accuracy.dataset.spans} spans; ${js.accuracy.dataset.matching})`);
  const systems = ['airlock', ...libs].filter((s) => js.accuracy[s]);
  const types = new Set();
  for (const s of systems) for (const t of Object.keys(js.accuracy[s].per_type)) types.add(t);
  console.log(['type', ...systems.map((s) => `${s} P / R (pred, gold)`)].join(' | '));
  for (const t of [...types].sort()) {
    const row = [t];
    for (const s of systems) {
      const v = js.accuracy[s].per_type[t];
      row.push(v ? `${fmt(v.precision, 2)} / ${fmt(v.recall, 2)} (${v.predicted}, ${v.gold})` : '-');
    }
    console.log(row.join(' | '));
  }
  for (const s of systems) {
    const un = Object.entries(js.accuracy[s].unmapped).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`${s}: ${fmt(js.accuracy[s].seconds, 2)} s for the set; unmapped labels: ` +
                (un.length ? un.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'));
  }
}
