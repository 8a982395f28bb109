"""Compare intent-classification configurations on the Banking77 splits (make_splits.py).

Each configuration runs in its own process (honest peak RSS) on one core. Pretrained
embeddings of *batches* are read from a cache built once (MiniLM takes ~60 s for 10k texts);
single-message calls, and so the latency figures, always run the real encoder. Pass
--no-cache to measure end-to-end training time as the product would see it.

    .venv/bin/python bench/assistant/experiments.py            # all configs, seeds 0 and 1
    .venv/bin/python bench/assistant/experiments.py --only default --no-cache
Results: printed, and appended as JSON lines to /tmp/banking_splits/results.jsonl.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
SPLITS = Path("/tmp/banking_splits")
CACHE = SPLITS / "pretrained_cache.npz"
RESULTS = SPLITS / "results.jsonl"

CONFIGS = {
    # name: (encoder_names, members, oos score)
    "minilm_lr": (["minilm"], ["lr"], "prob"),
    "static_lr": (["static"], ["lr"], "prob"),
    "lexical_svc": (["lexical"], ["linear"], "prob"),
    "concat_svc": (["lexical", "minilm", "static"], ["linear"], "prob"),
    "concat_svc+knn": (["lexical", "minilm", "static"], ["linear", "knn"], "mix"),
    "default": (["lexical", "minilm", "static"], ["linear", "lr", "knn"], "mix"),
}


def build_cache():
    from frontline.assistant.ml.encoders import get_encoder
    from frontline.assistant.ml.evaluate import read_csv

    texts = sorted({t.strip()[:5000] for f in SPLITS.glob("[AB]_s*_*.csv") for t, _ in read_csv(f)})
    arrays = {n: get_encoder(n).encode(texts) for n in ("minilm", "static")}
    np.savez(CACHE, texts=np.array(texts, dtype=object), **arrays)


def install_cache():
    """Memoise batch encodes of known texts; single texts always go to the real model."""
    from frontline.assistant.ml import encoders

    data = np.load(CACHE, allow_pickle=True)
    index = {t: i for i, t in enumerate(data["texts"])}
    for name in ("minilm", "static"):
        base, rows = encoders.ENCODERS[name], data[name]

        class Cached(base):
            def encode(self, texts, _base=base, _rows=rows):
                if len(texts) > 1 and all(t in index for t in texts):
                    return _rows[[index[t] for t in texts]]
                return _base.encode(self, texts)

        encoders.ENCODERS[name] = Cached


def threshold_rules(model, test_rows):
    """Out-of-scope operating points for other rules, from the same internal folds."""
    from frontline.assistant.ml.intent import _choose_threshold, oos_score

    fp, fsim, fc, fu = model._calibration
    proba, sim = model.core.scores([t for t, _ in test_rows])
    gold = np.array([y for _, y in test_rows], dtype=object)
    correct = model.core.classes_[proba.argmax(1)] == gold
    oos = gold == "oos"
    out = {}
    for kind in ("prob", "sim", "mix"):
        fs, ts = oos_score(fp, fsim, kind), oos_score(proba, sim, kind)
        rules = {
            "balanced": _choose_threshold(fs, fc, fu),
            # keep 95% of in-scope messages answered (calibration rows)
            "keep95": float(np.quantile(fs[~fu], 0.05)),
        }
        for rule, t in rules.items():
            out[f"{kind}/{rule}"] = {
                "threshold": round(t, 3),
                "oos_recall": float(np.mean(ts[oos] < t)),
                "inscope_acc_at_threshold": float(np.mean(correct[~oos] & (ts[~oos] >= t))),
            }
    return out


def run_one(config, split, seed, use_cache):
    from frontline.assistant.ml.evaluate import evaluate, read_csv
    from frontline.assistant.ml.intent import IntentModel

    if use_cache:
        install_cache()
    encoders, members, oos = CONFIGS[config]
    train = read_csv(SPLITS / f"{split}_s{seed}_train.csv")
    test = read_csv(SPLITS / f"{split}_s{seed}_test.csv")
    model = IntentModel(members=members, oos_kind=oos)
    res = evaluate(train, test, encoder_names=encoders, seed=seed, model=model)
    if split == "B":
        res["rules"] = threshold_rules(model, test)
    res.update(config=config, split=split, seed=seed, cached=use_cache)
    print(json.dumps(res))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=list(CONFIGS))
    ap.add_argument("--splits", nargs="*", default=["A", "B"])
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1])
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--child", nargs=3)
    args = ap.parse_args()
    if args.child:
        run_one(args.child[0], args.child[1], int(args.child[2]), not args.no_cache)
        return
    if not args.no_cache and not CACHE.exists():
        build_cache()
    for config in args.only:
        for split in args.splits:
            for seed in args.seeds:
                cmd = [sys.executable, __file__, "--child", config, split, str(seed)]
                cmd += ["--no-cache"] if args.no_cache else []
                out = subprocess.run(cmd, capture_output=True, text=True)
                line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
                if out.returncode or not line.startswith("{"):
                    print(f"{config} {split} s{seed} FAILED:\n{out.stderr[-2000:]}")
                    continue
                with open(RESULTS, "a") as f:
                    f.write(line + "\n")
                r = json.loads(line)
                keys = (
                    "inscope_acc",
                    "macro_f1",
                    "oos_recall",
                    "oos_precision",
                    "inscope_acc_at_threshold",
                    "threshold",
                    "train_seconds",
                    "latency_p50_ms",
                    "latency_p95_ms",
                    "peak_rss_mb",
                    "blob_mb",
                )
                print(
                    config,
                    split,
                    f"s{seed}",
                    " ".join(f"{k}={r[k]:.4g}" for k in keys if r.get(k) is not None),
                    flush=True,
                )


if __name__ == "__main__":
    main()
