"""The team wall: kudos from colleagues and customers, with reactions; the form to give
kudos; leads approve customer praise and set the workspace's values."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from frontline.accounts.access import agent_memberships, workspace_member
from frontline.accounts.models import Role, User
from frontline.feedback.models import Rating
from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.people import awards, celebrations, services, stories
from frontline.people.models import (
    Award,
    HiddenFromLeaderboards,
    Kudos,
    Nomination,
    Reaction,
    SuccessStory,
    Testimonial,
    Vote,
)
from frontline.tickets.access import access_ticket
from frontline.tickets.events import Actor

PENDING_SHOWN = 20  # customer praise the lead decides on at a time
WALL_PAGE = 30  # kudos on the wall per page, newest first


@login_required
def wall(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    lead = services.is_lead(membership)
    current = services.settings_for(workspace)
    page = Paginator(services.wall(workspace, request.user), WALL_PAGE).get_page(
        request.GET.get("page")
    )
    kudos = list(page.object_list)
    for k in kudos:
        counts: dict[str, int] = {}
        mine = set()
        for r in k.reactions.all():
            counts[r.emoji] = counts.get(r.emoji, 0) + 1
            if r.user_id == request.user.pk:
                mine.add(r.emoji)
        k.reaction_list = [(e, counts.get(e, 0), e in mine) for e in Reaction.EMOJI]
    colleagues = [
        m.user for m in agent_memberships(workspace).exclude(user=request.user)
        .order_by("user__name", "user__email")
    ]  # fmt: skip
    pending, waiting = [], 0
    if lead:  # the newest first; a long backlog shows in pages as the lead decides
        waiting_praise = Kudos.objects.filter(workspace=workspace, status=Kudos.Status.PENDING)
        waiting = waiting_praise.count()
        pending = list(waiting_praise.select_related("receiver", "ticket")[:PENDING_SHOWN])
    return render(
        request,
        "people/wall.html",
        {
            "workspace": workspace,
            "membership": membership,
            "kudos": kudos,
            "page": page,
            "colleagues": colleagues,
            "values": current.value_list(),
            "settings": current,
            "pending": pending,
            "waiting": waiting,
            "lead": lead,
            "can_give": membership.has_role(Role.AGENT),
        },
    )


def _back(slug: str, anchor: str = "") -> HttpResponse:
    return redirect(reverse("wall", args=[slug]) + anchor)


@login_required
@require_POST
def give(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.AGENT)
    receiver = User.objects.filter(pk=request.POST.get("receiver") or 0).first()
    try:
        if receiver is None:
            raise ServiceError("Choose who the kudos are for", code="invalid")
        services.give_kudos(
            workspace,
            giver=request.user,
            receiver=receiver,
            value=request.POST.get("value", ""),
            message=request.POST.get("message", ""),
            public=request.POST.get("private") != "on",
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        where = "on the wall" if request.POST.get("private") != "on" else "sent, just for them"
        messages.success(request, f"Kudos to {receiver.display_name} are {where}")
    return _back(slug)


@login_required
@require_POST
def react(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.VIEWER)
    kudos = get_object_or_404(services.wall(workspace, request.user), pk=pk)
    try:
        services.react(kudos, user=request.user, emoji=request.POST.get("emoji", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return _back(slug, f"#k{pk}")


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    kudos = get_object_or_404(Kudos, workspace=workspace, pk=pk)
    try:
        services.decide(kudos, by=request.user, show=request.POST.get("show") == "1")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return _back(slug)


@login_required
@require_POST
def recognition_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    raw = request.POST.get("monthly_allowance", "").strip()
    try:
        services.update_settings(
            workspace,
            by=Actor.of(request.user),
            values=request.POST.get("values", ""),
            auto_approve_customer_praise=request.POST.get("auto_approve") == "on",
            monthly_allowance=int(raw) if raw.isdigit() else raw,
            hashtags=request.POST.get("hashtags", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Recognition settings saved")
    return _back(slug, "#recognition-settings")


@login_required
def celebrations_page(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    today = clock.now().date()
    monday, friday = celebrations.customer_service_week(today.year)
    year = today.year if friday >= today else today.year + 1
    feed = reverse("celebrations_feed", args=[celebrations.feed_token(workspace)])
    return render(
        request,
        "people/celebrations.html",
        {
            "workspace": workspace,
            "membership": membership,
            "upcoming": celebrations.upcoming(workspace, today),
            "year": year,
            "plan": celebrations.plan(workspace, year),
            "lead": services.is_lead(membership),
            "feed_url": settings.FRONTLINE_BASE_URL + feed,
        },
    )


@login_required
@require_POST
def celebrations_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    post = request.POST
    try:
        if action == "plan-day":
            year, day = post.get("year", ""), post.get("day", "")
            if not (year.isdigit() and day.isdigit()):
                raise ServiceError("Choose a day of the plan")
            celebrations.save_plan_day(
                workspace, int(year), int(day),
                theme=post.get("theme", ""), activities=post.get("activities", ""),
            )  # fmt: skip
            messages.success(request, "Plan saved")
        elif action == "add":
            try:
                start = date.fromisoformat(post.get("start", ""))
                end = date.fromisoformat(post.get("end", "") or post.get("start", ""))
            except ValueError:
                raise ServiceError("Give the dates as YYYY-MM-DD") from None
            celebrations.add_celebration(
                workspace, name=post.get("name", ""), start=start, end=end,
                description=post.get("description", ""),
            )  # fmt: skip
            messages.success(request, "Added to the calendar")
        else:
            return HttpResponse("Unknown action", status=404)
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("celebrations", slug=slug)


def celebrations_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed: a secret address (no sign-in) for calendar programs."""
    try:
        workspace = celebrations.workspace_for_feed(token)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
    response = HttpResponse(
        celebrations.ics(workspace), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{workspace.slug}-celebrations.ics"'
    return response


PERIODS = {
    "last-month": "Last month",
    "this-month": "This month",
    "last-quarter": "Last 3 months",
    "this-year": "This year",
}


def _period(name: str, today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    if name == "this-month":
        return first, today
    if name == "last-quarter":
        begin = first
        for _ in range(3):
            begin = (begin - timedelta(days=1)).replace(day=1)
        return begin, first - timedelta(days=1)
    if name == "this-year":
        return today.replace(month=1, day=1), today
    last_end = first - timedelta(days=1)
    return last_end.replace(day=1), last_end


@login_required
def awards_page(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    name = request.GET.get("period", "last-month")
    name = name if name in PERIODS else "last-month"
    start, end = _period(name, clock.now().date())
    tables = [
        (
            key,
            title,
            awards.standings(workspace, key, start, end)[:5],
            awards.nominations(workspace, key, start, end),
        )
        for key, title in awards.categories(workspace).items()
    ]
    my_votes = set(
        Vote.objects.filter(
            workspace=workspace, voter=request.user, period_start=start
        ).values_list("nomination_id", flat=True)
    )
    return render(
        request,
        "people/awards.html",
        {
            "workspace": workspace,
            "membership": membership,
            "periods": PERIODS,
            "period": name,
            "start": start,
            "end": end,
            "tables": tables,
            "min_sample": awards.MIN_SAMPLE,
            "my_votes": my_votes,
            "colleagues": [m.user for m in agent_memberships(workspace).exclude(user=request.user)],
            "can_vote": membership.has_role(Role.AGENT),
            "past": Award.objects.filter(workspace=workspace).select_related("winner")[:50],
            "lead": services.is_lead(membership),
            "hidden": HiddenFromLeaderboards.objects.filter(
                workspace=workspace, user=request.user
            ).exists(),
        },
    )


@login_required
@require_POST
def awards_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    post = request.POST
    if action == "hide":
        workspace, _ = workspace_member(request.user, slug, Role.VIEWER)
        found = HiddenFromLeaderboards.objects.filter(workspace=workspace, user=request.user)
        if found.exists():
            found.delete()
        else:
            HiddenFromLeaderboards.objects.create(workspace=workspace, user=request.user)
        return redirect("awards", slug=slug)
    back = redirect(reverse("awards", args=[slug]) + f"?period={post.get('period', '')}")
    if action in ("nominate", "vote"):
        workspace, _ = workspace_member(request.user, slug, Role.AGENT)
        try:
            if action == "vote":
                found = get_object_or_404(
                    Nomination, workspace=workspace, pk=post.get("nomination") or 0
                )
                awards.vote(found, voter=request.user)
                messages.success(request, "Your vote is counted")
            else:
                nominee = User.objects.filter(pk=post.get("nominee") or 0).first()
                if nominee is None:
                    raise ServiceError("Choose who you nominate")
                awards.nominate(
                    workspace, post.get("category", ""), date.fromisoformat(post.get("start", "")),
                    date.fromisoformat(post.get("end", "")), nominee=nominee, by=request.user,
                    reason=post.get("reason", ""),
                )  # fmt: skip
                messages.success(request, f"{nominee.display_name} is nominated")
        except ValueError:
            messages.error(request, "The period is not valid")
        except ServiceError as exc:
            messages.error(request, str(exc))
        return back
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    if action == "category":
        try:
            awards.create_category(
                workspace, by=request.user, name=post.get("name", ""),
                description=post.get("description", ""),
            )  # fmt: skip
            messages.success(request, "Award added: the team nominates and votes")
        except ServiceError as exc:
            messages.error(request, str(exc))
        return back
    if action != "announce":
        return HttpResponse("Unknown action", status=404)
    winner = User.objects.filter(pk=post.get("winner") or 0).first()
    try:
        start, end = (
            date.fromisoformat(post.get("start", "")),
            date.fromisoformat(post.get("end", "")),
        )
        if winner is None:
            raise ServiceError("Choose the winner")
        awards.announce(
            workspace, post.get("category", ""), start, end, winner=winner, by=request.user
        )
    except ValueError:
        messages.error(request, "The period is not valid")
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{winner.display_name} wins: it is on the team wall")
    return redirect(reverse("awards", args=[slug]) + f"?period={post.get('period', '')}")


@login_required
def award_certificate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.VIEWER)
    award = get_object_or_404(
        Award.objects.select_related("winner", "announced_by", "workspace"),
        workspace=workspace,
        pk=pk,
    )
    response = HttpResponse(awards.certificate(award), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{award.pk}.pdf"'
    return response


@login_required
def recap_page(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    return render(
        request,
        "people/recap.html",
        {
            "workspace": workspace,
            "membership": membership,
            "recap": celebrations.recap(workspace, year),
        },
    )


@login_required
def recap_card(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.VIEWER)
    card = celebrations.recap_card(workspace, celebrations.recap(workspace, year))
    response = HttpResponse(card, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="customer-service-week-{year}.png"'
    return response


@login_required
def stories_page(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.VIEWER)
    lead = services.is_lead(membership)
    return render(
        request,
        "people/stories.html",
        {
            "workspace": workspace,
            "membership": membership,
            "stories": SuccessStory.objects.filter(workspace=workspace).select_related("hero")[:50],
            "lead": lead,
            "can_write": membership.has_role(Role.AGENT),
            "candidates": stories.candidates(workspace) if lead else [],
            "published": Testimonial.objects.filter(workspace=workspace, published=True)
            if lead
            else [],
        },
    )


@login_required
def story_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Draft a story from a ticket (anonymised), then save it."""
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    number = request.GET.get("ticket") or request.POST.get("ticket", "")
    ticket = access_ticket(request.user, workspace, int(number) if number.isdigit() else 0)
    if request.method == "POST":
        try:
            stories.create_story(
                ticket, by=request.user, title=request.POST.get("title", ""),
                body=request.POST.get("body", ""), anonymous=request.POST.get("named") != "on",
            )  # fmt: skip
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Success story shared with the team")
            return redirect("stories", slug=slug)
    draft = stories.draft_story(ticket)
    return render(
        request,
        "people/story_new.html",
        {"workspace": workspace, "membership": membership, "ticket": ticket, "draft": draft},
    )


@login_required
@require_POST
def testimonial_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    try:
        if action == "publish":
            rating = get_object_or_404(Rating, workspace=workspace, pk=pk)
            stories.publish_testimonial(rating, by=request.user)
            messages.success(request, "Published on the help center, without the customer's name")
        elif action == "unpublish":
            found = get_object_or_404(Testimonial, workspace=workspace, pk=pk)
            stories.unpublish_testimonial(found)
            messages.success(request, "Taken off the help center")
        else:
            return HttpResponse("Unknown action", status=404)
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("stories", slug=slug)
