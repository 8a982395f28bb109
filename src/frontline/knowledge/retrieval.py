"""Hybrid search over the knowledge base: keywords and meaning, fused.

Articles are split into passages at their headings; each passage gets a MiniLM sentence
embedding (the assistant's encoder, ONNX on the CPU) when the article is saved (task
worker). A query is matched two ways: every word in the title or text (keyword), and the
cosine similarity of its embedding to the passages (semantic); the two rankings are
fused by reciprocal rank fusion (k = 60), so an article found both ways comes first and
a question in other words than the article's still finds it. Without the encoder (model
package missing) the keyword ranking is used alone.
"""

import logging
import re
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from frontline.accounts.models import Workspace
from frontline.knowledge.models import Article, Passage
from frontline.knowledge.plain import to_plain

log = logging.getLogger(__name__)
RRF_K = 60
MIN_SIMILARITY = 0.3  # below this a passage is not about the question at all
MAX_PASSAGE = 1500


@dataclass
class Hit:
    article: Article
    passage: str  # the best passage as plain text (for a snippet or an answer)
    heading: str
    similarity: float | None
    score: float


def split(article: Article) -> list[tuple[str, str]]:
    """(heading, text) per section; the title leads the first one."""
    sections: list[tuple[str, list[str]]] = [(article.title, [])]
    for line in article.body.splitlines():
        found = re.match(r"#{1,3}\s+(.*)", line)
        if found:
            sections.append((found.group(1).strip(), []))
        else:
            sections[-1][1].append(line)
    out = []
    for heading, lines in sections:
        text = "\n".join(lines).strip()
        if text:
            out.append((heading[:200], text[:MAX_PASSAGE]))
    return out


_encoder_checked: list = []  # [encoder or None], filled on first use in this process


def _encoder():
    """The MiniLM encoder, or None without its model package. Loaded and tried once per
    process (not on every search)."""
    if not _encoder_checked:
        from frontline.assistant.ml.encoders import ModelFilesMissing, get_encoder

        try:
            encoder = get_encoder("minilm")
            encoder.encode(["warm up"])  # loads the model: fails here if it is missing
        except (ModelFilesMissing, ImportError) as exc:  # keyword search still works
            log.warning("knowledge search without meaning: %s", exc)
            encoder = None
        _encoder_checked.append(encoder)
    return _encoder_checked[0]


def index(article: Article) -> int:
    """(Re)build the article's passages and their embeddings; returns how many."""
    encoder = _encoder()
    parts = split(article)
    vectors = (
        encoder.encode([f"{h}. {t}" for h, t in parts])
        if encoder and parts
        else np.zeros((len(parts), 0), dtype=np.float32)
    )
    with transaction.atomic():
        Passage.objects.filter(article=article).delete()
        Passage.objects.bulk_create(
            Passage(
                workspace_id=article.workspace_id,
                article=article,
                position=n,
                heading=h,
                text=t,
                vector=vectors[n].astype(np.float32).tobytes(),
            )  # fmt: skip
            for n, (h, t) in enumerate(parts)
        )
    return len(parts)


def search(
    workspace: Workspace,
    query: str,
    *,
    public: bool = True,
    limit: int = 10,
    language: str | None = None,
) -> list[Hit]:
    """With a `language` (the help center's), each public article is searched once: in
    that language where it is translated, else in its original."""
    from frontline.knowledge import services

    query = (query or "").strip()[:300]
    if not query:
        return []
    allowed = (
        services.public_articles(workspace, language)
        if public
        else Article.objects.filter(workspace=workspace)
    )
    keyword = services.search(workspace, query, public=public, limit=50, language=language)
    ranks: dict[int, float] = {}
    best: dict[int, tuple[str, str, float | None]] = {}
    for rank, article in enumerate(keyword):
        ranks[article.pk] = 1 / (RRF_K + rank + 1)
    encoder = _encoder()
    if encoder is not None:
        rows = list(
            Passage.objects.filter(article__in=allowed).values_list(
                "article_id", "heading", "text", "vector"
            )
        )
        rows = [r for r in rows if len(r[3]) == 4 * encoder.dim]
        if rows:
            matrix = np.frombuffer(b"".join(bytes(r[3]) for r in rows), dtype=np.float32)
            sims = matrix.reshape(len(rows), encoder.dim) @ encoder.encode([query])[0]
            seen: list[int] = []
            for i in np.argsort(-sims):
                if sims[i] < MIN_SIMILARITY:
                    break
                pk = rows[i][0]
                if pk in seen:
                    continue
                seen.append(pk)
                ranks[pk] = ranks.get(pk, 0) + 1 / (RRF_K + len(seen))
                best[pk] = (rows[i][1], rows[i][2], float(sims[i]))
    articles = {a.pk: a for a in allowed.filter(pk__in=ranks)}
    hits = []
    for pk, score in sorted(ranks.items(), key=lambda kv: -kv[1]):
        if pk not in articles:
            continue
        heading, text, sim = best.get(pk, ("", articles[pk].body[:MAX_PASSAGE], None))
        hits.append(Hit(articles[pk], to_plain(text), heading, sim, score))
    return hits[:limit]


def best_passage(article: Article, query: str) -> Hit:
    """The article's passage closest to the query (the first one without the encoder)."""
    rows = list(
        Passage.objects.filter(article=article)
        .order_by("position")
        .values_list("heading", "text", "vector")
    )
    if not rows:
        return Hit(article, to_plain(article.body[:MAX_PASSAGE]), article.title, None, 0.0)
    encoder = _encoder()
    usable = [r for r in rows if encoder is not None and len(r[2]) == 4 * encoder.dim]
    if not usable:
        return Hit(article, to_plain(rows[0][1]), rows[0][0], None, 0.0)
    matrix = np.frombuffer(b"".join(bytes(r[2]) for r in usable), dtype=np.float32)
    sims = matrix.reshape(len(usable), encoder.dim) @ encoder.encode([query])[0]
    i = int(np.argmax(sims))
    return Hit(article, to_plain(usable[i][1]), usable[i][0], float(sims[i]), 0.0)


RELATED_AT = 0.4  # two articles this alike (their closest passages) are related


def related(article: Article, candidates, limit: int = 3) -> list[Article]:
    """Other articles among `candidates` most alike this one: the closest pair of
    passages decides, and it must reach RELATED_AT."""
    encoder = _encoder()
    if encoder is None:
        return []
    size = 4 * encoder.dim

    def matrix(rows):
        rows = [r for r in rows if len(r[1]) == size]
        if not rows:
            return [], np.zeros((0, encoder.dim), dtype=np.float32)
        blob = b"".join(bytes(r[1]) for r in rows)
        return [r[0] for r in rows], np.frombuffer(blob, dtype=np.float32).reshape(len(rows), -1)

    _, mine = matrix(Passage.objects.filter(article=article).values_list("article_id", "vector"))
    owners, others = matrix(
        Passage.objects.filter(article__in=candidates)
        .exclude(article=article)
        .values_list("article_id", "vector")
    )
    if not len(mine) or not owners:
        return []
    best: dict[int, float] = {}
    for owner, sim in zip(owners, (others @ mine.T).max(axis=1), strict=True):
        best[owner] = max(best.get(owner, -1.0), float(sim))
    chosen = sorted((pk for pk, sim in best.items() if sim >= RELATED_AT), key=lambda pk: -best[pk])
    found = {a.pk: a for a in candidates.filter(pk__in=chosen[:limit])}
    return [found[pk] for pk in chosen[:limit] if pk in found]


WEAK = 0.45  # a best passage below this similarity is a weak answer


def log_search(workspace: Workspace, query: str, hits: list[Hit]) -> None:
    from frontline.knowledge.models import SearchLog

    sims = [h.similarity for h in hits if h.similarity is not None]
    SearchLog.objects.create(
        workspace=workspace, query=query[:200], results=len(hits),
        best_similarity=max(sims) if sims else None,
    )  # fmt: skip


def content_gaps(workspace: Workspace, since) -> list[tuple[str, int, float | None]]:
    """Searches with no result or only weak ones, most asked first: (query, times, best)."""
    from frontline.knowledge.models import SearchLog

    gaps: dict[str, list] = {}
    for query, results, best in SearchLog.objects.filter(
        workspace=workspace, created_at__gte=since
    ).values_list("query", "results", "best_similarity"):
        if results == 0 or best is None or best < WEAK:
            key = " ".join(query.lower().split())
            entry = gaps.setdefault(key, [0, None])
            entry[0] += 1
            if best is not None:
                entry[1] = max(entry[1] or 0, best)
    return sorted(((q, n, b) for q, (n, b) in gaps.items()), key=lambda g: (-g[1], g[0]))[:50]
