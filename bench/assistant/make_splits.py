"""Write the Banking77 evaluation splits to /tmp/banking_splits (never into the repo).

Split A (in-scope): 80/20 stratified by intent.
Split B (out-of-scope): 10 whole intents drawn at random become unknown; train on 80% of
the other 67 intents, test on the remaining 20% of them plus every row of the 10, labelled
"oos". Both for seeds 0 and 1, so a figure is never one lucky draw.

    .venv/bin/python bench/assistant/make_splits.py [--src CSV] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

SRC = "/work/shared/data/banking77/train.csv"
OUT = "/tmp/banking_splits"
SEEDS = (0, 1)
N_OOS_INTENTS = 10
OOS = "oos"


def read_rows(path: str) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def stratified(rows, seed, test_share=0.2):
    """Per label, shuffle with a fixed seed and put round(share*n) rows in test."""
    rng = random.Random(seed)
    by_label = defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    train, test = [], []
    for label in sorted(by_label):
        items = by_label[label][:]
        rng.shuffle(items)
        k = max(1, round(len(items) * test_share))
        test += items[:k]
        train += items[k:]
    return train, test


def oos_split(rows, seed):
    rng = random.Random(1000 + seed)
    labels = sorted({label for _, label in rows})
    unknown = set(rng.sample(labels, N_OOS_INTENTS))
    known = [r for r in rows if r[1] not in unknown]
    train, test = stratified(known, seed)
    test += [(text, OOS) for text, label in rows if label in unknown]
    return train, test, sorted(unknown)


def write(path: Path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "category"])
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=SRC)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    rows = read_rows(args.src)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:
        tr, te = stratified(rows, seed)
        write(out / f"A_s{seed}_train.csv", tr)
        write(out / f"A_s{seed}_test.csv", te)
        tr, te, unknown = oos_split(rows, seed)
        write(out / f"B_s{seed}_train.csv", tr)
        write(out / f"B_s{seed}_test.csv", te)
        n_oos = sum(1 for _, label in te if label == OOS)
        print(
            f"seed {seed}: A {len(rows)} rows; B train {len(tr)}, test {len(te)} "
            f"({n_oos} oos from {', '.join(unknown)})"
        )


if __name__ == "__main__":
    main()
