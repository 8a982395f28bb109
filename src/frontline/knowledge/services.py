"""Knowledge base services: write articles (each save a new version), publish, restore
an earlier version, render Markdown to sanitised HTML with a table of contents, search
the help center, and count readers' "was this helpful?" answers."""

import difflib
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.text import slugify
from markdown_it import MarkdownIt

from frontline.accounts.models import User, Workspace
from frontline.knowledge.models import (
    Article,
    ArticleFile,
    ArticleVersion,
    Category,
    HelpfulVote,
)
from frontline.lib import clock
from frontline.lib.errors import ServiceError, invalid
from frontline.lib.html import sanitize_html
from frontline.tickets.events import Actor, event, record

MAX_BODY = 100_000
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


# ---- rendering -----------------------------------------------------------------------


@dataclass
class Rendered:
    html: str
    toc: list[tuple[int, str, str]]  # (level, anchor, text)


def render(body: str) -> Rendered:
    """Markdown to HTML (raw HTML in the source is not passed through), sanitised, with
    ids on h2/h3 for the table of contents."""
    html = sanitize_html(_markdown.render(body or ""))
    toc: list[tuple[int, str, str]] = []
    used: set[str] = set()

    def anchor(match: re.Match) -> str:
        level, text = int(match.group(1)), match.group(2)
        plain = re.sub(r"<[^>]+>", "", text)
        base = slugify(plain) or "section"
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        toc.append((level, name, plain))
        return f'<h{level} id="{name}">{text}</h{level}>'

    html = re.sub(r"<h([23])>(.*?)</h\1>", anchor, html, flags=re.DOTALL)
    return Rendered(html, toc)


# ---- writing -------------------------------------------------------------------------


def _clean(workspace: Workspace, data: dict) -> dict:
    if "title" in data:
        data["title"] = (data["title"] or "").strip()
        if not data["title"] or len(data["title"]) > 200:
            raise invalid("title", "is required (at most 200 characters)")
    if "body" in data:
        data["body"] = (data["body"] or "").strip()
        if not data["body"]:
            raise invalid("body", "is required")
        if len(data["body"]) > MAX_BODY:
            raise invalid("body", f"must be at most {MAX_BODY} characters")
    if "status" in data and data["status"] not in Article.Status.values:
        raise invalid("status", "must be draft or published")
    if "visibility" in data and data["visibility"] not in Article.Visibility.values:
        raise invalid("visibility", "must be public or internal")
    if "language" in data and data["language"] not in LANGUAGES:
        raise invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    if "intent" in data:
        data["intent"] = (data["intent"] or "").strip()
        if len(data["intent"]) > 100:
            raise invalid("intent", "must be at most 100 characters")
    if "tags" in data:
        data["tags"] = clean_tags(data["tags"])
    category = data.get("category")
    if category is not None and category.workspace_id != workspace.pk:
        raise invalid("category", "is not in this workspace")
    return data


def clean_tags(value) -> list[str]:
    """Tags from a list or a comma-separated text: lower-case, single words joined by
    hyphens, each once, at most MAX_TAGS."""
    raw = value.split(",") if isinstance(value, str) else list(value or [])
    tags = list(dict.fromkeys(slugify(str(t)) for t in raw if slugify(str(t))))
    if len(tags) > MAX_TAGS:
        raise invalid("tags", f"at most {MAX_TAGS} tags")
    if any(len(t) > 40 for t in tags):
        raise invalid("tags", "a tag can have at most 40 characters")
    return tags


def _unique_slug(workspace: Workspace, title: str, exclude: int | None = None) -> str:
    base = slugify(title)[:180] or "article"
    slug, n = base, 2
    taken = Article.objects.filter(workspace=workspace).exclude(pk=exclude)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _version(article: Article, by: User | None, note: str = "") -> ArticleVersion:
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ArticleVersion.objects.create(
        article=article, number=last + 1, title=article.title, body=article.body, author=by,
        note=note,
    )  # fmt: skip


ARTICLE_FIELDS = {
    "title", "body", "category", "status", "visibility", "language", "intent", "tags",
}  # fmt: skip
MAX_TAGS = 10
MAX_FILES = 20


def _only_article_fields(data: dict) -> None:
    unknown = set(data) - ARTICLE_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], "is not an article field")


def create_article(workspace: Workspace, *, by: User, **fields) -> Article:
    _only_article_fields(fields)
    data = _clean(workspace, {"title": "", "body": "", **fields})
    now = clock.now()
    with transaction.atomic():
        article = Article.objects.create(
            workspace=workspace, slug=_unique_slug(workspace, data["title"]), created_at=now,
            updated_at=now,
            published_at=now if data.get("status") == Article.Status.PUBLISHED else None,
            **data,
        )  # fmt: skip
        _version(article, by, "created")
        record([event(workspace.pk, Actor.of(by), "article.created", after={"id": article.pk})])
        _reindex(article)
    return article


def _reindex(article: Article) -> None:
    from frontline.knowledge.tasks import index_article

    transaction.on_commit(lambda: index_article.enqueue(article.pk))


def update_article(article: Article, *, by: User, note: str = "", **changes) -> Article:
    """Save changes; a change of title or text is a new version."""
    _only_article_fields(changes)
    data = _clean(article.workspace, changes)
    text_changed = any(k in data and data[k] != getattr(article, k) for k in ("title", "body"))
    for key, value in data.items():
        setattr(article, key, value)
    if data.get("status") == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = clock.now()
    article.updated_at = clock.now()
    with transaction.atomic():
        article.save()
        if text_changed:
            _version(article, by, note)
            _reindex(article)
        record(
            [
                event(
                    article.workspace_id,
                    Actor.of(by),
                    "article.updated",
                    after={"id": article.pk, "fields": sorted(data)},
                )  # fmt: skip
            ]
        )
    return article


def restore(version: ArticleVersion, *, by: User) -> Article:
    """Bring back an earlier text, as a new version (nothing is lost)."""
    return update_article(
        version.article, by=by, note=f"restored version {version.number}",
        title=version.title, body=version.body,
    )  # fmt: skip


def diff(older: ArticleVersion, newer: ArticleVersion) -> list[tuple[str, str]]:
    """Line by line: ("+"|"-"|" ", line)."""
    lines = difflib.ndiff(
        f"# {older.title}\n{older.body}".splitlines(), f"# {newer.title}\n{newer.body}".splitlines()
    )
    return [(line[0], line[2:]) for line in lines if line[:1] in "+- "]


LANGUAGES = {
    "en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano",
    "nl": "Nederlands", "pt": "Português", "pl": "Polski", "sv": "Svenska", "tr": "Türkçe",
}  # fmt: skip


def translate(original: Article, *, by: User, language: str, title: str, body: str) -> Article:
    """A translation of an article (published when the original is); each language once."""
    original = original.translation_of or original
    if language not in LANGUAGES:
        raise invalid("language", f"must be one of {', '.join(LANGUAGES)}")
    if language == original.language or original.translations.filter(language=language).exists():
        raise ServiceError(
            "This article exists in that language already", code="duplicate", status=409
        )
    article = create_article(
        original.workspace, by=by, title=title, body=body, category=original.category,
        status=original.status, visibility=original.visibility, language=language,
        tags=list(original.tags),
    )  # fmt: skip
    Article.objects.filter(pk=article.pk).update(translation_of=original)
    article.translation_of = original
    return article


def family(article: Article) -> list[Article]:
    """The article in every language it exists in (the original first). Each translation
    says whether it is `out_of_date`: the original's text changed after its own did."""
    from django.db.models import Max

    original = article.translation_of or article
    members = [original, *original.translations.order_by("language")]
    last_text = dict(
        ArticleVersion.objects.filter(article__in=members)
        .values_list("article_id")
        .annotate(at=Max("created_at"))
    )
    for member in members:
        member.out_of_date = member is not original and (
            last_text.get(member.pk) is not None
            and last_text.get(original.pk) is not None
            and last_text[member.pk] < last_text[original.pk]
        )
    return members


def create_category(workspace: Workspace, *, name: str, description: str = "") -> Category:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise invalid("name", "is required (at most 120 characters)")
    try:
        return Category.objects.create(
            workspace=workspace, name=name, slug=slugify(name)[:120] or "category",
            description=(description or "").strip()[:300],
        )  # fmt: skip
    except IntegrityError:
        raise ServiceError(
            "There is already a category with this name", code="duplicate", status=409
        ) from None


def update_category(category: Category, *, name: str, description: str = "", position=0):
    """Rename, describe or reorder a category (its slug follows the name)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise invalid("name", "is required (at most 120 characters)")
    try:
        position = int(position or 0)
    except (TypeError, ValueError):
        raise invalid("position", "must be a whole number") from None
    if not 0 <= position <= 10_000:
        raise invalid("position", "must be from 0 to 10000")
    category.name, category.slug = name, slugify(name)[:120] or "category"
    category.description, category.position = (description or "").strip()[:300], position
    try:
        with transaction.atomic():
            category.save(update_fields=["name", "slug", "description", "position"])
    except IntegrityError:
        raise ServiceError(
            "There is already a category with this name", code="duplicate", status=409
        ) from None
    return category


def delete_category(category: Category) -> int:
    """Remove a category; its articles stay, without a category. Returns how many."""
    with transaction.atomic():
        kept = Article.objects.filter(category=category).update(category=None)
        category.delete()
    return kept


# ---- the help center -----------------------------------------------------------------


# What anyone may read: published and public (as `Article.in_help_center` says of one).
IN_HELP_CENTER = Q(status=Article.Status.PUBLISHED, visibility=Article.Visibility.PUBLIC)


def public_articles(workspace: Workspace, language: str | None = None):
    """Published public articles; with a language, each article once: in that language
    when translated, else in its original."""
    found = Article.objects.filter(IN_HELP_CENTER, workspace=workspace).select_related("category")
    if language is None:
        return found
    translated = found.filter(language=language, translation_of__isnull=False)
    covered = translated.values_list("translation_of", flat=True)
    return found.filter(translation_of__isnull=True).exclude(pk__in=covered) | translated


def search(
    workspace: Workspace,
    query: str,
    *,
    public: bool = True,
    limit: int = 20,
    language: str | None = None,
) -> list[Article]:
    """Articles with every word of the query (each as a word or the start of one: `card`
    finds "cards"), ranked by relevance with titles weighing more: the full-text half of
    the help center's search (FTS5 on SQLite, tsvector on PostgreSQL). With a `language`,
    public articles as `public_articles` shows them in it."""
    words = [w for w in re.findall(r"\w+", (query or "").lower()) if len(w) > 1][:8]
    if not words:
        return []
    ids = _full_text_ids(workspace.pk, words)
    found = (
        public_articles(workspace, language)
        if public
        else Article.objects.filter(workspace=workspace)
    )
    by_id = {a.pk: a for a in found.filter(pk__in=ids).select_related("category")}
    return [by_id[pk] for pk in ids if pk in by_id][:limit]


def _full_text_ids(workspace_id: int, words: list[str]) -> list[int]:
    # Words are \w+ only, and each is quoted: nothing the visitor types is an operator.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            expression = " & ".join(f"'{w}':*" for w in words)
            cursor.execute(
                "SELECT id FROM knowledge_article WHERE workspace_id = %s AND "
                "search_vector @@ to_tsquery('simple', %s) "
                "ORDER BY ts_rank(search_vector, to_tsquery('simple', %s)) DESC, id LIMIT 200",
                [workspace_id, expression, expression],
            )
        else:
            expression = " AND ".join(f'"{w}"*' for w in words)
            cursor.execute(
                "SELECT a.id FROM knowledge_article_fts f JOIN knowledge_article a "
                "ON a.id = f.rowid WHERE knowledge_article_fts MATCH %s AND a.workspace_id = %s "
                "ORDER BY bm25(knowledge_article_fts, 4.0, 1.0), a.id LIMIT 200",
                [expression, workspace_id],
            )
        return [row[0] for row in cursor.fetchall()]


def count_view(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def vote(article: Article, *, helpful: bool, comment: str = "") -> HelpfulVote:
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise invalid("comment", "must be at most 2000 characters")
    with transaction.atomic():
        field = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
        return HelpfulVote.objects.create(article=article, helpful=helpful, comment=comment)


# ---- files -------------------------------------------------------------------------------


def add_file(article: Article, upload, *, by: User) -> ArticleFile:
    """Attach a file (same limits and refusals as ticket attachments)."""
    from frontline.tickets.services import store_attachment

    if article.files.count() >= MAX_FILES:
        raise invalid("file", f"An article can have at most {MAX_FILES} files")
    with transaction.atomic():
        stored = store_attachment(article.workspace, upload, by=by)
        found = ArticleFile.objects.create(article=article, attachment=stored)
        record([event(article.workspace_id, Actor.of(by), "article.file_added",
                      after={"id": article.pk, "file": stored.filename})])  # fmt: skip
    return found


def remove_file(found: ArticleFile, *, by: User) -> None:
    with transaction.atomic():
        after = {"id": found.article_id, "file": found.attachment.filename}
        record([event(found.article.workspace_id, Actor.of(by), "article.file_removed",
                      after=after)])  # fmt: skip
        found.delete()


def files_of(article: Article) -> list[tuple[ArticleFile, str]]:
    """The article's files with the address each is served at."""
    found = article.files.select_related("attachment", "article__workspace")
    return [(f, file_url(f)) for f in found]


def file_url(found: ArticleFile) -> str:
    from django.urls import reverse

    article = found.article
    return reverse("hc_file", args=[article.workspace.slug, found.pk, found.attachment.filename])


def markdown_for(found: ArticleFile) -> str:
    """What to paste into the text: an image shown in place, or a link to the file."""
    from frontline.tickets.services.attachments import INLINE_TYPES

    name = found.attachment.filename.replace("]", "").replace("[", "")
    url = file_url(found).replace(" ", "%20")
    return (
        f"![{name}]({url})" if found.attachment.content_type in INLINE_TYPES else f"[{name}]({url})"
    )
