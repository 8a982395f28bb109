"""The ticket query language agents type into the search box.

    refund "card declined" -spam     words (all must match), exact phrases, exclusions
    refun*                           prefix
    status:open,pending  -status:closed  status:unsolved   (comma = any of)
    priority:urgent  channel:email  tag:refund  team:billing  team:none
    assignee:me  assignee:none  assignee:ben@acme.test  requester:carla@example.com
    created>2026-01-01  updated<=2026-03-31  solved:2026-02-14   (dates in the workspace zone)
    created>7d  updated<48h  solved>30m  created<2w   (a time ago: within it with >, before
                                                       it with <; m, h, d or w)
    #1234                            the ticket with that number

Anything that looks like a filter but is not one is an error with a hint, so a typo such
as `stauts:open` never silently becomes a word search.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from frontline.lib import clock
from frontline.tickets.models import Channel, CustomerEmail, Priority, Status, Ticket

FILTER_KEYS = ("status", "priority", "channel", "tag", "team", "assignee", "requester")
DATE_KEYS = {"created": "created_at", "updated": "updated_at", "solved": "solved_at"}
UNSOLVED = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
MAX_TERMS = 20
# A time ago: "7d" is the moment seven days before now, so saved views such as
# "updated<48h" stay true as time passes.
_AGO = re.compile(r"(\d{1,5})([mhdw])")
_AGO_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:
        "(?P<phrase>[^"]*)"?                                  # "an exact phrase"
      | \#(?P<number>\d+)\b                                   # #1234
      | (?P<key>[A-Za-z_]+)(?P<op>:|>=|<=|>|<)
        (?:"(?P<qvalue>[^"]*)"?|(?P<value>[^\s]*))            # key:value, key:"a value"
      | (?P<word>[^\s"]+)                                     # a word
    )""",
    re.VERBOSE,
)
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


class QueryError(ValueError):
    """A query, order or cursor the user got wrong; the message is meant for them."""


@dataclass
class Term:
    text: str  # words separated by single spaces (a phrase when more than one)
    prefix: bool = False
    negated: bool = False


@dataclass
class Filter:
    key: str
    op: str
    values: list[str]
    negated: bool = False


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative_terms(self) -> list[Term]:
        return [t for t in self.terms if t.negated]


def _term(raw: str, negated: bool, prefix_allowed: bool = True) -> Term | None:
    prefix = prefix_allowed and raw.endswith("*")
    words = _WORDS.findall(raw.lower())
    if not words:
        return None  # punctuation alone matches nothing useful; ignore it
    return Term(" ".join(words), prefix=prefix, negated=negated)


def parse_query(text: str) -> Query:
    """Parse a query; QueryError with a message meant for the agent on bad syntax."""
    query = Query()
    for m in _TOKEN.finditer(text or ""):
        negated = bool(m["neg"])
        if m["phrase"] is not None:
            term = _term(m["phrase"], negated, prefix_allowed=False)
            if term:
                query.terms.append(term)
        elif m["number"]:
            query.numbers.append(int(m["number"]))
        elif m["key"]:
            key, op = m["key"].lower(), m["op"]
            value = m["qvalue"] if m["qvalue"] is not None else m["value"]
            query.filters.append(_filter(key, op, value, negated, m.group(0)))
        elif m["word"]:
            term = _term(m["word"], negated)
            if term:
                query.terms.append(term)
    if len(query.terms) > MAX_TERMS:
        raise QueryError(f"Too many search words; use at most {MAX_TERMS}")
    return query


def _filter(key: str, op: str, value: str, negated: bool, raw: str) -> Filter:
    if key in DATE_KEYS:
        if not value:
            raise QueryError(
                f"'{raw}' needs a date, like {key}>2026-01-31, or a time ago: {key}>7d"
            )
        if _AGO.fullmatch(value.lower()):
            if op == ":":
                raise QueryError(
                    f"'{raw}': a time ago needs > or <: {key}>{value} is within the last "
                    f"{value}, {key}<{value} longer ago"
                )
            return Filter(key, op, [value.lower()], negated)
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise QueryError(
                f"'{value}' is not a date; write it as YYYY-MM-DD, or a time ago such as 7d, "
                "48h or 30m"
            ) from None
        return Filter(key, op, [value], negated)
    if key not in FILTER_KEYS:
        known = ", ".join(FILTER_KEYS + tuple(DATE_KEYS))
        raise QueryError(
            f"Unknown filter '{key}:'. Filters are {known}; "
            f'to search for the text, put it in quotes: "{raw.lstrip("-")}"'
        )
    if op != ":":
        raise QueryError(f"'{raw}': use {key}:value ('{op}' works only with dates)")
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not values:
        raise QueryError(f"'{raw}' needs a value, like {key}:something")
    if key == "status":
        values = _expand_status(values)
    elif key == "priority":
        _check_choices(key, values, Priority.values)
    elif key == "channel":
        _check_choices(key, values, Channel.values)
    return Filter(key, op, values, negated)


def _expand_status(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        v = v.lower().replace("-", "_")
        if v == "unsolved":
            out.extend(UNSOLVED)
        elif v in Status.values:
            out.append(v)
        else:
            raise QueryError(
                f"Unknown status '{v}'; use one of {', '.join(Status.values)} or unsolved"
            )
    return out


def _check_choices(key: str, values: list[str], allowed: list[str]) -> None:
    for i, v in enumerate(values):
        values[i] = v = v.lower()
        if v not in allowed:
            raise QueryError(f"Unknown {key} '{v}'; use one of {', '.join(allowed)}")


# ---- turning filters into a queryset ---------------------------------------------------


def apply_filters(qs: QuerySet[Ticket], query: Query, *, user, workspace) -> QuerySet[Ticket]:
    """Narrow `qs` by the query's filters and ticket numbers (not by its words)."""
    if query.numbers:
        qs = qs.filter(number__in=query.numbers)
    for f in query.filters:
        condition = _condition(f, user=user, workspace=workspace)
        qs = qs.exclude(condition) if f.negated else qs.filter(condition)
    return qs


def _condition(f: Filter, *, user, workspace) -> Q:
    if f.key in DATE_KEYS:
        return _date_condition(DATE_KEYS[f.key], f.op, f.values[0], workspace)
    if f.key in ("status", "priority", "channel"):
        return Q(**{f"{f.key}__in": f.values})
    if f.key == "tag":
        through = Ticket.tags.through
        names = Q()
        for v in f.values:
            names |= Q(tag__name__iexact=v)
        return Q(Exists(through.objects.filter(names, ticket_id=OuterRef("pk"))))
    if f.key == "team":
        q = Q()
        for v in f.values:
            if v.lower() == "none":
                q |= Q(team__isnull=True)
            else:
                q |= Q(team__slug__iexact=v) | Q(team__name__iexact=v)
        return q
    if f.key == "assignee":
        q = Q()
        for v in f.values:
            if v.lower() == "me":
                q |= Q(assignee_id=user.pk)
            elif v.lower() == "none":
                q |= Q(assignee__isnull=True)
            else:
                q |= Q(assignee__email__iexact=v) | Q(assignee__name__iexact=v)
        return q
    # requester: an address (any of the customer's addresses) or part of a name
    q = Q()
    for v in f.values:
        if "@" in v:
            other = CustomerEmail.objects.filter(
                workspace=workspace, customer_id=OuterRef("requester_id"), email__iexact=v
            )
            q |= Q(requester__email__iexact=v) | Q(Exists(other))
        else:
            q |= Q(requester__name__icontains=v) | Q(requester__email__icontains=v)
    return q


def _date_condition(column: str, op: str, value: str, workspace) -> Q:
    ago = _AGO.fullmatch(value)
    if ago:  # > and >= mean after that moment (within the time), < and <= before it
        moment = clock.now() - dt.timedelta(**{_AGO_UNITS[ago[2]]: int(ago[1])})
        lookup = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[op]
        return Q(**{f"{column}__{lookup}": moment})
    day = dt.date.fromisoformat(value)
    tz = zoneinfo.ZoneInfo(workspace.time_zone)

    def start(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time.min, tzinfo=tz)

    next_day = start(day + dt.timedelta(days=1))
    if op == ">":
        return Q(**{f"{column}__gte": next_day})
    if op == ">=":
        return Q(**{f"{column}__gte": start(day)})
    if op == "<":
        return Q(**{f"{column}__lt": start(day)})
    if op == "<=":
        return Q(**{f"{column}__lt": next_day})
    return Q(**{f"{column}__gte": start(day), f"{column}__lt": next_day})
