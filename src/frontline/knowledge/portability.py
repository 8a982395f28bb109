"""The knowledge base in a workspace export: categories, then articles with their
versions, votes and files (translations after their originals).

Articles keep their slugs, so help-center links stay valid. Their text refers to its
files by address (`/support/<workspace>/articles/files/<id>/<name>`); the ids (and the
slug, when imported under another one) change, so the import rewrites those addresses
in every article and version. Passages and their embeddings are not exported: the
import queues the same indexing a save does.
"""

import re
from collections.abc import Iterator

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from frontline.accounts.models import Workspace
from frontline.knowledge.models import Article, ArticleFile, ArticleVersion, Category, HelpfulVote
from frontline.tickets.portability import Importer, Section, attachment_line, parse_time


def export(ws: Workspace) -> Iterator[dict]:
    for c in Category.objects.filter(workspace=ws).order_by("position", "pk"):
        yield {
            "type": "kb_category",
            "data": {k: getattr(c, k) for k in ("slug", "name", "description", "position")},
        }
    articles = (
        Article.objects.filter(workspace=ws)
        .select_related("category")
        .prefetch_related("versions__author", "votes", "files__attachment")
        # Originals first: a translation refers to one.
        .order_by(F("translation_of").asc(nulls_first=True), "pk")
    )
    for a in articles.iterator(chunk_size=100):
        yield {"type": "kb_article", "data": _article(a)}


def _article(a: Article) -> dict:
    return {
        "id": a.pk,
        "slug": a.slug,
        "title": a.title,
        "body": a.body,
        "category": a.category.slug if a.category else None,
        "status": a.status,
        "visibility": a.visibility,
        "language": a.language,
        "intent": a.intent,
        "tags": a.tags,
        "translation_of": a.translation_of_id,
        "views": a.views,
        "helpful_yes": a.helpful_yes,
        "helpful_no": a.helpful_no,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "published_at": a.published_at,
        "versions": [
            {
                "number": v.number,
                "title": v.title,
                "body": v.body,
                "author": v.author.email if v.author else None,
                "note": v.note,
                "created_at": v.created_at,
            }
            for v in a.versions.all()
        ],
        "votes": [
            {"helpful": v.helpful, "comment": v.comment, "created_at": v.created_at}
            for v in a.votes.all()
        ],
        "files": [
            {"id": f.pk, "created_at": f.created_at, **attachment_line(f.attachment)}
            for f in a.files.all()
        ],
    }


# ---- import ------------------------------------------------------------------------------


def _state(imp: Importer) -> dict:
    return imp.extra.setdefault(
        "knowledge", {"categories": {}, "articles": {}, "files": {}, "imported": []}
    )


def read_category(imp: Importer, d: dict) -> None:
    c = Category.objects.create(
        workspace=imp.workspace,
        slug=d["slug"],
        name=d["name"],
        description=d.get("description", ""),
        position=d.get("position", 0),
    )
    _state(imp)["categories"][c.slug] = c


def read_article(imp: Importer, d: dict) -> None:
    state = _state(imp)
    category = None
    if d.get("category"):
        category = state["categories"].get(d["category"])
        if category is None:
            raise ValueError(f"article {d['slug']!r}: unknown category {d['category']!r}")
    original = None
    if d.get("translation_of") is not None:
        original = state["articles"].get(d["translation_of"])
        if original is None:
            raise ValueError(f"article {d['slug']!r} translates an article not imported before it")
    article = Article.objects.create(
        workspace=imp.workspace,
        slug=d["slug"],
        title=d["title"],
        body=d["body"],
        category=category,
        status=d.get("status", Article.Status.DRAFT),
        visibility=d.get("visibility", Article.Visibility.PUBLIC),
        language=d.get("language", "en"),
        intent=d.get("intent", ""),
        tags=d.get("tags") or [],
        translation_of=original,
        views=d.get("views", 0),
        helpful_yes=d.get("helpful_yes", 0),
        helpful_no=d.get("helpful_no", 0),
        created_at=parse_time(d["created_at"]),
        updated_at=parse_time(d["updated_at"]),
        published_at=parse_time(d.get("published_at")),
    )
    ArticleVersion.objects.bulk_create(
        ArticleVersion(
            article=article,
            number=v["number"],
            title=v["title"],
            body=v["body"],
            author=imp.user(v.get("author")),
            note=v.get("note", ""),
            created_at=parse_time(v["created_at"]),
        )
        for v in d.get("versions", [])
    )
    HelpfulVote.objects.bulk_create(
        HelpfulVote(
            article=article,
            helpful=v["helpful"],
            comment=v.get("comment", ""),
            created_at=parse_time(v["created_at"]),
        )
        for v in d.get("votes", [])
    )
    for f in d.get("files", []):
        stored = ArticleFile.objects.create(
            article=article, attachment=imp.store_file(f), created_at=parse_time(f["created_at"])
        )
        state["files"][f["id"]] = stored
    state["articles"][d["id"]] = article
    state["imported"].append(article)


def finish(imp: Importer) -> None:
    from frontline.knowledge.tasks import index_article

    state = _state(imp)
    if state["files"]:
        _rewrite_file_addresses(imp, state["files"])
    for article in state["imported"]:
        transaction.on_commit(lambda pk=article.pk: index_article.enqueue(pk))


def _rewrite_file_addresses(imp: Importer, files: dict[int, ArticleFile]) -> None:
    """Point `/support/<old slug>/articles/files/<old id>/…` at the imported files."""
    from frontline.knowledge.services import file_url

    # The address of file 0 under the exported slug, cut before the id.
    prefix = reverse("hc_file", args=[imp.source_slug, 0, "x"]).rsplit("/0/", 1)[0] + "/"
    pattern = re.compile(re.escape(prefix) + r"(\d+)/[^\s)\"'<>]*")

    def new_address(m: re.Match) -> str:
        found = files.get(int(m.group(1)))
        return file_url(found).replace(" ", "%20") if found else m.group(0)

    for article in _state(imp)["imported"]:
        body = pattern.sub(new_address, article.body)
        if body != article.body:
            Article.objects.filter(pk=article.pk).update(body=body)
        for v in article.versions.all():
            text = pattern.sub(new_address, v.body)
            if text != v.body:
                ArticleVersion.objects.filter(pk=v.pk).update(body=text)


SECTION = Section(
    name="knowledge",
    position=10,
    export=export,
    readers={"kb_category": read_category, "kb_article": read_article},
    finish=finish,
)
