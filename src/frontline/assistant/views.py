"""The assistant's admin page: what it learnt from, how good it is, where it routes, and a
box to try a message. Owners and admins only."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role
from frontline.assistant import services, tasks
from frontline.assistant.labels import label_counts
from frontline.assistant.ml.encoders import ENCODERS
from frontline.assistant.ml.intent import MIN_EXAMPLES
from frontline.assistant.models import UNSURE, AssistantSettings, IntentModelVersion
from frontline.assistant.panel import LANGUAGE_NAMES
from frontline.assistant.triage import analyse, decide, language_key
from frontline.lib.errors import ServiceError
from frontline.tickets.models import Priority, Team


def _admin(request, slug):
    return workspace_member(request.user, slug, Role.ADMIN)


def _chart(curve: list[dict], threshold: float) -> dict:
    """Points of the accuracy-vs-coverage chart, in a 300×160 SVG box."""
    width, height, pad = 300, 160, 24

    def x(t):
        return pad + t * (width - 2 * pad)

    def y(v):
        return height - pad - v * (height - 2 * pad)

    def line(key):
        return " ".join(f"{x(p['threshold']):.1f},{y(p[key]):.1f}" for p in curve if key in p)

    return {
        "width": width,
        "height": height,
        "accuracy": line("accuracy"),
        "coverage": line("coverage"),
        "oos_recall": line("oos_recall"),
        "threshold_x": round(x(threshold), 1),
        "top": pad,
        "bottom": height - pad,
        "left": pad,
        "right": width - pad,
    }


@login_required
def assistant_page(request: HttpRequest, slug: str, *, tried=None, status=200) -> HttpResponse:
    workspace, membership = _admin(request, slug)
    config = services.settings_for(workspace.pk)
    versions = list(IntentModelVersion.objects.filter(workspace=workspace)[:20])
    active = next((v for v in versions if v.state == IntentModelVersion.State.ACTIVE), None)
    report = active.report if active else {}
    rules = services.rules_for(workspace.pk)
    intents = sorted(report.get("counts", {}))
    context = {
        "workspace": workspace,
        "membership": membership,
        "config": config,
        "sources": AssistantSettings.LabelSource.choices,
        "encoder_names": list(ENCODERS),
        "teams": Team.objects.filter(workspace=workspace).order_by("name"),
        "priorities": Priority.choices,
        "versions": versions,
        "active": active,
        "report": report,
        "counts": sorted(report.get("counts", {}).items(), key=lambda kv: -kv[1]),
        "chart": _chart(report["threshold_curve"], report["threshold"])
        if report.get("threshold_curve")
        else None,
        "rule_rows": [(UNSURE, "Unsure (no intent is likely)", rules.get(UNSURE))]
        + [
            (key, f"Written in {LANGUAGE_NAMES.get(key[9:], key[9:])}", rule)
            for key, rule in sorted(rules.items())
            if key.startswith("language:")
        ]
        + [(i, i, rules.get(i)) for i in intents],
        "languages": sorted(
            (code, name) for code, name in LANGUAGE_NAMES.items() if language_key(code) not in rules
        ),
        "tried": tried,
        "training_queued": config.training_requested_at is not None,
        "labelled_now": label_counts(config),
        "min_examples": MIN_EXAMPLES,
    }
    return render(request, "assistant/assistant.html", context, status=status)


@login_required
@require_POST
def save_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = _admin(request, slug)
    post = request.POST
    team_id = post.get("default_team")
    try:
        services.update_settings(
            workspace,
            enabled=post.get("enabled") == "on",
            label_source=post.get("label_source", ""),
            label_key=post.get("label_key", ""),
            encoders=post.get("encoders", ""),
            default_team=get_object_or_404(Team, workspace=workspace, pk=team_id)
            if team_id
            else None,
            retrain_every_hours=int(post["retrain_every_hours"])
            if post.get("retrain_every_hours", "").isdigit()
            else 0,
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Assistant settings saved")
    return redirect("assistant", slug=slug)


@login_required
@require_POST
def save_generation(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = _admin(request, slug)
    post = request.POST
    key = post.get("generation_key", "")
    try:
        services.update_generation(
            workspace,
            enabled=post.get("generate_answers") == "on",
            url=post.get("generation_url", ""),
            model=post.get("generation_model", ""),
            api_key="" if post.get("forget_key") == "on" else (key or None),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Generated answers saved")
    return redirect("assistant", slug=slug)


@login_required
@require_POST
def train_now(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = _admin(request, slug)
    if tasks.request_training(workspace, trigger="manual", by=request.user):
        messages.success(request, "Training queued: the new model appears here when it is done.")
    else:
        messages.error(request, "A training is already queued or running.")
    return redirect("assistant", slug=slug)


@login_required
@require_POST
def activate_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    workspace, _ = _admin(request, slug)
    version = get_object_or_404(IntentModelVersion, workspace=workspace, number=number)
    try:
        services.activate(version)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Model v{number} is active")
    return redirect("assistant", slug=slug)


@login_required
@require_POST
def save_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """All routing rules in one form: rows of intent, team, priority and tags."""
    workspace, _ = _admin(request, slug)
    post = request.POST
    teams = {str(t.pk): t for t in Team.objects.filter(workspace=workspace)}
    rows = zip(
        post.getlist("intent"),
        post.getlist("team"),
        post.getlist("priority"),
        post.getlist("tags"),
        strict=False,
    )
    humans = set(post.getlist("human"))
    try:
        for intent, team, priority, tags in rows:
            services.set_rule(
                workspace,
                intent,
                team=teams.get(team),
                priority=priority,
                add_tags=[t for t in tags.split(",") if t.strip()],
                always_human=intent in humans,
            )
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Routing rules saved")
    return redirect("assistant", slug=slug)


@login_required
@require_POST
def try_message(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, _ = _admin(request, slug)
    text = request.POST.get("text", "")[:5000]
    if not text.strip():
        messages.error(request, "Type a message to try")
        return redirect("assistant", slug=slug)
    result = analyse(workspace.pk, text)
    config = services.settings_for(workspace.pk)
    # What a new ticket with this text would get: the same decision as for real tickets.
    new_ticket = SimpleNamespace(
        workspace_id=workspace.pk, team_id=None, priority=Priority.NORMAL, custom_fields={}
    )
    changes, team, _ = decide(new_ticket, config, result)
    tried = {
        "text": text,
        "result": result,
        "percent": round(100 * result.confidence) if result.confidence is not None else None,
        "top": [(label, round(100 * p)) for label, p in result.top],
        "team": team,
        "priority": changes.get("priority"),
        "tags": changes.get("add_tags", []),
    }
    return assistant_page(request, slug, tried=tried)
