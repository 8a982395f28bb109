"""Intent classifier for the AI triage: a small ensemble over frozen encoders.

Default pipeline (chosen in bench/assistant/RESULTS-draft.md):
- ``linear``: LinearSVC on [TF-IDF words+chars | 2 x MiniLM | static], margins softmaxed;
- ``lr``: logistic regression on MiniLM;
- ``knn``: soft vote of the 10 nearest training messages by mean(MiniLM, TF-IDF) cosine.
The class probabilities of the members are averaged. A message is ``unsure`` (out of
scope / hand to a human) when its out-of-scope score falls under a threshold that training
picks itself: it holds out whole intents as pseudo-unknown in internal folds and takes the
threshold maximising (in-scope accuracy with unsure counted wrong + unknown recall) / 2.
"""

from __future__ import annotations

import io
import logging
import pickle
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp

from .encoders import get_encoder

log = logging.getLogger(__name__)

MAX_CHARS = 5000
MIN_EXAMPLES = 5
DEFAULT_ENCODERS = ("lexical", "minilm", "static")
DEFAULT_MEMBERS = ("linear", "lr", "knn")
FORMAT = 1
# Feature weights in the concatenation: MiniLM carries most of the meaning.
CONCAT_WEIGHTS = {"lexical": 1.0, "minilm": 2.0, "static": 1.0}
SVM_TEMPERATURE = 0.1  # LinearSVC margins live in about [-1, 1]
KNN_K, KNN_TEMPERATURE = 10, 0.1


class TrainingDataError(ValueError):
    """The training data cannot make a model; the message is meant for a person."""


@dataclass
class Prediction:
    label: str
    confidence: float  # the out-of-scope score compared with the threshold (0..1)
    unsure: bool
    top: list[tuple[str, float]]


@dataclass
class TrainingReport:
    n_examples: int
    counts: dict[str, int]
    skipped_labels: dict[str, int]
    warnings: list[str]
    holdout_accuracy: float
    holdout_macro_f1: float
    top_confusions: list[tuple[str, str, int]]  # (true, predicted, count)
    threshold: float
    threshold_curve: list[dict]  # threshold, coverage, accuracy (held-out in-scope), oos_recall
    oos_score: str
    training_seconds: float
    encoder_names: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _clean(texts, labels):
    """Strip, drop empty texts, truncate enormous ones, drop labels with too few rows."""
    warnings = []
    pairs = []
    for t, y in zip(texts, labels, strict=True):
        t = (t or "").strip()
        y = ("" if y is None else str(y)).strip()
        if not t or not y:
            continue
        pairs.append((t[:MAX_CHARS], y))
    if len(pairs) < len(texts):
        empty = len(texts) - len(pairs)
        warnings.append(f"skipped {_count(empty, 'row')} with an empty text or label")
    counts = Counter(y for _, y in pairs)
    small = {y: n for y, n in counts.items() if n < MIN_EXAMPLES}
    if small:
        warnings.append(
            f"skipped {_count(len(small), 'label')} with fewer than {MIN_EXAMPLES} examples: "
            + ", ".join(f"{y} ({n})" for y, n in sorted(small.items()))
        )
        pairs = [(t, y) for t, y in pairs if y not in small]
    kept = Counter(y for _, y in pairs)
    if len(kept) < 2:
        raise TrainingDataError(
            f"Need at least 2 labels with {MIN_EXAMPLES} or more examples each; "
            f"found {len(kept)} ({', '.join(sorted(kept)) or 'none'})."
        )
    return (
        [t for t, _ in pairs],
        np.array([y for _, y in pairs], dtype=object),
        dict(sorted(kept.items())),
        small,
        warnings,
    )


def _stratified(labels, rng, share=0.2):
    """Indices (train, test) with at least one test row per label."""
    by = {}
    for i, y in enumerate(labels):
        by.setdefault(y, []).append(i)
    tr, te = [], []
    for y in sorted(by):
        ids = by[y][:]
        rng.shuffle(ids)
        k = max(1, round(len(ids) * share))
        te += ids[:k]
        tr += ids[k:]
    return np.array(tr), np.array(te)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _Core:
    """One fitted ensemble (encoders' per-workspace state + members). Picklable."""

    def __init__(self, encoder_names, members, seed):
        self.encoder_names = list(encoder_names)
        self.members = list(members)
        self.seed = seed

    # Features ---------------------------------------------------------------------------
    def _encode(self, texts, cache=None):
        """name -> matrix; cache maps pretrained encoder name -> rows for these texts."""
        out = {}
        for name in self.encoder_names:
            if cache is not None and name in cache:
                out[name] = cache[name]
            else:
                out[name] = self.encoders[name].encode(texts)
        return out

    def _concat(self, F):
        blocks = [F[n] * CONCAT_WEIGHTS.get(n, 1.0) for n in self.encoder_names]
        return sp.hstack([sp.csr_matrix(b) for b in blocks], format="csr")

    def _knn_names(self):
        # Semantic + lexical neighbours; the static model adds little on top.
        names = [n for n in ("minilm", "lexical") if n in self.encoder_names]
        return names or self.encoder_names[:1]

    def _dense_name(self):
        for n in ("minilm", "static"):
            if n in self.encoder_names:
                return n
        return self.encoder_names[0]

    # Fit / score ------------------------------------------------------------------------
    def fit(self, texts, labels, cache=None):
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        self.encoders = {n: get_encoder(n) for n in self.encoder_names}
        for enc in self.encoders.values():
            if not getattr(enc, "pretrained", False):
                enc.fit(texts)
        F = self._encode(texts, cache)
        self.classes_, y = np.unique(labels, return_inverse=True)
        self.models = {}
        if "linear" in self.members:
            self.models["linear"] = LinearSVC(C=0.5, random_state=self.seed).fit(self._concat(F), y)
        if "lr" in self.members:
            self.models["lr"] = LogisticRegression(C=10, max_iter=2000).fit(
                F[self._dense_name()], y
            )
        # The neighbour index also gives the 'sim' out-of-scope score, so always keep it.
        # Sparse (TF-IDF) rows are kept column-major: one query touches ~300 columns.
        self.knn_index = {n: F[n].tocsc() if sp.issparse(F[n]) else F[n] for n in self._knn_names()}
        self.knn_labels = y
        return self

    def _similarity(self, F):
        """Mean cosine of each text to every training message over the kNN encoders."""
        total = 0
        for n, index in self.knn_index.items():
            q = F[n]
            if sp.issparse(q):
                q = q.tocsr()
                # Per row: slicing the query's columns is ~20x faster than sparse @ sparse.
                total = total + np.stack(
                    [
                        index[:, q.indices[q.indptr[i] : q.indptr[i + 1]]]
                        @ q.data[q.indptr[i] : q.indptr[i + 1]]
                        for i in range(q.shape[0])
                    ]
                )
            else:
                total = total + q @ index.T
        return np.asarray(total, dtype=np.float32) / len(self.knn_index)

    def scores(self, texts, cache=None, chunk=512):
        """(averaged class probabilities, max neighbour similarity) for each text."""
        if len(texts) > chunk:  # bound memory: similarity rows are n_train wide
            parts = [
                self.scores(
                    texts[i : i + chunk], cache and {n: m[i : i + chunk] for n, m in cache.items()}
                )
                for i in range(0, len(texts), chunk)
            ]
            return np.concatenate([p for p, _ in parts]), np.concatenate([s for _, s in parts])
        F = self._encode(texts, cache)
        n_cls = len(self.classes_)
        probs = []
        if "linear" in self.models:
            d = self.models["linear"].decision_function(self._concat(F))
            if d.ndim == 1:  # binary LinearSVC returns one column
                d = np.stack([-d, d], axis=1)
            probs.append(_softmax(d / SVM_TEMPERATURE))
        if "lr" in self.models:
            probs.append(self.models["lr"].predict_proba(F[self._dense_name()]))
        sim = self._similarity(F)
        k = min(KNN_K, sim.shape[1])
        top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        s = np.take_along_axis(sim, top, axis=1)
        if "knn" in self.members:
            w = np.exp((s - s.max(axis=1, keepdims=True)) / KNN_TEMPERATURE)
            p = np.zeros((len(texts), n_cls))
            np.add.at(
                p, (np.repeat(np.arange(len(texts)), k), self.knn_labels[top].ravel()), w.ravel()
            )
            probs.append(p / p.sum(axis=1, keepdims=True))
        sim = s.max(axis=1)
        proba = sum(probs) / len(probs)
        return proba, sim


def oos_score(proba, sim, kind):
    """Higher = more in scope. 'prob': top class probability; 'sim': cosine to the nearest
    training message; 'mix': their mean (both live in [0, 1])."""
    top = proba.max(axis=1)
    if kind == "prob" or sim is None:
        return top
    if kind == "sim":
        return sim
    return (top + sim) / 2


def _choose_threshold(scores, correct, unknown):
    """Threshold maximising (in-scope accuracy, unsure = wrong) + (unknown recall), halved.

    Both halves are what a help desk cares about: a wrong automatic answer and a stranger's
    question that gets answered anyway cost about the same (a human has to step in).
    """
    grid = np.unique(np.round(scores, 3))
    best, best_t = -1.0, 0.0
    kn, un = ~unknown, unknown
    for t in grid:
        acc = np.mean(correct[kn] & (scores[kn] >= t)) if kn.any() else 0.0
        rec = np.mean(scores[un] < t) if un.any() else 0.0
        v = (acc + rec) / 2
        if v > best:
            best, best_t = v, float(t)
    return best_t


class IntentModel:
    def __init__(self, *, members=DEFAULT_MEMBERS, oos_kind="mix", n_oos_folds=3):
        self.members = tuple(members)
        self.oos_kind = oos_kind
        self.n_oos_folds = n_oos_folds
        self.core: _Core | None = None
        self.threshold = 0.0
        self.report: TrainingReport | None = None

    # Training -------------------------------------------------------------------------
    def train(self, texts, labels, *, encoder_names=DEFAULT_ENCODERS, seed=0) -> TrainingReport:
        from sklearn.metrics import confusion_matrix, f1_score

        t0 = time.perf_counter()
        if len(texts) != len(labels):
            raise TrainingDataError(f"{len(texts)} texts but {len(labels)} labels")
        texts, labels, counts, small, warnings = _clean(list(texts), list(labels))
        for w in warnings:
            log.warning("intent training: %s", w)
        encoder_names = list(encoder_names)
        # Pretrained encoders are deterministic: encode every text once for all the fits.
        cache = {
            n: get_encoder(n).encode(texts)
            for n in encoder_names
            if getattr(get_encoder(n), "pretrained", False)
        }

        def sub(idx):
            return {n: m[idx] for n, m in cache.items()}

        rng = random.Random(seed)
        txt = np.array(texts, dtype=object)

        # 1. Plain held-out split: accuracy, macro-F1, confusions, coverage curve.
        tr, te = _stratified(labels, rng)
        core = _Core(encoder_names, self.members, seed).fit(list(txt[tr]), labels[tr], sub(tr))
        proba, sim = core.scores(list(txt[te]), sub(te))
        pred = core.classes_[proba.argmax(1)]
        correct = pred == labels[te]
        hold_scores = oos_score(proba, sim, self.oos_kind)
        cm_labels = sorted(counts)
        cm = confusion_matrix(labels[te], pred, labels=cm_labels)
        np.fill_diagonal(cm, 0)
        pairs = sorted(
            (
                (int(cm[i, j]), cm_labels[i], cm_labels[j])
                for i, j in zip(*np.nonzero(cm), strict=True)
            ),
            reverse=True,
        )[:10]

        # 2. Pseudo-unknown folds: whole intents held out, to pick the unsure threshold.
        fold_proba, fold_sim, fold_correct, fold_unknown = [], [], [], []
        names = sorted(counts)
        if len(names) >= 4 and self.n_oos_folds:
            rng.shuffle(names)
            per = max(1, round(len(names) * 0.13))
            for f in range(min(self.n_oos_folds, len(names) // per - 1)):
                unknown = set(names[f * per : (f + 1) * per])
                known_idx = np.array([i for i, y in enumerate(labels) if y not in unknown])
                unk_idx = np.array([i for i, y in enumerate(labels) if y in unknown])
                ktr, kte = _stratified(labels[known_idx], rng)
                ktr, kte = known_idx[ktr], known_idx[kte]
                c = _Core(encoder_names, self.members, seed).fit(
                    list(txt[ktr]), labels[ktr], sub(ktr)
                )
                ev = np.concatenate([kte, unk_idx])
                p, s = c.scores(list(txt[ev]), sub(ev))
                fold_proba.append(p.max(axis=1, keepdims=True))  # folds differ in classes
                fold_sim.append(s)
                fold_correct.append(c.classes_[p.argmax(1)] == labels[ev])
                fold_unknown.append(np.r_[np.zeros(len(kte), bool), np.ones(len(unk_idx), bool)])
        if fold_proba:
            fp, fsim, fc, fu = map(
                np.concatenate, (fold_proba, fold_sim, fold_correct, fold_unknown)
            )
            # Kept (not serialised) so benchmarks can compare other threshold rules.
            self._calibration = (fp, fsim, fc, fu)
            fs = oos_score(fp, fsim, self.oos_kind)
            self.threshold = _choose_threshold(fs, fc, fu)
        else:
            fs = fc = fu = None
            self.threshold = 0.0
            warnings.append("fewer than 4 intents: no out-of-scope calibration, never unsure")

        curve = []
        for t in np.round(np.linspace(0, 1, 21), 2):
            acc_mask = hold_scores >= t
            pt = {
                "threshold": float(t),
                "coverage": float(acc_mask.mean()),
                "accuracy": float(correct[acc_mask].mean()) if acc_mask.any() else 1.0,
            }
            if fs is not None:
                pt["oos_recall"] = float(np.mean(fs[fu] < t))
            curve.append(pt)

        # 3. Final model on everything.
        self.core = _Core(encoder_names, self.members, seed).fit(texts, labels, cache)
        self.report = TrainingReport(
            n_examples=len(texts),
            counts=counts,
            skipped_labels=small,
            warnings=warnings,
            holdout_accuracy=float(correct.mean()),
            holdout_macro_f1=float(f1_score(labels[te], pred, average="macro")),
            top_confusions=[(a, b, n) for n, a, b in pairs],
            threshold=self.threshold,
            threshold_curve=curve,
            oos_score=self.oos_kind,
            training_seconds=time.perf_counter() - t0,
            encoder_names=encoder_names,
        )
        return self.report

    # Prediction -----------------------------------------------------------------------
    def predict_many(self, texts, top_k=3) -> list[Prediction]:
        if self.core is None:
            raise RuntimeError("IntentModel is not trained")
        texts = [(t or "").strip()[:MAX_CHARS] for t in texts]
        proba, sim = self.core.scores(texts)
        score = oos_score(proba, sim, self.oos_kind)
        out = []
        for i, p in enumerate(proba):
            order = np.argsort(-p)[:top_k]
            top = [(str(self.core.classes_[j]), float(p[j])) for j in order]
            unsure = bool(score[i] < self.threshold) or not texts[i]
            out.append(Prediction(top[0][0], float(score[i]), unsure, top))
        return out

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    # Serialisation --------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Pickle of our own fitted state (sklearn models, TF-IDF vocabularies, the kNN
        index). Pickle is acceptable only because we store and load our own artefact;
        never call from_bytes on data from elsewhere. Pretrained encoder weights are not in
        the blob: only encoder names, reloaded from the installed packages."""
        if self.core is None:
            raise RuntimeError("IntentModel is not trained")
        encs = {n: e for n, e in self.core.encoders.items() if not getattr(e, "pretrained", 0)}
        state = {
            "format": FORMAT,
            "members": self.members,
            "oos_kind": self.oos_kind,
            "threshold": self.threshold,
            "report": self.report,
            "core": {k: v for k, v in vars(self.core).items() if k != "encoders"},
            "fitted_encoders": encs,
        }
        buf = io.BytesIO()
        pickle.dump(state, buf, protocol=pickle.HIGHEST_PROTOCOL)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> IntentModel:
        state = pickle.loads(blob)  # noqa: S301 - our own stored artefact (see to_bytes)
        if state.get("format") != FORMAT:
            raise ValueError(f"unsupported intent model format {state.get('format')!r}")
        m = cls(members=state["members"], oos_kind=state["oos_kind"])
        m.threshold, m.report = state["threshold"], state["report"]
        core = _Core.__new__(_Core)
        vars(core).update(state["core"])
        core.encoders = {
            n: state["fitted_encoders"].get(n) or get_encoder(n) for n in core.encoder_names
        }
        m.core = core
        return m
