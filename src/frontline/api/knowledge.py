"""The knowledge base over the API: categories, articles (Markdown in, sanitised HTML
out), their versions and translations, and the help center's question search.

Members read everything (drafts and agents-only articles too, as in the workspace);
agents write articles; admins manage categories, as on the web pages. Articles are
never deleted, only unpublished (status "draft"), so links and history stay.
"""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from frontline.accounts.models import Role
from frontline.api.auth import Caller, caller
from frontline.api.common import get_or_404, idempotent, known_params
from frontline.api.crud import ERRORS, crud
from frontline.api.schemas import In, PersonOut
from frontline.knowledge import retrieval, services
from frontline.knowledge.models import Article, ArticleFile, ArticleVersion, Category
from frontline.lib.errors import invalid

router = Router()
TAGS = ["knowledge base"]
MAX_LIMIT = 100


# ---- categories ----------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    position: int


class CategoryIn(In):
    name: str
    description: str = ""
    position: int = 0


class CategoryPatch(In):
    name: str | None = None
    description: str | None = None
    position: int | None = None


def _admins(c: Caller, obj=None) -> None:
    c.require(Role.ADMIN)


def _update_category(c: Caller, category: Category, data: dict) -> Category:
    current = {"name": category.name, "description": category.description,
               "position": category.position}  # fmt: skip
    return services.update_category(category, **(current | data))


crud(
    router,
    "article category",
    "kb/categories",
    queryset=lambda c: Category.objects.filter(workspace=c.workspace).order_by("position", "pk"),
    to_dict=lambda cat: {k: getattr(cat, k) for k in CategoryOut.model_fields},
    schemas=(CategoryOut, CategoryIn, CategoryPatch),
    create=lambda c, data: _update_category(
        c, services.create_category(c.workspace, name=data["name"]), data
    ),
    update=_update_category,
    delete=lambda c, cat: services.delete_category(cat),
    may_change=_admins,
)


# ---- articles ------------------------------------------------------------------------------


class ArticleSummary(Schema):
    id: int
    slug: str
    title: str
    status: str = Field(description="draft or published")
    visibility: str = Field(description="public (help center) or internal (agents only)")
    language: str
    category: int | None
    intent: str = Field(description="The intent it answers, for the virtual agent")
    tags: list[str]
    translation_of: int | None = Field(description="The original, for a translation")
    views: int
    helpful_yes: int
    helpful_no: int
    url: str | None = Field(description="Its help-center address, when customers may read it")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class TranslationRef(Schema):
    id: int
    language: str
    title: str
    out_of_date: bool = Field(description="The original's text changed after this one's")


class FileOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class ArticleOut(ArticleSummary):
    body: str = Field(description="Markdown, as written")
    html: str = Field(description="The body rendered and sanitised, as the help center shows it")
    version: int = Field(description="The number of its latest version")
    translations: list[TranslationRef] = Field(description="Every language it exists in")
    files: list[FileOut]


class ArticleIn(In):
    title: str
    body: str = Field(description="Markdown")
    category: int | None = None
    status: str = "draft"
    visibility: str = "public"
    language: str = "en"
    intent: str = ""
    tags: list[str] = []


class ArticlePatch(In):
    title: str | None = None
    body: str | None = None
    category: int | None = None
    status: str | None = None
    visibility: str | None = None
    language: str | None = None
    intent: str | None = None
    tags: list[str] | None = None
    note: str = Field("", description="Why it changed, kept with the new version")


class ArticlePage(Schema):
    next: str | None
    items: list[ArticleSummary]


class ArticleParams(Schema):
    q: str = Field("", description="Words in the title or text (ranked; one page only)")
    status: str | None = None
    visibility: str | None = None
    language: str | None = None
    category: int | None = None
    limit: int = Field(25, ge=1, le=MAX_LIMIT)
    after: int | None = Field(None, description="The last id of the previous page")


class VersionOut(Schema):
    number: int
    title: str
    body: str
    author: PersonOut | None
    note: str
    created_at: datetime


class TranslationIn(In):
    language: str
    title: str
    body: str


def _url(a: Article) -> str | None:
    if not a.in_help_center:
        return None
    return settings.FRONTLINE_BASE_URL + reverse("hc_article", args=[a.workspace.slug, a.slug])


def _summary(a: Article) -> dict:
    fields = ArticleSummary.model_fields.keys() - {"category", "translation_of", "url"}
    return {k: getattr(a, k) for k in fields} | {
        "category": a.category_id,
        "translation_of": a.translation_of_id,
        "url": _url(a),
    }


def _article(a: Article) -> dict:
    latest = a.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return _summary(a) | {
        "body": a.body,
        "html": services.render(a.body).html,
        "version": latest,
        "translations": [
            {"id": t.pk, "language": t.language, "title": t.title, "out_of_date": t.out_of_date}
            for t in services.family(a)
        ],
        "files": [_file(f) for f, _ in services.files_of(a)],
    }


def _articles(c: Caller):
    return Article.objects.filter(workspace=c.workspace).select_related("workspace")


def _one(c: Caller, pk: int) -> Article:
    return get_or_404(_articles(c), "No such article", pk=pk)


def _fields(c: Caller, data: dict) -> dict:
    """API names to service arguments: the category by id, in this workspace."""
    if data.get("category") is not None:
        found = Category.objects.filter(workspace=c.workspace, pk=data["category"]).first()
        if found is None:
            raise invalid("category", f"there is no category {data['category']} here")
        data["category"] = found
    return data


@router.get("/kb/articles", response={200: ArticlePage, **ERRORS}, tags=TAGS)
def list_articles(request: HttpRequest, params: Query[ArticleParams]):
    """Every article, drafts and agents-only ones too, oldest first a page at a time; with
    `q`, the best matches for those words (one page)."""
    c = caller(request)
    known_params(request, ArticleParams)
    qs = _articles(c)
    for name in ("status", "visibility", "language"):
        if getattr(params, name):
            qs = qs.filter(**{name: getattr(params, name)})
    if params.category is not None:
        qs = qs.filter(category_id=params.category)
    if params.q.strip():
        allowed = set(qs.values_list("pk", flat=True))
        found = services.search(c.workspace, params.q, public=False, limit=MAX_LIMIT)
        rows = [a for a in found if a.pk in allowed][: params.limit]
        return {"next": None, "items": [_summary(a) for a in rows]}
    if params.after:
        qs = qs.filter(pk__gt=params.after)
    rows = list(qs.order_by("pk")[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {"next": str(rows[-1].pk) if more else None, "items": [_summary(a) for a in rows]}


@router.post("/kb/articles", response={201: ArticleOut, **ERRORS}, tags=TAGS)
def create_article(request: HttpRequest, payload: ArticleIn):
    """Send an `Idempotency-Key` header to make retries safe."""
    c = caller(request, Role.AGENT)

    def made():
        data = _fields(c, payload.model_dump())
        article = services.create_article(c.workspace, by=c.user, **data)
        return 201, _article(_one(c, article.pk))

    return Status(*idempotent(request, c, payload.model_dump(), made))


@router.get("/kb/articles/{pk}", response={200: ArticleOut, **ERRORS}, tags=TAGS)
def get_article(request: HttpRequest, pk: int):
    return _article(_one(caller(request), pk))


@router.patch("/kb/articles/{pk}", response={200: ArticleOut, **ERRORS}, tags=TAGS)
def update_article(request: HttpRequest, pk: int, payload: ArticlePatch):
    """A change of title or text is a new version (with `note`); set `status` to
    "draft" to take an article out of the help center."""
    c = caller(request, Role.AGENT)
    article = _one(c, pk)
    data = _fields(c, payload.model_dump(exclude_unset=True))
    note = data.pop("note", "")
    services.update_article(article, by=c.user, note=note, **data)
    return _article(_one(c, pk))


@router.get("/kb/articles/{pk}/versions", response={200: list[VersionOut], **ERRORS}, tags=TAGS)
def list_versions(request: HttpRequest, pk: int):
    """Every saved version, newest first."""
    article = _one(caller(request), pk)
    return [_version(v) for v in article.versions.select_related("author").order_by("-number")]


def _version(v: ArticleVersion) -> dict:
    author = v.author
    return {
        "number": v.number, "title": v.title, "body": v.body, "note": v.note,
        "created_at": v.created_at,
        "author": {"id": author.pk, "name": author.name, "email": author.email} if author
        else None,
    }  # fmt: skip


@router.post(
    "/kb/articles/{pk}/versions/{number}/restore",
    response={200: ArticleOut, **ERRORS},
    tags=TAGS,
)
def restore_version(request: HttpRequest, pk: int, number: int):
    """Bring back an earlier text as a new version (nothing is lost)."""
    c = caller(request, Role.AGENT)
    version = get_or_404(_one(c, pk).versions, "No such version", number=number)
    services.restore(version, by=c.user)
    return _article(_one(c, pk))


@router.post("/kb/articles/{pk}/translations", response={201: ArticleOut, **ERRORS}, tags=TAGS)
def translate_article(request: HttpRequest, pk: int, payload: TranslationIn):
    """The article in another language (one per language; published when the original
    is). Returns the translation."""
    c = caller(request, Role.AGENT)
    original = _one(c, pk)
    made = services.translate(original, by=c.user, **payload.model_dump())
    return Status(201, _article(_one(c, made.pk)))


class FileAdded(FileOut):
    markdown: str = Field(description="What to put in the body to show or link the file")


@router.post("/kb/articles/{pk}/files", response={201: FileAdded, **ERRORS}, tags=TAGS)
def add_file(request: HttpRequest, pk: int, file: File[UploadedFile]):
    """Attach a file or image (multipart field `file`; same limits and refusals as ticket
    attachments). Readers get it where they may read the article."""
    c = caller(request, Role.AGENT)
    found = services.add_file(_one(c, pk), file, by=c.user)
    return Status(201, _file(found) | {"markdown": services.markdown_for(found)})


@router.delete("/kb/articles/{pk}/files/{file_id}", response={204: None, **ERRORS}, tags=TAGS)
def remove_file(request: HttpRequest, pk: int, file_id: int):
    c = caller(request, Role.AGENT)
    found = get_or_404(
        ArticleFile.objects.filter(article=_one(c, pk)).select_related("article__workspace"),
        "No such file",
        pk=file_id,
    )
    services.remove_file(found, by=c.user)
    return Status(204, None)


def _file(f: ArticleFile) -> dict:
    a = f.attachment
    return {"id": f.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
            "url": settings.FRONTLINE_BASE_URL + services.file_url(f)}  # fmt: skip


# ---- search --------------------------------------------------------------------------------


class SearchParams(Schema):
    q: str = Field(description="A question or words, as a customer would type them")
    public: bool = Field(True, description="Only what the help center shows (else every article)")
    language: str | None = Field(None, description="The help center's language, if any")
    limit: int = Field(5, ge=1, le=20)


class SearchHit(Schema):
    article: ArticleSummary
    heading: str = Field(description="The section of the article that answers best")
    passage: str
    similarity: float | None = Field(description="How close in meaning, 0–1 (none: words only)")
    score: float


@router.get("/kb/search", response={200: list[SearchHit], **ERRORS}, tags=TAGS)
def search_articles(request: HttpRequest, params: Query[SearchParams]):
    """The help center's search, which understands questions: words and meaning fused,
    each article with its best passage."""
    c = caller(request)
    known_params(request, SearchParams)
    if not params.q.strip():
        raise invalid("q", "must not be empty")
    hits = retrieval.search(
        c.workspace, params.q, public=params.public, limit=params.limit, language=params.language
    )
    return [
        {"article": _summary(h.article), "heading": h.heading, "passage": h.passage,
         "similarity": h.similarity, "score": h.score}
        for h in hits
    ]  # fmt: skip
