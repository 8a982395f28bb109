"""Render /tmp/banking_splits/results.jsonl (from experiments.py) as Markdown tables.

.venv/bin/python bench/assistant/report.py [results.jsonl]
"""

import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/banking_splits/results.jsonl"
with open(path) as f:
    rows = [json.loads(line) for line in f]
# Latest run of each (config, split, seed, cached) wins.
latest = {(r["config"], r["split"], r["seed"], r["cached"]): r for r in rows}


def pct(v):
    return "–" if v is None else f"{100 * v:.2f}"


print(
    "| config | split | seed | in-scope acc | macro-F1 | OOS recall | OOS precision "
    "| in-scope acc at threshold | threshold | train s | p50 ms | p95 ms | peak RSS MB "
    "| blob MB |"
)
print("|" + "---|" * 14)
for (config, split, seed, cached), r in latest.items():
    train = f"{r['train_seconds']:.0f}" + ("*" if cached else "")
    print(
        f"| {config} | {split} | {seed} | {pct(r['inscope_acc'])} | {pct(r['macro_f1'])} "
        f"| {pct(r.get('oos_recall'))} | {pct(r.get('oos_precision'))} "
        f"| {pct(r['inscope_acc_at_threshold']) if split == 'B' else '–'} "
        f"| {r['threshold']:.3f} | {train} | {r['latency_p50_ms']:.1f} "
        f"| {r['latency_p95_ms']:.1f} | {r['peak_rss_mb']:.0f} | {r['blob_mb']:.1f} |"
    )

print(
    "\nOut-of-scope operating points on split B (score/rule: OOS recall, in-scope acc at "
    "threshold):\n"
)
print(
    "| config | seed | "
    + " | ".join(f"{k}/{r}" for k in ("prob", "sim", "mix") for r in ("balanced", "keep95"))
    + " |"
)
print("|" + "---|" * 8)
for (config, split, seed, _cached), r in latest.items():
    if split != "B" or "rules" not in r:
        continue
    cells = [
        f"{pct(v['oos_recall'])} / {pct(v['inscope_acc_at_threshold'])}"
        for v in r["rules"].values()
    ]
    print(f"| {config} | {seed} | " + " | ".join(cells) + " |")
