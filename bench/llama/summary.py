"""Markdown table from bench/llama/run.sh results: airlock vs llama-bench.

Both sides report the best of their repetitions (llama-bench: the largest of
samples_ts; airlock model bench: the best run), which is the figure least
disturbed by other load on a shared machine."""
import glob
import json
import os
import sys

out, quants = sys.argv[1], sys.argv[2:]


def best(run):
    return max(run.get("samples_ts") or [run["avg_ts"]])


print("| model | params | file | baseline | baseline pp | airlock pp | ratio | baseline tg | airlock tg | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|")
for q in quants:
    a = json.load(open(f"{out}/airlock-{q}-p1.json"))
    rows = []
    if os.path.exists(f"{out}/llama-bench-{q}.json"):
        lb = json.load(open(f"{out}/llama-bench-{q}.json"))
        pp = next(r for r in lb if r["n_prompt"] > 0 and r["n_gen"] == 0)
        tg = next(r for r in lb if r["n_gen"] > 0 and r["n_prompt"] == 0)
        rows.append(("llama-bench", best(pp), best(tg)))
    if os.path.exists(f"{out}/raw-{q}.json"):
        raw = json.load(open(f"{out}/raw-{q}.json"))
        rows.append(("airlock-llama-raw", raw["pp_tokens_per_s"], raw["tg_tokens_per_s"]))
    for name, bpp, btg in rows:
        print(f"| {q} | {a['parameters']/1e6:.0f} M | {a['file_bytes']/2**20:.0f} MiB | {name} "
              f"| {bpp:.1f} | {a['pp_tokens_per_s']:.1f} | {a['pp_tokens_per_s']/bpp:.2f} "
              f"| {btg:.2f} | {a['tg_tokens_per_s_per_sequence']:.2f} "
              f"| {a['tg_tokens_per_s_per_sequence']/btg:.2f} |")
print()
print("| model | sequences | aggregate tg tokens/s | per sequence | vs 1 sequence | max RSS | RSS / file |")
print("|---|---|---|---|---|---|---|")
for q in quants:
    base = None
    files = sorted(glob.glob(f"{out}/airlock-{q}-p*.json"), key=lambda f: int(f.rsplit("-p", 1)[1][:-5]))
    for f in files:
        a = json.load(open(f))
        rss = int(open(f[:-5] + ".maxrss").read().split()[-1]) * 1024 if os.path.exists(f[:-5] + ".maxrss") else a["rss_bytes"]
        base = base or a["aggregate_tokens_per_s"]
        print(f"| {q} | {a['parallel']} | {a['aggregate_tokens_per_s']:.2f} | {a['tg_tokens_per_s_per_sequence']:.2f} "
              f"| {a['aggregate_tokens_per_s']/base:.2f}x | {rss/2**20:.0f} MiB | {rss/a['file_bytes']:.2f} |")

after = [(q, json.load(open(f"{out}/raw-{q}.json"))) for q in quants if os.path.exists(f"{out}/raw-{q}.json")]
after = [(q, r) for q, r in after if r.get("tg_after")]
if after:
    print()
    print("| model | raw tg (empty context) | raw tg after a prompt | prompt tokens | ratio |")
    print("|---|---|---|---|---|")
    for q, r in after:
        print(f"| {q} | {r['tg_tokens_per_s']:.2f} | {r['tg_after_tokens_per_s']:.2f} | {r['tg_after']} "
              f"| {r['tg_after_tokens_per_s']/r['tg_tokens_per_s']:.2f} |")
