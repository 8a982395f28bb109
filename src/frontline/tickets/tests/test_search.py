"""Search as agents use it: words, phrases, filters, ranking, snippets, pages, access.

Runs on SQLite (FTS5) and, in the PostgreSQL pass of the suite, on tsvector + GIN.
"""

import base64
import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontline.accounts.models import Workspace
from frontline.lib import clock
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.search import QueryError, find_tickets, fulltext, indexing, parse_query


def make(workspace, subject, body="Hello", **kw):
    kw.setdefault("requester_email", "someone@example.com")
    return services.create_ticket(workspace, by=Actor.of(None), subject=subject, body=body, **kw)


def numbers(page):
    return [t.number for t in page.tickets]


@pytest.fixture
def tickets(workspace, agent, agent2):
    billing = services.create_team(workspace, by=Actor.of(agent), name="Billing")
    return {
        "refund": make(
            workspace,
            "Refund for a double charge",
            "I was charged twice for my order, please refund me.",
            tags=["refund"],
            team=billing,
            priority="urgent",
            assignee=agent,
        ),
        "declined": make(
            workspace,
            "Card declined",
            "My card was declined at the shop although I have money.",
            requester_email="carla@example.com",
        ),
        "body_only": make(
            workspace,
            "Question about my statement",
            "Could you explain the refund line on my statement?",
            status="pending",
            assignee=agent2,
        ),
        "solved": make(workspace, "Thanks", "The refunded amount arrived.", status="solved"),
    }


def test_words_match_subject_and_body_and_subject_ranks_first(agent, workspace, tickets):
    page = find_tickets(agent, workspace, "refund")
    assert page.total == 2
    assert numbers(page) == [tickets["refund"].number, tickets["body_only"].number]


def test_every_word_must_match(agent, workspace, tickets):
    assert numbers(find_tickets(agent, workspace, "refund statement")) == [
        tickets["body_only"].number
    ]
    assert find_tickets(agent, workspace, "refund banana").total == 0


def test_exact_phrase_and_prefix(agent, workspace, tickets):
    assert numbers(find_tickets(agent, workspace, '"card was declined"')) == [
        tickets["declined"].number
    ]
    assert find_tickets(agent, workspace, '"declined card"').total == 0
    assert {t.number for t in find_tickets(agent, workspace, "refun*").tickets} == {
        tickets["refund"].number,
        tickets["body_only"].number,
        tickets["solved"].number,
    }


def test_excluded_words(agent, workspace, tickets):
    assert numbers(find_tickets(agent, workspace, "refund -statement")) == [
        tickets["refund"].number
    ]
    only_negative = find_tickets(agent, workspace, "-refund -declined")
    assert set(numbers(only_negative)) == {tickets["solved"].number}


def test_filters_combine_with_words(agent, agent2, workspace, tickets):
    def found(q):
        return set(numbers(find_tickets(agent, workspace, q)))

    assert found("status:pending") == {tickets["body_only"].number}
    assert found("status:unsolved refund") == {
        tickets["refund"].number,
        tickets["body_only"].number,
    }
    assert found("-status:solved,pending") == {tickets["refund"].number, tickets["declined"].number}
    assert found("priority:urgent") == {tickets["refund"].number}
    assert found("tag:REFUND") == {tickets["refund"].number}
    assert found("team:billing") == {tickets["refund"].number}
    assert tickets["declined"].number in found("team:none")
    assert found("assignee:me") == {tickets["refund"].number}
    assert found(f"assignee:{agent2.email}") == {tickets["body_only"].number}
    assert found("assignee:none") == {tickets["declined"].number, tickets["solved"].number}
    assert found("requester:carla@example.com") == {tickets["declined"].number}
    assert found(f"#{tickets['solved'].number}") == {tickets["solved"].number}


def test_date_filters_use_the_workspace_time_zone(agent, workspace):
    # 23:30 UTC on 31 Jan is 00:30 on 1 Feb in Paris (the workspace's zone).
    late = make(workspace, "Late", created_at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC))
    early = make(workspace, "Early", created_at=dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC))

    def found(q):
        return set(numbers(find_tickets(agent, workspace, q)))

    assert found("created:2026-02-01") == {late.number}
    assert found("created<2026-02-01") == {early.number}
    assert found("created>2026-01-10 created<=2026-02-01") == {late.number}


def test_a_time_ago_keeps_a_saved_view_current_as_time_passes(agent, workspace):
    now = timezone.now()
    ten_days = make(workspace, "Ten days old", created_at=now - dt.timedelta(days=10))
    two_days = make(workspace, "Two days old", created_at=now - dt.timedelta(days=2))
    fresh = make(workspace, "An hour old", created_at=now - dt.timedelta(hours=1))

    def found(q):
        return set(numbers(find_tickets(agent, workspace, q)))

    assert found("created>7d") == {two_days.number, fresh.number}
    assert found("created<7d") == {ten_days.number}
    assert found("created>90m") == {fresh.number}
    assert found("created<=1w created>=2W") == {ten_days.number}
    assert found("updated<36h") == {ten_days.number, two_days.number}
    # Six days later the same words mean a later moment: the two-day-old ticket has aged out.
    with clock.replaying(now + dt.timedelta(days=6)):
        assert found("created>7d") == {fresh.number}


def test_snippet_highlights_matches_and_escapes_customer_html(agent, workspace):
    make(workspace, "Weird", "Text <script>alert(1)</script> about a chargeback dispute.")
    hit = find_tickets(agent, workspace, "chargeback").hits[0]
    assert "<mark>chargeback</mark>" in hit.snippet
    # The only tags in a snippet are our <mark>s (PostgreSQL drops the tag, SQLite escapes it).
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("stauts:open", "Unknown filter 'stauts:'"),
        ("status:closedd", "Unknown status 'closedd'"),
        ("priority:critical", "Unknown priority 'critical'"),
        ("created>yesterday", "is not a date"),
        ("created:7d", "a time ago needs > or <"),
        ("tag>refund", "works only with dates"),
    ],
)
def test_bad_query_says_what_is_wrong(query, message):
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def test_search_operators_typed_by_users_are_plain_text(agent, workspace):
    make(workspace, "Near miss", "The word NEAR and AND appear here: a OR b.")
    assert find_tickets(agent, workspace, "NEAR AND").total == 1
    assert find_tickets(agent, workspace, '"unbalanced').total == 0
    assert find_tickets(agent, workspace, "^*:()").total >= 0  # no crash on punctuation


def test_other_workspace_tickets_never_found(agent, stranger, workspace, other_workspace, tickets):
    make(other_workspace, "Refund elsewhere", "refund refund refund")
    assert find_tickets(stranger, other_workspace, "refund").total == 1
    assert find_tickets(agent, workspace, "refund").total == 2
    assert find_tickets(stranger, workspace, "refund").total == 0


def test_agents_limited_to_own_and_team_tickets_when_the_workspace_says_so(
    agent, agent2, admin, workspace, tickets
):
    workspace.agent_ticket_visibility = Workspace.TicketVisibility.OWN_AND_TEAMS
    workspace.save()
    assert set(numbers(find_tickets(agent2, workspace, "refund"))) == {tickets["body_only"].number}
    assert find_tickets(admin, workspace, "refund").total == 2


def test_new_replies_are_searchable(agent, workspace, tickets):
    services.reply(tickets["declined"], by=Actor.of(agent), body="Try the contactless limit.")
    assert numbers(find_tickets(agent, workspace, "contactless")) == [tickets["declined"].number]


def test_keyset_pages_cover_everything_once_and_ignore_new_tickets(agent, workspace):
    made = [make(workspace, f"Ticket {i}") for i in range(7)]
    first = find_tickets(agent, workspace, "", order="-number", limit=3)
    assert first.total == 7 and numbers(first) == [7, 6, 5]
    make(workspace, "Arrives while paging")
    second = find_tickets(agent, workspace, "", order="-number", limit=3, cursor=first.next_cursor)
    third = find_tickets(agent, workspace, "", order="-number", limit=3, cursor=second.next_cursor)
    assert numbers(second) == [4, 3, 2] and numbers(third) == [1]
    assert third.next_cursor is None
    assert len(made) == 7


def test_priority_order_is_by_urgency_not_alphabet(agent, workspace):
    for p in ("low", "urgent", "normal", "high"):
        make(workspace, p, priority=p)
    page = find_tickets(agent, workspace, "", order="-priority")
    assert [t.priority for t in page.tickets] == ["urgent", "high", "normal", "low"]


def test_relevance_pages_beyond_the_rank_window(agent, workspace, monkeypatch):
    monkeypatch.setattr(fulltext, "RANK_WINDOW", 3)
    for i in range(8):
        make(workspace, f"Parcel {i}", "parcel " * (1 + i % 3))
    seen = []
    cursor = None
    while True:
        page = find_tickets(agent, workspace, "parcel", limit=3, cursor=cursor)
        assert page.total == 8
        seen += numbers(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == list(range(1, 9))
    assert seen[3:] == sorted(seen[3:], reverse=True)  # past the window: newest first


def test_bad_cursor_is_an_error(agent, workspace, tickets):
    with pytest.raises(QueryError, match="cursor is not valid"):
        find_tickets(agent, workspace, "", cursor="garbage!!")
    forged = base64.urlsafe_b64encode(b'{"after": ["yesterday", "x"]}').decode()
    with pytest.raises(QueryError, match="cursor is not valid"):
        find_tickets(agent, workspace, "", cursor=forged)


def test_query_count_does_not_grow_with_the_page(agent, workspace):
    for i in range(30):
        make(workspace, f"Lost card {i}", "I lost my card", tags=["cards", f"t{i}"])

    def queries(limit, text):
        with CaptureQueriesContext(connection) as ctx:
            page = find_tickets(agent, workspace, text, limit=limit)
            for t in page.tickets:
                (t.requester.email, t.team, t.assignee, [x.name for x in t.tags.all()])
        return len(ctx.captured_queries)

    queries(1, "")  # the first call also looks up the agent's membership (then cached)
    assert queries(2, "") == queries(25, "") <= 4
    queries(1, "lost")  # the first search also indexes the new tickets (SQLite)
    # count, rank, snippets, rows, tags (+ on SQLite: is a document waiting to be indexed?
    # may the index alone count?)
    assert queries(2, "lost card") == queries(25, "lost card") <= 7


def test_index_only_counts_and_ranks_like_the_checked_path(agent, workspace, monkeypatch):
    # Alone in the database, an unfiltered search counts and ranks from the index alone;
    # it must give the same pages as checking every match against the tickets table.
    for i in range(12):
        make(workspace, f"Parcel {i}", "parcel " * (1 + i % 4) + ("late" if i % 3 else ""))
    services.merge_tickets(
        find_tickets(agent, workspace, "#2").tickets[0],
        find_tickets(agent, workspace, "#1").tickets[0],
        by=Actor.of(agent),
    )

    def pages(text):
        return [(p.total, numbers(p)) for p in [find_tickets(agent, workspace, text, limit=5)]]

    assert fulltext.index_only(workspace.pk)
    fast = [pages(t) for t in ("parcel", "late", "parcel -late", "parcel*")]
    monkeypatch.setattr(fulltext, "index_only", lambda workspace_id: False)
    assert [pages(t) for t in ("parcel", "late", "parcel -late", "parcel*")] == fast
    assert fast[0][0][0] == 12


def test_index_only_is_off_when_other_workspaces_have_documents(workspace, other_workspace):
    make(other_workspace, "Refund elsewhere", "refund")
    assert fulltext.index_only(other_workspace.pk)  # alone with documents so far
    make(workspace, "Refund here", "refund")
    expected = connection.vendor == "postgresql"  # its index has a workspace column
    assert fulltext.index_only(workspace.pk) is expected
    assert fulltext.index_only(other_workspace.pk) is expected


@pytest.mark.parametrize(
    "text", ["", "refund", "refund -double", "-refund", "status:open", "refund status:pending"]
)
def test_count_tickets_agrees_with_the_total_of_a_search(agent, workspace, tickets, text):
    from frontline.tickets.search import count_tickets

    assert count_tickets(agent, workspace, text) == find_tickets(agent, workspace, text).total


# ---- the SQLite index is written in batches (search.indexing) ---------------------------

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps its GIN index up to date itself"
)


def _fts_is_whole() -> None:
    if connection.vendor == "sqlite":  # raises if the index disagrees with the documents
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO tickets_search_fts(tickets_search_fts) VALUES('integrity-check')"
            )


def _queue() -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT ticket_id FROM tickets_search_queue ORDER BY ticket_id")
        return [row[0] for row in cur.fetchall()]


def test_changes_are_found_at_once_whether_or_not_they_were_indexed_yet(agent, workspace):
    first = make(workspace, "Parcel lost", "Where is my parcel?")
    assert numbers(find_tickets(agent, workspace, "parcel")) == [first.number]  # indexed now
    # Changed after indexing: the old text leaves the index, the new one is found.
    services.update_ticket(first, by=Actor.of(agent), changes={"subject": "Package missing"})
    services.reply(first, by=Actor.of(agent), body="We are tracing the consignment.")
    # Changed while still waiting to be indexed, then deleted.
    second = make(workspace, "Wrong parcel delivered", "Not my parcel")
    services.update_ticket(second, by=Actor.of(agent), changes={"subject": "Wrong box delivered"})
    third = make(workspace, "Parcel never sent", "parcel")
    third.delete()

    assert numbers(find_tickets(agent, workspace, "lost")) == []
    assert numbers(find_tickets(agent, workspace, "package consignment")) == [first.number]
    assert numbers(find_tickets(agent, workspace, "box")) == [second.number]
    assert numbers(find_tickets(agent, workspace, "parcel")) == [second.number, first.number]
    _fts_is_whole()


@sqlite_only
def test_writes_leave_the_index_to_a_batch_of_documents(
    agent, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(indexing, "_written", 0)
    created = []
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(indexing.BATCH - 1):
            created.append(make(workspace, f"Card {i} stolen"))
    # The creates did not touch the full-text index: the documents wait in the queue.
    assert _queue() == [t.pk for t in created]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM tickets_search_fts WHERE tickets_search_fts MATCH 'stolen'"
        )
        assert cur.fetchone()[0] == 0
    with django_capture_on_commit_callbacks(execute=True):
        created.append(make(workspace, "Card stolen again"))  # the batch is full: indexed
    assert _queue() == []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM tickets_search_fts WHERE tickets_search_fts MATCH 'stolen'"
        )
        assert cur.fetchone()[0] == indexing.BATCH
    _fts_is_whole()


@sqlite_only
def test_a_long_queue_is_indexed_in_several_transactions(agent, workspace, monkeypatch):
    monkeypatch.setattr(indexing, "CHUNK", 3)
    for i in range(7):
        make(workspace, f"Transfer {i} pending")
    assert len(_queue()) == 7
    assert find_tickets(agent, workspace, "transfer").total == 7
    assert _queue() == []
    _fts_is_whole()


@sqlite_only
def test_a_failed_index_batch_loses_no_ticket(
    agent, workspace, monkeypatch, django_capture_on_commit_callbacks
):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(indexing, "_written", indexing.BATCH - 1)
    monkeypatch.setattr(indexing, "index_queued", locked)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make(workspace, "Cheque bounced")  # its batch fails after the commit
    assert ticket.pk in _queue()
    monkeypatch.undo()
    assert numbers(find_tickets(agent, workspace, "cheque")) == [ticket.number]
