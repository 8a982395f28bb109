"""Customers rate a solved request from the links in the email (no sign-in): the link's
page sends the rating itself (scanners that only fetch pages record nothing), then asks
for an optional comment and the customer's consent to quote it."""

import csv
import itertools
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role, Workspace
from frontline.feedback import services
from frontline.feedback.models import FollowUp, Rating
from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.portal.views import _base
from frontline.tickets.events import Actor


def _problem(request, workspace, exc: ServiceError) -> HttpResponse:
    context = _base(workspace, problem=exc.message)
    return render(request, "feedback/rated.html", context, status=exc.status)


@ratelimit(key="ip", rate="60/h", method="POST", block=False)
def rate(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    workspace = get_object_or_404(Workspace, slug=slug)
    try:
        choice = services.read_link(workspace, token)
        if request.method != "POST":
            return render(
                request,
                "feedback/rate.html",
                _base(workspace, choice=choice, token=token),
            )
        if getattr(request, "limited", False):
            raise ServiceError("Too many ratings from here; try again later", status=429)
        rating = services.rate(choice.ticket, choice.score)
    except ServiceError as exc:
        return _problem(request, workspace, exc)
    return render(request, "feedback/rated.html", _base(workspace, rating=rating, token=token))


@require_POST
@ratelimit(key="ip", rate="30/h", method="POST", block=False)
def rate_comment(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    workspace = get_object_or_404(Workspace, slug=slug)
    try:
        choice = services.read_link(workspace, token)
        rating = Rating.objects.filter(ticket=choice.ticket).first()
        if rating is None:
            raise ServiceError("Rate the request first", code="not_rated", status=409)
        if getattr(request, "limited", False):
            raise ServiceError("Too many comments from here; try again later", status=429)
        if request.POST.get("opt_out") == "on":
            services.opt_out(choice.ticket.requester)
        services.comment(
            rating, request.POST.get("comment", ""), consent=request.POST.get("consent") == "on"
        )
    except ServiceError as exc:
        return _problem(request, workspace, exc)
    return render(request, "feedback/rated.html", _base(workspace, rating=rating, done=True))


@login_required
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """CSAT/NPS/CES for the last 30 days (or ?days=N), overall and per agent, team and
    channel, with the open follow-ups of bad ratings."""
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and 0 < int(days) <= 3650 else 30
    until = clock.now()
    current = services.settings_for(workspace)
    figures = services.figures(
        workspace, kind=current.kind, since=until - timedelta(days=days), until=until
    )
    follow_ups = (
        FollowUp.objects.filter(workspace=workspace, status=FollowUp.Status.OPEN)
        .select_related("rating__ticket", "rating__agent", "assignee")
        .order_by("created_at")
    )
    return render(
        request,
        "feedback/report.html",
        {
            "workspace": workspace,
            "membership": membership,
            "survey": current,
            "days": days,
            "figures": figures,
            "follow_ups": follow_ups,
            "can_close": membership.has_role(Role.ADMIN),
            "kinds": services.Kind.choices,
            "default_question": services.QUESTIONS[current.kind],
        },
    )


@login_required
@require_POST
def close_follow_up(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    follow_up = get_object_or_404(FollowUp, workspace=workspace, pk=pk)
    if follow_up.assignee_id != request.user.pk and not membership.has_role(Role.ADMIN):
        return HttpResponse("Only the team's lead or an admin closes this follow-up", status=403)
    services.close_follow_up(follow_up, by=Actor.of(request.user), note=request.POST.get("note"))
    return redirect("feedback", slug=slug)


@login_required
@require_POST
def survey_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    delay = request.POST.get("delay_hours", "0").strip() or "0"
    try:
        services.update_settings(
            workspace,
            by=Actor.of(request.user),
            enabled=request.POST.get("enabled") == "on",
            kind=request.POST.get("kind", ""),
            question=request.POST.get("question", ""),
            reopen_on_bad=request.POST.get("reopen_on_bad") == "on",
            delay_hours=int(delay) if delay.isdigit() else delay,
        )
        messages.success(request, "Survey settings saved")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("feedback", args=[slug]) + "#survey")


@require_POST
@ratelimit(key="ip", rate="60/h", method="POST", block=False)
def rate_in_portal(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A signed-in customer rates their solved request in the help center."""
    from frontline.portal.views import _own_ticket

    workspace, customer, ticket = _own_ticket(request, slug, number)
    if customer is None:
        return redirect("portal_home", slug=slug)
    raw = request.POST.get("score", "")
    try:
        if getattr(request, "limited", False):
            raise ServiceError("Too many ratings from here; try again later", status=429)
        if services.portal_prompt(ticket) is None:
            raise ServiceError("This request cannot be rated", code="not_asked", status=409)
        services.rate(ticket, int(raw) if raw.isdigit() else -1, via="portal")
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Thank you for your rating")
    return redirect("portal_ticket", slug=slug, number=number)


class _Echo:
    def write(self, value):
        return value


@login_required
def export(request: HttpRequest, slug: str) -> HttpResponse:
    """The period's ratings as CSV (admins: it holds customers' comments)."""
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and 0 < int(days) <= 3650 else 30
    until = clock.now()
    writer = csv.writer(_Echo())
    rows = services.export_rows(workspace, since=until - timedelta(days=days), until=until)
    lines = (writer.writerow(row) for row in itertools.chain([services.EXPORT_COLUMNS], rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ratings-{workspace.slug}-{days}d.csv"'
    return response
