"""The customer portal and the public web form ("Submit a request").

Customers are not Django users: a one-time emailed link (or the optional password they
chose) puts the customer's id (per workspace) in the session. Every page checks that the
ticket is theirs (404 otherwise) and shows only the public conversation, never internal
notes.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from frontline.accounts import business_hours
from frontline.accounts.models import Workspace
from frontline.feedback import services as feedback
from frontline.lib import clock
from frontline.lib.errors import ServiceError
from frontline.portal import services
from frontline.portal.models import CustomerPassword
from frontline.tickets.access import access_ticket_as_customer, customer_tickets
from frontline.tickets.fields import form_errors, form_rows, form_values, shown_values
from frontline.tickets.models import Attachment, Customer, Message
from frontline.tickets.services.attachments import attachment_response
from frontline.tickets.timeline import timeline

SESSION_KEY = "portal_customers"  # {workspace id: customer id}
HONEYPOT = "website"  # a field people never see; bots fill it in


def _workspace(slug: str) -> Workspace:
    return get_object_or_404(Workspace, slug=slug)


def _customer(request: HttpRequest, workspace: Workspace) -> Customer | None:
    customer_id = request.session.get(SESSION_KEY, {}).get(str(workspace.pk))
    if customer_id is None:
        return None
    return Customer.objects.filter(pk=customer_id, workspace=workspace).first()


def _base(workspace, **extra) -> dict:
    return {
        "workspace": workspace,
        "portal": True,
        "hours": business_hours.summary(workspace.business_hours),
        "open_now": business_hours.is_open(
            workspace.business_hours, workspace.time_zone, clock.now()
        ),
        **extra,
    }


def home(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    customer = _customer(request, workspace)
    if customer is None:
        return render(
            request, "portal/sign_in.html", _base(workspace, testimonials=_praise(workspace))
        )
    return render(request, "portal/tickets.html", _home_context(workspace, customer))


def _praise(workspace):
    """What customers said about the team, published with their consent (no names)."""
    from frontline.people.models import Testimonial

    return Testimonial.objects.filter(workspace=workspace, published=True)[:3]


def _home_context(workspace, customer, **extra) -> dict:
    return _base(
        workspace,
        customer=customer,
        tickets=customer_tickets(customer).order_by("-updated_at"),
        has_password=CustomerPassword.objects.filter(customer=customer).exists(),
        **extra,
    )


@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def new_request(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    form = {k: request.POST.get(k, "") for k in ("name", "email", "subject", "body")}
    definitions = list(services.public_fields(workspace))
    fields = form_values(definitions, request.POST)

    def page(status=200, error="", field_errors=None, errors=None):
        rows = form_rows(definitions, fields, field_errors)
        context = _base(workspace, form=form, fields=rows, error=error, errors=errors or {})
        return render(request, "portal/new_request.html", context, status=status)

    if request.method != "POST":
        # The virtual agent hands over with the question already written in.
        form |= {k: request.GET.get(k, "")[:5000] for k in ("subject", "body")}
        customer = _customer(request, workspace)
        if customer:
            form |= {"name": customer.name, "email": customer.email}
        return page()
    if request.POST.get(HONEYPOT):
        return redirect("portal_sent", slug=slug)  # a bot: pretend, store nothing
    if getattr(request, "limited", False):
        return page(429, "You have sent many requests in a short time. Please wait a while.")
    try:
        ticket = services.submit_request(
            workspace,
            files=request.FILES.getlist("attachments"),
            custom_fields={k: v for k, v in fields.items() if v not in (None, "", [])},
            **form,
        )
    except ServiceError as exc:
        # Each error goes next to its field; what was typed stays in the form.
        aliases = {"requester_email": "email"}  # the service's name for the form's field
        errors = {
            aliases.get(d.field, d.field): d.message
            for d in exc.details
            if aliases.get(d.field, d.field) in form
        }
        custom = form_errors(exc)
        shown_by_field = errors or custom
        message = "Please check the fields marked below" if shown_by_field else str(exc)
        status = exc.status if exc.status in (413, 415, 422) else 422
        return page(status, message, custom, errors)
    request.session["portal_last_ticket"] = ticket.number
    turn_id = request.session.pop(f"hc_turn:{workspace.pk}", None)
    if turn_id:
        from frontline.assistant.models import BotTurn

        # The help-center question that led here: the report counts it as this ticket's.
        BotTurn.objects.filter(
            pk=turn_id, workspace=workspace, channel="help_center", ticket__isnull=True
        ).update(ticket=ticket)
    return redirect("portal_sent", slug=slug)


def sent(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    number = request.session.get("portal_last_ticket")
    return render(request, "portal/sent.html", _base(workspace, number=number))


@require_POST
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def send_link(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    if not getattr(request, "limited", False):
        services.request_sign_in_link(workspace, request.POST.get("email", ""))
    # The same answer whether or not the address is known, and when over the limit.
    return render(request, "portal/link_sent.html", _base(workspace))


def link(request: HttpRequest, slug: str, secret: str) -> HttpResponse:
    """GET shows a button; only the POST uses the link, so mail scanners that open links
    cannot use it up."""
    workspace = _workspace(slug)
    if request.method != "POST":
        return render(request, "portal/link.html", _base(workspace, secret=secret))
    try:
        customer = services.redeem_link(workspace, secret)
    except ServiceError as exc:
        return render(request, "portal/sign_in.html", _base(workspace, error=str(exc)), status=410)
    return _sign_in(request, workspace, customer)


def _sign_in(request: HttpRequest, workspace: Workspace, customer: Customer) -> HttpResponse:
    request.session.cycle_key()  # a new session id at sign-in (no session fixation)
    signed_in = request.session.get(SESSION_KEY, {})
    signed_in[str(workspace.pk)] = customer.pk
    request.session[SESSION_KEY] = signed_in
    return redirect("portal_home", slug=workspace.slug)


@require_POST
@ratelimit(key="ip", rate="20/h", method="POST", block=False)
@ratelimit(key="post:email", rate="10/h", method="POST", block=False)
def password_sign_in(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    email = request.POST.get("email", "")
    if getattr(request, "limited", False):
        error = "Too many attempts. Wait a while, or ask for a sign-in link by email."
        context = _base(workspace, error=error, email=email)
        return render(request, "portal/sign_in.html", context, status=429)
    try:
        customer = services.sign_in_with_password(
            workspace, email, request.POST.get("password", "")
        )
    except ServiceError as exc:
        context = _base(workspace, error=str(exc), email=email)
        return render(request, "portal/sign_in.html", context, status=exc.status)
    return _sign_in(request, workspace, customer)


@require_POST
def password(request: HttpRequest, slug: str) -> HttpResponse:
    """A signed-in customer chooses, changes or removes their password."""
    workspace = _workspace(slug)
    customer = _customer(request, workspace)
    if customer is None:
        raise Http404("Sign in first")
    if request.POST.get("remove"):
        services.remove_password(customer)
        messages.success(request, "Your password is removed: sign in with a link by email.")
        return redirect("portal_home", slug=slug)
    new, again = request.POST.get("password", ""), request.POST.get("password_again", "")
    try:
        if new != again:
            raise ServiceError("The two passwords are not the same")
        services.set_password(customer, new)
    except ServiceError as exc:
        context = _home_context(workspace, customer, password_error=str(exc))
        return render(request, "portal/tickets.html", context, status=422)
    messages.success(request, "Password saved: you can sign in with it next time.")
    return redirect("portal_home", slug=slug)


def _own_ticket(request, slug, number):
    workspace = _workspace(slug)
    customer = _customer(request, workspace)
    if customer is None:
        return workspace, None, None
    return workspace, customer, access_ticket_as_customer(customer, number)


def ticket_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    workspace, customer, ticket = _own_ticket(request, slug, number)
    if customer is None:
        return redirect("portal_home", slug=slug)
    return render(request, "portal/ticket.html", _ticket_context(workspace, customer, ticket))


def _ticket_context(workspace, customer, ticket, **extra):
    return _base(
        workspace,
        customer=customer,
        ticket=ticket,
        timeline=timeline(ticket, for_customer=True),
        fields=shown_values(services.public_fields(workspace), ticket.custom_fields),
        survey=feedback.portal_prompt(ticket),
        **extra,
    )


@require_POST
def reply(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    workspace, customer, ticket = _own_ticket(request, slug, number)
    if customer is None:
        raise Http404("Sign in first")
    body = request.POST.get("body", "")
    try:
        landed = services.customer_reply(
            ticket, customer, body, request.FILES.getlist("attachments")
        )
    except ServiceError as exc:
        context = _ticket_context(workspace, customer, ticket, draft=body, error=str(exc))
        return render(request, "portal/ticket.html", context, status=422)
    messages.success(request, "Your message was sent")
    return redirect("portal_ticket", slug=slug, number=landed.number)


def download(request: HttpRequest, slug: str, attachment_id: int) -> HttpResponse:
    """A file on a public message of one of the customer's own tickets."""
    workspace = _workspace(slug)
    customer = _customer(request, workspace)
    if customer is None:
        raise Http404("Sign in first")
    attachment = get_object_or_404(
        Attachment.objects.select_related("message"),
        workspace=workspace,
        pk=attachment_id,
        message__visibility=Message.Visibility.PUBLIC,
        message__ticket__in=customer_tickets(customer),
    )
    return attachment_response(attachment)


@require_POST
def solve(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    workspace, customer, ticket = _own_ticket(request, slug, number)
    if customer is None:
        raise Http404("Sign in first")
    services.mark_solved(ticket, customer)
    messages.success(request, "Thanks! We marked your request as solved.")
    return redirect("portal_ticket", slug=slug, number=number)


def logo(request: HttpRequest, slug: str) -> HttpResponse:
    """The workspace logo, public like the help center it brands. Only raster types are
    accepted on upload, and the type is sent as checked then."""
    workspace = _workspace(slug)
    if not workspace.logo:
        raise Http404("No logo")
    response = FileResponse(workspace.logo.open("rb"), content_type=workspace.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_POST
def sign_out(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = _workspace(slug)
    signed_in = request.session.get(SESSION_KEY, {})
    signed_in.pop(str(workspace.pk), None)
    request.session[SESSION_KEY] = signed_in
    return redirect("portal_home", slug=slug)
