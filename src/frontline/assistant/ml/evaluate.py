"""Measure an IntentModel on labelled rows: accuracy, out-of-scope handling, speed, memory.

Rows are (text, label) pairs; test rows labelled ``oos_label`` are out of scope (their
intent was never trained). An unsure prediction counts as correct only on those rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import resource
import sys
import time
from pathlib import Path

import numpy as np

from .intent import DEFAULT_ENCODERS, IntentModel


def decode(raw: bytes) -> str:
    """A CSV's text: UTF-16 or UTF-32 when it starts with their byte-order mark (what
    spreadsheets save as "Unicode text"), else UTF-8 (with or without BOM), else Windows-1252
    (curly quotes and euro signs of older exports), else Latin-1, which reads anything."""
    marks = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
             (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]  # fmt: skip
    for bom, codec in marks:  # UTF-32 LE starts like UTF-16 LE: longest first
        if raw.startswith(bom):
            return raw.decode(codec)
    for codec in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_csv(path, text_column="text", label_column="category") -> list[tuple[str, str]]:
    """(text, label) rows from a CSV (encoding as `decode` finds it)."""
    content = decode(Path(path).read_bytes())
    reader = csv.DictReader(io.StringIO(content, newline=""))
    cols = reader.fieldnames or []
    missing = [c for c in (text_column, label_column) if c not in cols]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"the file has: {', '.join(cols) or 'no header'}"
        )
    rows = [(r[text_column] or "", r[label_column] or "") for r in reader]
    if not rows:
        raise ValueError(f"{path}: no rows under the header")
    return rows


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def evaluate(
    train_rows,
    test_rows,
    *,
    oos_label="oos",
    encoder_names=DEFAULT_ENCODERS,
    seed=0,
    latency_rows=300,
    model=None,
    **model_kwargs,
) -> dict:
    from sklearn.metrics import f1_score

    model = model or IntentModel(**model_kwargs)
    t0 = time.perf_counter()
    report = model.train(
        [t for t, _ in train_rows],
        [y for _, y in train_rows],
        encoder_names=encoder_names,
        seed=seed,
    )
    train_s = time.perf_counter() - t0

    texts = [t for t, _ in test_rows]
    gold = np.array([y for _, y in test_rows], dtype=object)
    preds = model.predict_many(texts)
    label = np.array([p.label for p in preds], dtype=object)
    unsure = np.array([p.unsure for p in preds])
    is_oos = gold == oos_label
    ins = ~is_oos

    top1 = label == gold  # the classifier's choice, ignoring the threshold
    accepted_right = top1 & ~unsure
    out = {
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "n_oos": int(is_oos.sum()),
        "threshold": model.threshold,
        # In-scope accuracy of the top label (no threshold) and with unsure counted wrong.
        "inscope_acc": float(top1[ins].mean()) if ins.any() else None,
        "inscope_acc_at_threshold": float(accepted_right[ins].mean()) if ins.any() else None,
        "inscope_coverage": float((~unsure[ins]).mean()) if ins.any() else None,
        "macro_f1": float(f1_score(gold[ins], label[ins], average="macro")) if ins.any() else None,
        "train_seconds": train_s,
        "holdout_accuracy": report.holdout_accuracy,
    }
    if is_oos.any():
        flagged = unsure.sum()
        out["oos_recall"] = float(unsure[is_oos].mean())
        out["oos_precision"] = float(unsure[is_oos].sum() / flagged) if flagged else 0.0
        correct = np.where(is_oos, unsure, accepted_right)
        out["overall_acc"] = float(correct.mean())

    # Single-message latency, one call per message as the product makes them.
    lat = []
    for text in texts[:latency_rows]:
        t = time.perf_counter()
        model.predict(text)
        lat.append((time.perf_counter() - t) * 1000)
    out["latency_p50_ms"] = float(np.percentile(lat, 50))
    out["latency_p95_ms"] = float(np.percentile(lat, 95))
    out["blob_mb"] = len(model.to_bytes()) / 2**20
    out["peak_rss_mb"] = peak_rss_mb()
    return out
