"""Knowledge base pages: agents write and publish articles (every save a version, any
version restorable); customers read the published public ones in the help center, search
them and say whether they helped."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role, Workspace
from frontline.assistant import bot_report, virtual_agent
from frontline.assistant.services import known_intents
from frontline.knowledge import retrieval, services
from frontline.knowledge.models import Article, ArticleVersion, Category
from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.portal.views import _base

# ---- agents --------------------------------------------------------------------------


# Articles per page of the agents' list (a search shows its best SEARCH_LIMIT, paged too).
PAGE_SIZE = 50
SEARCH_LIMIT = 100
# The list's state filter, as a query.
_STATES = {
    "draft": Q(status=Article.Status.DRAFT),
    "published": services.IN_HELP_CENTER,
    "internal": Q(visibility=Article.Visibility.INTERNAL),
}


@login_required
def kb_list(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    q = request.GET.get("q", "")
    category, state = request.GET.get("category", ""), request.GET.get("state", "")
    chosen = Article.objects.filter(workspace=workspace)
    if category == "none":
        chosen = chosen.filter(category__isnull=True)
    elif category:
        chosen = chosen.filter(category__slug=category)
    if state in _STATES:
        chosen = chosen.filter(_STATES[state])
    if q:  # ranked by the search, narrowed by the filters
        found = services.search(workspace, q, public=False, limit=SEARCH_LIMIT)
        kept = set(chosen.filter(pk__in=[a.pk for a in found]).values_list("pk", flat=True))
        articles = [a for a in found if a.pk in kept]
    else:
        articles = chosen.select_related("category")
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in (("q", q), ("category", category), ("state", state)) if v}
    return render(
        request,
        "knowledge/list.html",
        {
            "workspace": workspace,
            "membership": membership,
            "articles": page.object_list,
            "page": page,
            "page_query": urlencode(filters),
            "q": q,
            "category": category,
            "state": state,
            "states": [("published", "In the help center"), ("draft", "Drafts"),
                       ("internal", "Agents only")],  # fmt: skip
            "categories": list(Category.objects.filter(workspace=workspace)),
            "can_write": membership.has_role(Role.AGENT),
        },
    )


@login_required
def kb_read(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An article as the team reads it, internal ones too (viewers included)."""
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    article = get_object_or_404(
        Article.objects.select_related("category"), workspace=workspace, pk=pk
    )
    return render(
        request,
        "knowledge/read.html",
        {
            "workspace": workspace,
            "membership": membership,
            "article": article,
            "rendered": services.render(article.body),
            "files": services.files_of(article),
            "can_write": membership.has_role(Role.AGENT),
        },
    )


def _form(request) -> dict:
    post = request.POST
    category = post.get("category", "")
    return {
        "title": post.get("title", ""),
        "body": post.get("body", ""),
        "status": post.get("status", "draft"),
        "visibility": post.get("visibility", "public"),
        "intent": post.get("intent", ""),
        "tags": post.get("tags", ""),
        "category": Category.objects.filter(pk=category).first() if category.isdigit() else None,
    }


@login_required
def kb_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    article = get_object_or_404(Article, workspace=workspace, pk=pk) if pk else None
    form = None
    if request.method == "POST":
        form = _form(request)
        try:
            if article is None:
                article = services.create_article(workspace, by=request.user, **form)
            else:
                services.update_article(
                    article, by=request.user, note=request.POST.get("note", ""), **form
                )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Article saved")
            return redirect("kb_edit", slug=slug, pk=article.pk)
    return render(
        request,
        "knowledge/edit.html",
        {
            "workspace": workspace,
            "membership": membership,
            "article": article,
            "form": form,
            "categories": Category.objects.filter(workspace=workspace),
            "versions": article.versions.select_related("author")[:30] if article else [],
            # What readers said: the comments left with "was this helpful?", newest first.
            "feedback": article.votes.exclude(comment="").order_by("-created_at")[:50]
            if article
            else [],  # fmt: skip
            "translations": services.family(article) if article else [],
            "languages": services.LANGUAGES,
            "preview": services.render(article.body) if article else None,
            "tags_text": form["tags"] if form else ", ".join(article.tags) if article else "",
            "files": [
                (f, services.markdown_for(f))
                for f in article.files.select_related("attachment", "article__workspace")
            ]
            if article
            else [],  # fmt: skip
            "statuses": Article.Status.choices,
            "visibilities": Article.Visibility.choices,
            "intents": known_intents(workspace.pk),
        },
        status=422 if form and request.method == "POST" else 200,
    )


@login_required
def kb_version(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """An earlier version beside the current text, and a button to restore it."""
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    article = get_object_or_404(Article, workspace=workspace, pk=pk)
    version = get_object_or_404(ArticleVersion, article=article, number=number)
    if request.method == "POST":
        services.restore(version, by=request.user)
        messages.success(request, f"Version {number} restored as a new version")
        return redirect("kb_edit", slug=slug, pk=pk)
    latest = article.versions.order_by("-number").first()
    return render(
        request,
        "knowledge/version.html",
        {
            "workspace": workspace,
            "membership": membership,
            "article": article,
            "version": version,
            "latest": latest,
            "lines": services.diff(version, latest),
        },
    )


@login_required
@require_POST
def kb_category(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    try:
        services.create_category(
            workspace, name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
        )  # fmt: skip
        messages.success(request, "Category added")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("kb", slug=slug)


@login_required
@require_POST
def kb_category_change(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Save (name, description, order) or delete one category; owners and admins."""
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    category = get_object_or_404(Category, workspace=workspace, pk=pk)
    try:
        if request.POST.get("action") == "delete":
            kept = services.delete_category(category)
            messages.success(
                request, f"Category “{category.name}” deleted; its {kept} article(s) stay"
            )
        else:
            services.update_category(
                category, name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                position=request.POST.get("position", 0),
            )  # fmt: skip
            messages.success(request, "Category saved")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("kb", slug=slug)


# ---- the help center -----------------------------------------------------------------


CARD_ARTICLES = 5  # articles a category shows on the help center's home
POPULAR = 6


def hc_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The help center: search, the most read articles, and each category as a card with
    its most read articles; `?category=` lists one category whole, `?tag=` one topic."""
    workspace = get_object_or_404(Workspace, slug=slug)
    q = request.GET.get("q", "").strip()[:200]
    lang = request.GET.get("lang", "en")
    lang = lang if lang in services.LANGUAGES else "en"
    articles = list(services.public_articles(workspace, lang).order_by("title"))
    tags = sorted({t for a in articles for t in a.tags})
    tag = request.GET.get("tag", "").strip().lower()[:40]
    if tag:
        articles = [a for a in articles if tag in a.tags]
    all_categories = list(Category.objects.filter(workspace=workspace))
    chosen = next((c for c in all_categories if c.slug == request.GET.get("category")), None)
    if chosen is not None:
        articles = [a for a in articles if a.category_id == chosen.pk]
    whole = bool(tag or chosen)  # a topic or a category is listed whole, not as cards
    most_read = sorted(articles, key=lambda a: (-a.views, a.title))
    categories = []
    for c in [chosen] if chosen else all_categories:
        items = [a for a in (articles if whole else most_read) if a.category_id == c.pk]
        if items:
            categories.append((c, items if whole else items[:CARD_ARTICLES], len(items)))
    return render(
        request,
        "knowledge/hc_home.html",
        _base(
            workspace,
            q=q,
            results=_logged_search(workspace, q, lang) if q else None,
            categories=categories,
            chosen=chosen,
            whole=whole,
            popular=[] if whole or q else [a for a in most_read if a.views][:POPULAR],
            loose=[a for a in articles if a.category_id is None],
            lang=lang,
            languages=_languages_in_use(workspace),
            bot_on=virtual_agent.on_duty(workspace, "help_center"),
            tags=tags,
            tag=tag,
        ),
    )


def _languages_in_use(workspace) -> list[tuple[str, str]]:
    used = set(services.public_articles(workspace).values_list("language", flat=True))
    return [(code, name) for code, name in services.LANGUAGES.items() if code in used]


def _logged_search(workspace, q, language=None):
    hits = retrieval.search(workspace, q, language=language)
    retrieval.log_search(workspace, q, hits)
    return hits


def hc_article(request: HttpRequest, slug: str, article_slug: str) -> HttpResponse:
    workspace = get_object_or_404(Workspace, slug=slug)
    article = services.public_articles(workspace).filter(slug=article_slug).first()
    if article is None:
        raise Http404("No such article")
    services.count_view(article)
    return render(
        request,
        "knowledge/hc_article.html",
        _base(
            workspace,
            article=article,
            rendered=services.render(article.body),
            other_languages=[
                (a, services.LANGUAGES.get(a.language, a.language))
                for a in services.family(article)
                if a.pk != article.pk and a.status == "published" and a.visibility == "public"
            ],
            related=retrieval.related(
                article, services.public_articles(workspace).filter(translation_of=None)
            ),
            files=services.files_of(article),
        ),
    )


@login_required
@require_POST
def kb_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Attach a file to an article, or remove one (agents who write articles)."""
    from frontline.knowledge.models import ArticleFile

    workspace, _ = workspace_member(request.user, slug, Role.AGENT)
    article = get_object_or_404(Article, workspace=workspace, pk=pk)
    remove = request.POST.get("remove", "")
    try:
        if remove:
            found = get_object_or_404(
                ArticleFile, article=article, pk=remove if remove.isdigit() else 0
            )
            services.remove_file(found, by=request.user)
            messages.success(request, "File removed")
        elif "file" not in request.FILES:
            raise ServiceError("Choose a file to attach")
        else:
            found = services.add_file(article, request.FILES["file"], by=request.user)
            messages.success(request, f"Attached {found.attachment.filename}")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("kb_edit", args=[slug, pk]) + "#files")


def hc_file(request: HttpRequest, slug: str, pk: int, name: str) -> HttpResponse:
    """An article's file: for anyone when the article is published and public, else for
    the workspace's members. Images show in place; other files download."""
    from frontline.accounts.access import membership as member_of
    from frontline.knowledge.models import ArticleFile
    from frontline.tickets.services.attachments import (
        INLINE_TYPES,
        attachment_response,
        image_response,
    )

    workspace = get_object_or_404(Workspace, slug=slug)
    found = get_object_or_404(
        ArticleFile.objects.select_related("article", "attachment"),
        pk=pk, article__workspace=workspace,
    )  # fmt: skip
    if not found.article.in_help_center:
        current = member_of(request.user, workspace) if request.user.is_authenticated else None
        if current is None or not current.has_role(Role.VIEWER):
            raise Http404("No such file")
    attachment = found.attachment
    if attachment.content_type not in INLINE_TYPES:
        return attachment_response(attachment)
    return image_response(attachment)


@require_POST
@ratelimit(key="ip", rate="30/h", method="POST", block=False)
def hc_vote(request: HttpRequest, slug: str, article_slug: str) -> HttpResponse:
    workspace = get_object_or_404(Workspace, slug=slug)
    article = services.public_articles(workspace).filter(slug=article_slug).first()
    if article is None:
        raise Http404("No such article")
    if getattr(request, "limited", False):
        messages.error(request, "Too many answers from here; thank you anyway")
    else:
        try:
            services.vote(
                article, helpful=request.POST.get("helpful") == "yes",
                comment=request.POST.get("comment", ""),
            )  # fmt: skip
            messages.success(request, "Thank you for telling us")
        except ServiceError as exc:
            messages.error(request, str(exc))
    return redirect("hc_article", slug=slug, article_slug=article_slug)


@ratelimit(key="ip", rate="120/m", block=False)
def hc_suggest(request: HttpRequest, slug: str) -> HttpResponse:
    """Suggestions while typing in the help center's search box (an HTML fragment)."""
    workspace = get_object_or_404(Workspace, slug=slug)
    q = request.GET.get("q", "").strip()[:200]
    lang = request.GET.get("lang", "")
    lang = lang if lang in services.LANGUAGES else None
    hits = (
        []
        if len(q) < 3 or getattr(request, "limited", False)
        else retrieval.search(workspace, q, limit=5, language=lang)
    )
    return render(request, "knowledge/_suggestions.html", {"workspace": workspace, "hits": hits})


@login_required
def kb_gaps(request: HttpRequest, slug: str) -> HttpResponse:
    """What customers searched for in the last 30 days and did not find well."""
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    since = clock.now() - timedelta(days=30)
    return render(
        request,
        "knowledge/gaps.html",
        {
            "workspace": workspace,
            "membership": membership,
            "gaps": retrieval.content_gaps(workspace, since),
            "bot": bot_report.report(workspace, since),
            "weak": retrieval.WEAK,
        },
    )


@login_required
def kb_console(request: HttpRequest, slug: str) -> HttpResponse:
    """Try the virtual agent: what it would say, and the passages, intent and confidence
    behind it. Nothing is recorded (not a customer's question)."""
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    question = request.GET.get("q", "").strip()[:1000]
    reply, reading = virtual_agent.answer(workspace, question) if question else (None, None)
    return render(
        request,
        "knowledge/console.html",
        {
            "workspace": workspace,
            "membership": membership,
            "q": question,
            "reply": reply,
            "reading": reading,
            "answer_at": virtual_agent.ANSWER_AT,
            "support_at": virtual_agent.SUPPORT_AT,
        },
    )


@login_required
@require_POST
def kb_translate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.AGENT)
    original = get_object_or_404(Article, workspace=workspace, pk=pk)
    try:
        article = services.translate(
            original, by=request.user, language=request.POST.get("language", ""),
            title=request.POST.get("title", ""), body=request.POST.get("body", ""),
        )  # fmt: skip
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("kb_edit", slug=slug, pk=pk)
    messages.success(request, "Translation saved")
    return redirect("kb_edit", slug=slug, pk=article.pk)


@ratelimit(key="ip", rate="60/h", method="POST", block=False)
def hc_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask the virtual agent: an answer from the articles with its source, a question
    back when two answers are close, or a person (the request form, already filled in)."""
    from urllib.parse import urlencode

    workspace = get_object_or_404(Workspace, slug=slug)
    if not virtual_agent.on_duty(workspace, "help_center"):
        return redirect("portal_new", slug=slug)  # the team answers instead
    question = request.POST.get("question", "").strip()[:1000]
    if request.method != "POST" or not question:
        return render(request, "knowledge/hc_ask.html", _base(workspace))
    if getattr(request, "limited", False):
        return render(
            request, "knowledge/hc_ask.html",
            _base(workspace, error="Many questions from here in a short time; please wait."),
            status=429,
        )  # fmt: skip
    answer = virtual_agent.reply(workspace, question)
    turn = virtual_agent.record(workspace, question, answer)
    handover = (
        reverse("portal_new", args=[slug])
        + "?"
        + urlencode({"subject": question[:120], "body": question})
    )
    return render(
        request,
        "knowledge/hc_ask.html",
        _base(workspace, question=question, answer=answer, turn=turn, handover=handover),
    )


@require_POST
def hc_ask_outcome(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    from urllib.parse import urlencode

    from frontline.assistant.models import BotTurn

    workspace = get_object_or_404(Workspace, slug=slug)
    turn = get_object_or_404(BotTurn, workspace=workspace, pk=pk, channel="help_center")
    helped = request.POST.get("helped") == "yes"
    virtual_agent.settle(turn, helped=helped)
    if helped:
        messages.success(request, "Glad it helped!")
        return redirect("hc_home", slug=slug)
    # The request the visitor is about to send carries what they asked the bot (the
    # session, not the form, says which turn: it cannot be pointed at someone else's).
    request.session[f"hc_turn:{workspace.pk}"] = turn.pk
    query = urlencode({"subject": turn.question[:120], "body": turn.question})
    return redirect(reverse("portal_new", args=[slug]) + "?" + query)


@login_required
def kb_bot(request: HttpRequest, slug: str) -> HttpResponse:
    """The virtual agent: how it did in the last 30 days, and (admins) how it behaves."""
    from frontline.assistant.services import (
        AUTO_THRESHOLD_EVENT,
        settings_for,
        update_bot_settings,
    )
    from frontline.assistant.views import _chart
    from frontline.chat.config import settings_for as chat_settings
    from frontline.tickets.models import Event

    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    can_edit = membership.role in (Role.OWNER, Role.ADMIN)
    error = None
    if request.method == "POST":
        if not can_edit:
            return HttpResponse("Only owners and admins change the virtual agent", status=403)
        try:
            update_bot_settings(workspace, by=request.user, data=request.POST)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, "Virtual agent saved")
            return redirect("kb_bot", slug=slug)
    since = clock.now() - timedelta(days=30)
    config = settings_for(workspace.pk)
    threshold = config.bot_answer_at or virtual_agent.ANSWER_AT
    curve = bot_report.threshold_curve(workspace, since)
    return render(
        request,
        "knowledge/bot.html",
        {
            "workspace": workspace,
            "membership": membership,
            "can_edit": can_edit,
            "error": error,
            "config": config,
            "chat": chat_settings(workspace),
            "threshold": threshold,
            "default_threshold": virtual_agent.ANSWER_AT,
            "report": bot_report.report(workspace, since),
            "curve": curve,
            "chart": _chart(curve, threshold) if curve else None,
            "at_threshold": next((p for p in curve if p["threshold"] >= threshold), None),
            "suggested": bot_report.suggested_threshold(curve),
            "auto_change": Event.objects.filter(workspace=workspace, kind=AUTO_THRESHOLD_EVENT)
            .order_by("-created_at")
            .first(),
            "min_rated": bot_report.MIN_RATED,
        },
        status=400 if error else 200,
    )
