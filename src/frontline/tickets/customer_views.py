"""Customers and companies pages of the agent workspace: find, read the history, edit,
merge duplicates. Viewers read; agents and up change."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from frontline.accounts.access import workspace_member
from frontline.accounts.models import Role
from frontline.lib.errors import ServiceError
from frontline.tickets import services
from frontline.tickets.access import visible_tickets
from frontline.tickets.events import Actor
from frontline.tickets.models import Company, Customer, CustomerEmail

PAGE_SIZE = 50


@login_required
def customer_list(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug)
    q = request.GET.get("q", "")
    customers = services.find_customers(workspace, q).annotate(
        ticket_count=Count("tickets", distinct=True)
    )
    page = Paginator(customers.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/customers.html",
        {
            "workspace": workspace,
            "membership": membership,
            "page": page,
            "q": q,
            "page_query": urlencode({"q": q} if q else {}),
        },
    )


def _customer_context(request, workspace, membership, customer, **extra):
    return {
        "workspace": workspace,
        "membership": membership,
        "can_write": membership.has_role(Role.AGENT),
        "can_erase": membership.has_role(Role.ADMIN),
        "ticket_count": customer.tickets.count(),
        "customer": customer,
        "emails": customer.emails.order_by("email"),
        "tickets": visible_tickets(request.user, workspace)
        .filter(requester=customer)
        .select_related("assignee")
        .order_by("-created_at")[:100],
        "companies": Company.objects.filter(workspace=workspace).order_by("name"),
        **extra,
    }


@login_required
def customer_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug)
    customer = get_object_or_404(
        Customer.objects.select_related("company"), workspace=workspace, pk=pk
    )
    return render(
        request,
        "tickets/customer.html",
        _customer_context(request, workspace, membership, customer),
    )


@login_required
@require_POST
def customer_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    customer = get_object_or_404(Customer, workspace=workspace, pk=pk)
    post = request.POST
    changes = {k: post.get(k, "") for k in ("name", "phone", "language", "external_id", "notes")}
    changes["emails"] = [e.strip() for e in post.get("emails", "").split(",") if e.strip()]
    if changes["emails"]:
        changes["email"] = changes["emails"][0]
    company_id = post.get("company", "")
    changes["company"] = (
        get_object_or_404(Company, workspace=workspace, pk=company_id) if company_id else None
    )
    try:
        services.update_customer(customer, by=Actor.of(request.user), changes=changes)
    except ServiceError as exc:
        customer.refresh_from_db()
        context = _customer_context(request, workspace, membership, customer, error=str(exc))
        return render(request, "tickets/customer.html", context, status=422)
    messages.success(request, "Customer saved")
    return redirect("customer", slug=slug, pk=pk)


@login_required
@require_POST
def customer_merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Merge the customer who owns the given address (a duplicate) into this one."""
    workspace, membership = workspace_member(request.user, slug, Role.AGENT)
    target = get_object_or_404(Customer, workspace=workspace, pk=pk)
    address = request.POST.get("duplicate", "").strip().lower()
    found = CustomerEmail.objects.filter(workspace=workspace, email=address).first()
    try:
        if found is None:
            raise ServiceError(f"No customer has the address {address or '(empty)'}")
        duplicate = found.customer
        services.merge_customers(duplicate, target, by=Actor.of(request.user))
    except ServiceError as exc:
        context = _customer_context(request, workspace, membership, target, error=str(exc))
        return render(request, "tickets/customer.html", context, status=422)
    messages.success(request, f"Merged {duplicate.name or address} into this customer")
    return redirect("customer", slug=slug, pk=pk)


@login_required
def customer_data(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The right of access (admins): what we hold about the customer, as a JSON file."""
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    customer = get_object_or_404(Customer, workspace=workspace, pk=pk)
    data = services.customer_data(customer, by=Actor.of(request.user))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    name = f"customer-{customer.pk}-{workspace.slug}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def customer_erase(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The right to erasure (admins): the customer and everything about them, for good."""
    workspace, _ = workspace_member(request.user, slug, Role.ADMIN)
    customer = get_object_or_404(Customer, workspace=workspace, pk=pk)
    who = customer.name or customer.email or f"customer {customer.pk}"
    counts = services.erase_customer(customer, by=Actor.of(request.user))
    messages.success(
        request,
        f"Erased {who}: {counts['tickets']} tickets with {counts['messages']} messages and "
        f"{counts['files']} files; {counts['redacted']} messages on other tickets replaced.",
    )
    return redirect("customers", slug=slug)


@login_required
def company_list(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug)
    q = request.GET.get("q", "").strip()
    companies = Company.objects.filter(workspace=workspace).annotate(
        customer_count=Count("customers")
    )
    if q:
        companies = companies.filter(name__icontains=q)
    page = Paginator(companies.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/companies.html",
        {
            "workspace": workspace,
            "membership": membership,
            "page": page,
            "q": q,
            "page_query": urlencode({"q": q} if q else {}),
        },
    )


@login_required
def company_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace, membership = workspace_member(request.user, slug)
    company = get_object_or_404(Company, workspace=workspace, pk=pk)
    return render(
        request,
        "tickets/company.html",
        {
            "workspace": workspace,
            "membership": membership,
            "company": company,
            "customers": company.customers.order_by("name"),
            "tickets": visible_tickets(request.user, workspace)
            .filter(requester__company=company)
            .select_related("requester")
            .order_by("-created_at")[:100],
        },
    )
