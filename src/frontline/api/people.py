"""Customers, companies, workspace members and API tokens."""

from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from frontline.accounts import services as accounts
from frontline.accounts.models import ApiToken, Membership, Role
from frontline.api.auth import Caller, caller
from frontline.api.common import get_or_404, idempotent, known_params
from frontline.api.schemas import Error, In
from frontline.lib.errors import invalid
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Company, Customer

router = Router()
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
MAX_LIMIT = 100


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    emails: list[str]
    phone: str
    external_id: str | None
    language: str
    company: int | None
    notes: str
    ticket_count: int


class CustomerIn(In):
    name: str = ""
    email: str | None = None
    emails: list[str] = []
    phone: str = ""
    external_id: str | None = None
    language: str = ""
    company: int | None = None
    notes: str = ""


class CustomerPatch(In):
    name: str | None = None
    email: str | None = None
    emails: list[str] | None = None
    phone: str | None = None
    external_id: str | None = None
    language: str | None = None
    company: int | None = None
    notes: str | None = None


class CustomerPage(Schema):
    next: str | None
    items: list[CustomerOut]


class CompanyOut(Schema):
    id: int
    name: str
    domains: list[str]
    notes: str


class CompanyIn(In):
    name: str
    domains: list[str] = []
    notes: str = ""


class CompanyPatch(In):
    name: str | None = None
    domains: list[str] | None = None
    notes: str | None = None


class MemberOut(Schema):
    id: int
    name: str
    email: str
    role: str
    is_available: bool


class MemberPatch(In):
    role: str | None = None
    is_available: bool | None = None


class MemberInvite(In):
    email: str
    role: str = "agent"
    name: str = ""


class CustomerMerge(In):
    into: int  # the customer who stays


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked: bool


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown only in this answer")


class TokenIn(In):
    name: str


class PageParams(Schema):
    q: str = Field("", description="Part of a name or email address")
    limit: int = Field(25, ge=1, le=MAX_LIMIT)
    after: int | None = Field(None, description="The last id of the previous page")


# ---- customers ---------------------------------------------------------------------------


def _customers(c: Caller):
    return (
        Customer.objects.filter(workspace=c.workspace)
        .prefetch_related("emails")
        .annotate(ticket_count=Count("tickets"))
    )


def _customer(obj: Customer) -> dict:
    return {
        "id": obj.pk,
        "name": obj.name,
        "email": obj.email,
        "emails": sorted(e.email for e in obj.emails.all()),
        "phone": obj.phone,
        "external_id": obj.external_id,
        "language": obj.language,
        "company": obj.company_id,
        "notes": obj.notes,
        "ticket_count": obj.ticket_count,
    }


def _company_ref(c: Caller, data: dict) -> dict:
    if data.get("company") is not None:
        data["company"] = get_or_404(
            Company.objects.filter(workspace=c.workspace), "No such company", pk=data["company"]
        )
    return data


@router.get("/customers", response={200: CustomerPage, **ERRORS}, tags=["customers"])
def list_customers(request: HttpRequest, params: Query[PageParams]):
    c = caller(request)
    known_params(request, PageParams)
    qs = (
        services.find_customers(c.workspace, params.q)
        .prefetch_related("emails")
        .annotate(ticket_count=Count("tickets", distinct=True))
        .order_by("pk")
    )
    if params.after:
        qs = qs.filter(pk__gt=params.after)
    rows = list(qs[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {"next": str(rows[-1].pk) if more else None, "items": [_customer(r) for r in rows]}


@router.post("/customers", response={201: CustomerOut, **ERRORS}, tags=["customers"])
def create_customer(request: HttpRequest, payload: CustomerIn):
    """Send an `Idempotency-Key` header to make retries safe, as for tickets."""
    c = caller(request, Role.AGENT)

    def made():
        data = _company_ref(c, payload.model_dump())
        obj = services.create_customer(c.workspace, by=Actor.of(c.user), **data)
        return 201, _customer(_customers(c).get(pk=obj.pk))

    return Status(*idempotent(request, c, payload.model_dump(), made))


@router.post("/customers/{pk}/merge", response={200: CustomerOut, **ERRORS}, tags=["customers"])
def merge_customer(request: HttpRequest, pk: int, payload: CustomerMerge):
    """Fold a duplicate (`pk`) into another customer (`into`): tickets, messages,
    addresses and history move over; the duplicate is deleted. Returns the one who stays."""
    c = caller(request, Role.AGENT)
    found = Customer.objects.filter(workspace=c.workspace)
    source = get_or_404(found, "No such customer", pk=pk)
    target = get_or_404(found, "No such customer to merge into", pk=payload.into)
    services.merge_customers(source, target, by=Actor.of(c.user))
    return _customer(_customers(c).get(pk=target.pk))


@router.get("/customers/{pk}", response={200: CustomerOut, **ERRORS}, tags=["customers"])
def get_customer(request: HttpRequest, pk: int):
    c = caller(request)
    return _customer(get_or_404(_customers(c), "No such customer", pk=pk))


@router.patch("/customers/{pk}", response={200: CustomerOut, **ERRORS}, tags=["customers"])
def update_customer(request: HttpRequest, pk: int, payload: CustomerPatch):
    c = caller(request, Role.AGENT)
    obj = get_or_404(Customer.objects.filter(workspace=c.workspace), "No such customer", pk=pk)
    data = _company_ref(c, payload.model_dump(exclude_unset=True))
    services.update_customer(obj, by=Actor.of(c.user), changes=data)
    return _customer(_customers(c).get(pk=pk))


@router.get("/customers/{pk}/data", response={200: dict, **ERRORS}, tags=["customers"])
def customer_data(request: HttpRequest, pk: int):
    """The right of access (admins): everything held about the customer (details, every
    conversation with internal notes marked, what they wrote on other tickets, ratings,
    chats, questions to the virtual agent). The download is logged."""
    c = caller(request, Role.ADMIN)
    obj = get_or_404(Customer.objects.filter(workspace=c.workspace), "No such customer", pk=pk)
    return services.customer_data(obj, by=Actor.of(c.user))


class ErasureOut(Schema):
    tickets: int = Field(description="Their tickets, deleted with every message and file")
    messages: int
    files: int
    redacted: int = Field(description="Their messages on other people's tickets, replaced")


@router.post("/customers/{pk}/erase", response={200: ErasureOut, **ERRORS}, tags=["customers"])
def erase_customer(request: HttpRequest, pk: int):
    """The right to erasure (admins): the customer, their addresses, every ticket they
    asked with its conversation, files and history, their chats and raw emails, and the
    log entries naming them. What they wrote on other tickets is replaced by a notice.
    Irreversible; the workspace log keeps one `customer.erased` entry with counts only."""
    c = caller(request, Role.ADMIN)
    obj = get_or_404(Customer.objects.filter(workspace=c.workspace), "No such customer", pk=pk)
    return services.erase_customer(obj, by=Actor.of(c.user))


# ---- companies ---------------------------------------------------------------------------


def _company(obj: Company) -> dict:
    return {"id": obj.pk, "name": obj.name, "domains": obj.domains, "notes": obj.notes}


@router.get("/companies", response={200: list[CompanyOut], **ERRORS}, tags=["companies"])
def list_companies(request: HttpRequest, q: str = ""):
    c = caller(request)
    qs = Company.objects.filter(workspace=c.workspace).order_by("name")
    if q:
        qs = qs.filter(name__icontains=q)
    return [_company(x) for x in qs[:500]]


@router.post("/companies", response={201: CompanyOut, **ERRORS}, tags=["companies"])
def create_company(request: HttpRequest, payload: CompanyIn):
    c = caller(request, Role.AGENT)

    def made():
        company = services.create_company(c.workspace, by=Actor.of(c.user), **payload.model_dump())
        return 201, _company(company)

    return Status(*idempotent(request, c, payload.model_dump(), made))


@router.get("/companies/{pk}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
def get_company(request: HttpRequest, pk: int):
    c = caller(request)
    return _company(
        get_or_404(Company.objects.filter(workspace=c.workspace), "No such company", pk=pk)
    )


@router.patch("/companies/{pk}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
def update_company(request: HttpRequest, pk: int, payload: CompanyPatch):
    c = caller(request, Role.AGENT)
    obj = get_or_404(Company.objects.filter(workspace=c.workspace), "No such company", pk=pk)
    changes = payload.model_dump(exclude_unset=True)
    return _company(services.update_company(obj, by=Actor.of(c.user), changes=changes))


# ---- members -----------------------------------------------------------------------------


def _member(m: Membership) -> dict:
    return {
        "id": m.user_id,
        "name": m.user.name,
        "email": m.user.email,
        "role": m.role,
        "is_available": m.is_available,
    }


@router.get("/users", response={200: list[MemberOut], **ERRORS}, tags=["users"])
def list_users(request: HttpRequest):
    """The workspace's members with their roles."""
    c = caller(request)
    qs = Membership.objects.filter(workspace=c.workspace).select_related("user")
    return [_member(m) for m in qs.order_by("user__name", "user__email")]


@router.get("/users/me", response={200: MemberOut, **ERRORS}, tags=["users"])
def me(request: HttpRequest):
    return _member(caller(request).membership)


def _owner_rights(c: Caller, *roles: str) -> None:
    """Only owners give, take away or remove the owner role."""
    if Role.OWNER in roles:
        c.require(Role.OWNER)


@router.post("/users", response={201: MemberOut, **ERRORS}, tags=["users"])
def invite_user(request: HttpRequest, payload: MemberInvite):
    """Admins add someone by email with a role; a new person is emailed an invitation to
    choose a password."""
    c = caller(request, Role.ADMIN)
    if payload.role not in Role.values:
        raise invalid("role", f"must be one of: {', '.join(Role.values)}")
    _owner_rights(c, payload.role)
    m = accounts.invite_member(
        c.workspace, payload.email, role=payload.role, name=payload.name, invited_by=c.user
    )
    return Status(201, _member(m))


@router.delete("/users/{user_id}", response={204: None, **ERRORS}, tags=["users"])
def remove_user(request: HttpRequest, user_id: int):
    """Admins take someone out of the workspace (their tickets stay, unassigned from
    nobody: history keeps their name). The last owner cannot be removed."""
    c = caller(request, Role.ADMIN)
    m = get_or_404(
        Membership.objects.filter(workspace=c.workspace).select_related("user"),
        "No such member",
        user_id=user_id,
    )
    _owner_rights(c, m.role)
    accounts.remove_member(m)
    return Status(204, None)


@router.patch("/users/{user_id}", response={200: MemberOut, **ERRORS}, tags=["users"])
def update_user(request: HttpRequest, user_id: int, payload: MemberPatch):
    """Admins change roles (only owners grant or take away *owner*); anyone may set their
    own availability for round-robin assignment."""
    c = caller(request)
    m = get_or_404(
        Membership.objects.filter(workspace=c.workspace).select_related("user"),
        "No such member",
        user_id=user_id,
    )
    data = payload.model_dump(exclude_unset=True)
    if "role" in data and data["role"] != m.role:
        c.require(Role.ADMIN)
        _owner_rights(c, data["role"], m.role)
        accounts.change_role(m, data["role"])
    if "is_available" in data:
        if m.user_id != c.user.pk:
            c.require(Role.ADMIN)
        accounts.set_availability(m, data["is_available"])
    return _member(m)


# ---- API tokens --------------------------------------------------------------------------


def _token(t: ApiToken) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked": t.revoked_at is not None,
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, tags=["tokens"])
def list_tokens(request: HttpRequest):
    """Your own tokens for this workspace (never their secrets)."""
    c = caller(request)
    qs = ApiToken.objects.filter(workspace=c.workspace, user=c.user).order_by("-created_at")
    return [_token(t) for t in qs]


@router.post("/tokens", response={201: TokenCreated, **ERRORS}, tags=["tokens"])
def create_token(request: HttpRequest, payload: TokenIn):
    """A new personal token. Its secret is in this answer only: store it now."""
    c = caller(request)
    token, secret = accounts.create_api_token(c.workspace, c.user, payload.name)
    return Status(201, {**_token(token), "token": secret})


@router.delete("/tokens/{pk}", response={204: None, **ERRORS}, tags=["tokens"])
def revoke_token(request: HttpRequest, pk: int):
    """Revoke one of your tokens; owners and admins may revoke anyone's."""
    c = caller(request)
    qs = ApiToken.objects.filter(workspace=c.workspace)
    token = get_or_404(qs, "No such token", pk=pk)
    if token.user_id != c.user.pk:
        c.require(Role.ADMIN)
    accounts.revoke_api_token(token)
    return Status(204, None)
