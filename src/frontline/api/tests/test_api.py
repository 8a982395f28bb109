"""The JSON API through HTTP, as each persona: auth, tickets, errors, idempotency, access."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from frontline.accounts.services import create_api_token, revoke_api_token
from frontline.testing.api_client import Api, api_for
from frontline.testing.personas import PASSWORD
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Customer, Message, Ticket

NEW = {
    "subject": "Card stuck in ATM",
    "body": "The machine kept my card.",
    "requester_email": "dan@example.com",
    "requester_name": "Dan Doe",
}


# ---- authentication ----------------------------------------------------------------------


def test_without_credentials_the_answer_is_401_with_a_hint(db):
    r = Api(None).get("/tickets")
    assert r.status_code == 401
    assert r.data["code"] == "unauthorized" and "Bearer" in r.data["message"]


def test_revoked_or_forged_tokens_are_refused(agent, workspace):
    token, secret = create_api_token(workspace, agent, "laptop")
    assert Api(secret).get("/tickets").status_code == 200
    revoke_api_token(token)
    r = Api(secret).get("/tickets")
    assert r.status_code == 401 and r.data["code"] == "unauthorized"
    assert Api(secret[:-2] + "xx").get("/tickets").status_code == 401
    assert Api("not-a-token").get("/tickets").status_code == 401


def test_session_users_need_csrf_for_changes(agent, workspace):
    client = Client(enforce_csrf_checks=True)
    client.login(email=agent.email, password=PASSWORD)
    assert client.get("/api/tickets").status_code == 200
    r = client.post("/api/tickets", json.dumps(NEW), content_type="application/json")
    assert r.status_code == 403
    assert not Ticket.objects.exists()


def test_openapi_schema_and_docs_are_published(db):
    r = Client().get("/api/openapi.json")
    assert r.status_code == 200
    assert "/api/tickets" in r.json()["paths"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    # The interactive docs work offline: their scripts come from this server, not a CDN.
    page = docs.content.decode()
    assert "cdn." not in page and "/static/ninja/swagger-ui-bundle.js" in page
    assets = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert assets.status_code == 200


# ---- tickets -----------------------------------------------------------------------------


def test_agent_creates_reads_and_updates_a_ticket(as_agent, agent, workspace):
    services.create_team(workspace, by=Actor.of(agent), name="Cards")
    r = as_agent.post("/tickets", {**NEW, "priority": "high", "tags": ["atm"], "team": "cards"})
    assert r.status_code == 201, r.data
    t = r.data
    assert (t["status"], t["priority"], t["tags"], t["team"]["slug"]) == (
        "new",
        "high",
        ["atm"],
        "cards",
    )
    assert t["requester"]["email"] == "dan@example.com"

    r = as_agent.patch(f"/tickets/{t['number']}", {"status": "pending", "assignee": agent.email})
    assert r.status_code == 200, r.data
    assert r.data["status"] == "pending" and r.data["assignee"]["id"] == agent.pk

    detail = as_agent.get(f"/tickets/{t['number']}").data
    assert [m["body_text"] for m in detail["messages"]] == ["The machine kept my card."]

    history = as_agent.get(f"/events?ticket={t['number']}").data["items"]
    assert {"ticket.created", "ticket.status", "ticket.assignee"} <= {e["kind"] for e in history}
    status_change = next(e for e in history if e["kind"] == "ticket.status")
    assert (status_change["before"], status_change["after"]) == ("new", "pending")
    assert status_change["actor"]["email"] == agent.email


def test_a_create_answers_with_its_tags_including_those_triage_added(as_agent):
    def create(body):
        with CaptureQueriesContext(connection) as ctx:
            r = as_agent.post("/tickets", body)
        assert r.status_code == 201, r.data
        read_back = [
            q["sql"]
            for q in ctx.captured_queries
            if 'FROM "tickets_tag" INNER JOIN "tickets_ticket_tags"' in q["sql"]
        ]
        return r.data["tags"], read_back

    # The tags asked for are in hand: the answer lists them without reading them back.
    assert create({**NEW, "tags": ["card", "atm"]}) == (["atm", "card"], [])
    # Triage's tag changes the ticket's tags after they were in hand: read again.
    upset = "This is ridiculous. Third time I ask and still nothing. Unacceptable!!!"
    tags, read_back = create({**NEW, "body": upset, "tags": ["atm"]})
    assert tags == ["atm", "frustrated"] and read_back
    number = as_agent.get("/tickets?q=ridiculous").data["items"][0]["number"]
    assert as_agent.get(f"/tickets/{number}").data["tags"] == ["atm", "frustrated"]


def test_fast_endpoints_still_match_their_documented_schemas(as_agent, ticket):
    from frontline.api.schemas import MessageOut, TicketDetail, TicketOut, TicketPage

    TicketPage.model_validate(as_agent.get("/tickets?q=declined").data)
    TicketPage.model_validate(as_agent.get("/tickets").data)
    TicketDetail.model_validate(as_agent.get(f"/tickets/{ticket.number}").data)
    TicketOut.model_validate(as_agent.post("/tickets", NEW).data)
    MessageOut.model_validate(
        as_agent.post(f"/tickets/{ticket.number}/messages", {"body": "Hi"}).data
    )


def test_reply_and_note_join_the_conversation(as_agent, ticket):
    r = as_agent.post(
        f"/tickets/{ticket.number}/messages",
        {"type": "reply", "body": "We sent a new card.", "status": "solved"},
    )
    assert r.status_code == 201 and r.data["visibility"] == "public"
    r = as_agent.post(f"/tickets/{ticket.number}/messages", {"type": "note", "body": "VIP"})
    assert r.status_code == 201 and r.data["visibility"] == "internal"
    messages = as_agent.get(f"/tickets/{ticket.number}/messages").data
    assert [m["author_type"] for m in messages] == ["customer", "agent", "agent"]
    assert as_agent.get(f"/tickets/{ticket.number}").data["status"] == "solved"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({**NEW, "colour": "red"}, 422, "invalid", "colour"),
        ({**NEW, "subject": "  "}, 422, "invalid", "subject"),
        ({**NEW, "status": "exploded"}, 422, "invalid", "status"),
        ({**NEW, "priority": "critical"}, 422, "invalid", "priority"),
        ({**NEW, "requester_email": "not-an-address"}, 422, "invalid", "email"),
        ({**NEW, "assignee": "nobody@nowhere.test"}, 422, "invalid", "assignee"),
        ({**NEW, "body": "x" * 2_000_001}, 422, "invalid", "body"),
        ({**NEW, "attachments": [999]}, 422, "invalid", "attachments"),
    ],
)
def test_bad_create_requests_say_what_is_wrong_and_store_nothing(
    as_agent, body, status, code, field
):
    r = as_agent.post("/tickets", body)
    assert r.status_code == status, r.data
    assert r.data["code"] == code
    assert any(field in d["field"] for d in r.data["details"]), r.data
    assert not Ticket.objects.exists()


def test_malformed_json_is_a_400(as_agent):
    r = as_agent.call("post", "/tickets", '{"subject": "oops",')
    assert r.status_code == 400
    assert r.data == {
        "code": "bad_request",
        "message": "The request body is not valid JSON",
        "details": [],
    }


def test_huge_json_body_is_a_413(as_agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    r = as_agent.post("/tickets", {**NEW, "body": "x" * (2 * 1024 * 1024)})
    assert r.status_code == 413 and r.data["code"] == "too_large"
    assert not Ticket.objects.exists()


def test_idempotency_key_makes_retries_safe(as_agent):
    first = as_agent.post("/tickets", NEW, **{"Idempotency-Key": "abc-1"})
    again = as_agent.post("/tickets", NEW, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.data["number"] == again.data["number"]
    assert Ticket.objects.count() == 1
    other = as_agent.post(
        "/tickets", {**NEW, "subject": "Different"}, **{"Idempotency-Key": "abc-1"}
    )
    assert other.status_code == 422 and other.data["code"] == "idempotency_key_reused"
    assert as_agent.post("/tickets", NEW, **{"Idempotency-Key": "abc-2"}).status_code == 201
    assert Ticket.objects.count() == 2


def test_merge_moves_the_conversation_to_the_survivor(as_agent, ticket, workspace, customer):
    other = services.create_ticket(
        workspace,
        by=Actor.of(customer),
        subject="Card declined again",
        body="Still declined.",
        requester=customer,
    )
    r = as_agent.post(f"/tickets/{other.number}/merge", {"into": ticket.number})
    assert r.status_code == 200 and r.data["number"] == ticket.number
    merged = as_agent.get(f"/tickets/{other.number}").data
    assert merged["merged_into"] == ticket.number and merged["status"] == "closed"
    texts = [m["body_text"] for m in as_agent.get(f"/tickets/{ticket.number}/messages").data]
    assert "Still declined." in texts


def test_bulk_update_reports_each_ticket(as_agent, ticket, workspace, customer):
    second = services.create_ticket(
        workspace, by=Actor.of(customer), subject="Two", body="x", requester=customer
    )
    r = as_agent.post(
        "/tickets/bulk",
        {
            "numbers": [ticket.number, second.number, 999],
            "changes": {"priority": "urgent", "add_tags": ["vip"]},
        },
    )
    assert r.status_code == 200
    assert sorted(r.data["updated"]) == [ticket.number, second.number]
    assert r.data["failed"] == [{"number": 999, "code": "not_found", "message": "No such ticket"}]
    assert set(Ticket.objects.values_list("priority", flat=True)) == {"urgent"}


def test_round_robin_takes_turns(as_agent, agent, agent2, workspace, customer):
    team = services.create_team(workspace, by=Actor.of(agent), name="Cards")
    services.set_team_members(team, [agent, agent2], by=Actor.of(agent))
    got = []
    for i in range(4):
        t = services.create_ticket(
            workspace, by=Actor.of(customer), subject=f"T{i}", body="x", requester=customer
        )
        r = as_agent.post(f"/tickets/{t.number}/round-robin", {"team": "cards"})
        got.append(r.data["assignee"]["id"])
    assert got.count(agent.pk) == got.count(agent2.pk) == 2
    assert got[0] != got[1]


def test_macro_applies_reply_and_changes(as_agent, as_admin, ticket):
    r = as_admin.post(
        "/macros",
        {
            "name": "Close politely",
            "body": "Hi {{requester.first_name}}!",
            "actions": {"status": "solved", "add_tags": ["closed-by-macro"]},
        },
    )
    assert r.status_code == 201, r.data
    r = as_agent.post(f"/tickets/{ticket.number}/macros/{r.data['id']}")
    assert r.status_code == 200
    assert r.data["status"] == "solved" and "closed-by-macro" in r.data["tags"]
    assert Message.objects.filter(ticket=ticket, body_text="Hi Carla!").exists()


def test_a_macro_moves_the_ticket_to_a_team_named_by_slug_or_id(as_agent, as_admin, ticket, agent):
    team = services.create_team(ticket.workspace, by=Actor.of(agent), name="Cards")
    for given in ("cards", team.pk):
        r = as_admin.post("/macros", {"name": f"To cards {given}", "actions": {"team": given}})
        assert r.status_code == 201, r.data
        assert r.data["actions"] == {"team": "cards"}
    moved = as_agent.post(f"/tickets/{ticket.number}/macros/{r.data['id']}")
    assert moved.status_code == 200 and moved.data["team"]["slug"] == "cards"
    bad = as_admin.post("/macros", {"name": "Nowhere", "actions": {"team": "nope"}})
    assert bad.status_code == 422 and "no team with this slug" in str(bad.data)


def test_tickets_carry_what_the_assistant_read_in_them(as_agent, customer):
    r = as_agent.post(
        "/tickets",
        {"subject": "Money", "body": "THIS IS THE THIRD TIME I ASK, WHERE IS MY MONEY",
         "requester_email": "dee@example.com"},
    )  # fmt: skip
    assert r.status_code == 201, r.data
    triage = r.data["triage"]
    assert triage["frustrated"] and "all caps" in triage["signals"]
    assert triage["language"] == "en" and -1 <= triage["sentiment"] <= 1
    assert triage["intent"] is None and triage["model_version"] is None  # no model trained
    listed = as_agent.get("/tickets?q=money").data["items"][0]
    assert listed["triage"] == triage == as_agent.get(f"/tickets/{r.data['number']}").data["triage"]


# ---- search and lists --------------------------------------------------------------------


def test_search_through_the_api(as_agent, ticket):
    r = as_agent.get("/tickets?q=declined+status:new")
    assert r.status_code == 200
    assert r.data["count"] == 1
    assert "<mark>declined</mark>" in r.data["items"][0]["snippet"]
    bad = as_agent.get("/tickets?q=stauts:open")
    assert bad.status_code == 422 and bad.data["code"] == "invalid_query"
    assert "Unknown filter" in bad.data["message"]
    # A filter outside `q` is not silently ignored (it would list every ticket).
    stray = as_agent.get("/tickets?status=open")
    assert stray.status_code == 422 and "unknown query parameter" in str(stray.data)
    assert as_agent.get("/customers?nme=carla").status_code == 422
    assert as_agent.get("/events?tiket=1").status_code == 422


def test_list_pages_with_a_cursor(as_agent, workspace, customer):
    for i in range(5):
        services.create_ticket(
            workspace, by=Actor.of(customer), subject=f"T{i}", body="x", requester=customer
        )
    page1 = as_agent.get("/tickets?order=-number&limit=2").data
    page2 = as_agent.get(f"/tickets?order=-number&limit=2&cursor={page1['next']}").data
    assert page1["count"] == 5
    assert [t["number"] for t in page1["items"] + page2["items"]] == [5, 4, 3, 2]
    assert as_agent.get("/tickets?limit=1000").status_code == 422


def test_ticket_list_query_count_stays_flat(as_agent, workspace, customer, agent):
    def make(n):
        for i in range(n):
            services.create_ticket(
                workspace,
                by=Actor.of(customer),
                subject=f"T{i}",
                body="x",
                requester=customer,
                tags=[f"t{i}", "all"],
                assignee=agent,
            )

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert as_agent.get("/tickets?limit=100").status_code == 200
        return len(ctx.captured_queries)

    make(2)
    count_queries()  # the first call also stamps the token's last use
    few = count_queries()
    make(20)
    assert count_queries() == few <= 7  # the page's triage comes in one query of its own


# ---- access ------------------------------------------------------------------------------


def test_viewer_reads_but_cannot_change(as_viewer, ticket):
    assert as_viewer.get(f"/tickets/{ticket.number}").status_code == 200
    r = as_viewer.patch(f"/tickets/{ticket.number}", {"status": "solved"})
    assert r.status_code == 403 and r.data["code"] == "forbidden"
    assert as_viewer.post("/tickets", NEW).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/tickets/{n}", None),
        ("patch", "/tickets/{n}", {"status": "solved"}),
        ("get", "/tickets/{n}/messages", None),
        ("post", "/tickets/{n}/messages", {"body": "hi"}),
        ("post", "/tickets/{n}/merge", {"into": 1}),
        ("get", "/events?ticket={n}", None),
    ],
)
def test_stranger_cannot_reach_another_workspaces_ticket(as_stranger, ticket, method, path, body):
    args = (body,) if body is not None else ()
    r = getattr(as_stranger, method)(path.format(n=ticket.number), *args)
    assert r.status_code == 404, r.data
    assert as_stranger.get("/tickets").data["count"] == 0
    ticket.refresh_from_db()
    assert ticket.status == "new" and ticket.messages.count() == 1


def test_stranger_cannot_download_another_workspaces_attachment(as_agent, as_stranger, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    up = as_agent.client.post(
        "/api/attachments",
        {"file": SimpleUploadedFile("a.txt", b"secret")},
        headers=as_agent.headers,
    ).json()
    as_agent.post(
        f"/tickets/{ticket.number}/messages", {"body": "see file", "attachments": [up["id"]]}
    )
    assert as_stranger.get(f"/attachments/{up['id']}").status_code == 404
    r = as_agent.client.get(up["url"], headers=as_agent.headers)
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"secret"
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"


def test_oversized_attachment_is_refused(as_agent, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FRONTLINE_MAX_ATTACHMENT_BYTES = 1024
    r = as_agent.client.post(
        "/api/attachments",
        {"file": SimpleUploadedFile("big.bin", b"x" * 2048)},
        headers=as_agent.headers,
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_workspace_log_is_for_admins(as_agent, as_admin, ticket):
    assert as_agent.get("/events").status_code == 403
    kinds = [e["kind"] for e in as_admin.get("/events").data["items"]]
    assert "ticket.created" in kinds


# ---- configuration, people, tokens ------------------------------------------------------


def test_admins_configure_and_agents_only_read(as_admin, as_agent, agent):
    r = as_admin.post("/teams", {"name": "Billing", "members": [agent.email]})
    assert r.status_code == 201 and r.data["members"] == [agent.pk]
    assert as_agent.post("/teams", {"name": "Rogue"}).status_code == 403
    assert [t["slug"] for t in as_agent.get("/teams").data] == ["billing"]
    r = as_admin.post(
        "/custom-fields",
        {"key": "plan", "label": "Plan", "type": "select", "choices": ["free", "pro"]},
    )
    assert r.status_code == 201
    bad = as_admin.post("/custom-fields", {"key": "x", "label": "X", "type": "select"})
    assert bad.status_code == 422 and bad.data["details"][0]["field"] == "choices"
    assert as_agent.post("/tags", {"name": "Needs Love"}).data["name"] == "needs-love"
    tag_id = as_agent.get("/tags").data[0]["id"]
    assert as_agent.delete(f"/tags/{tag_id}").status_code == 403
    assert as_admin.delete(f"/tags/{tag_id}").status_code == 204


def test_custom_fields_are_validated_on_tickets(as_admin, as_agent):
    as_admin.post(
        "/custom-fields",
        {"key": "plan", "label": "Plan", "type": "select", "choices": ["free", "pro"]},
    )
    r = as_agent.post("/tickets", {**NEW, "custom_fields": {"plan": "gold"}})
    assert r.status_code == 422 and r.data["details"][0]["field"].endswith("plan")
    r = as_agent.post("/tickets", {**NEW, "custom_fields": {"plan": "pro"}})
    assert r.status_code == 201 and r.data["custom_fields"] == {"plan": "pro"}


def test_saved_views_personal_and_shared(as_admin, as_agent, ticket):
    r = as_agent.post("/views", {"name": "Mine", "query": "assignee:me", "shared": False})
    assert r.status_code == 201 and r.data["shared"] is False
    assert as_agent.post("/views", {"name": "Team", "query": ""}).status_code == 403
    shared = as_admin.post("/views", {"name": "New ones", "query": "status:new"}).data
    assert as_agent.get(f"/views/{shared['id']}/tickets").data["count"] == 1
    assert as_admin.post("/views", {"name": "Bad", "query": "stauts:x"}).status_code == 422
    assert [v["name"] for v in as_admin.get("/views").data] == ["New ones"]


def test_customers_and_companies(as_agent, customer):
    co = as_agent.post("/companies", {"name": "Initech", "domains": ["initech.test"]}).data
    r = as_agent.post(
        "/customers", {"name": "Peter", "email": "peter@initech.test", "company": co["id"]}
    )
    assert r.status_code == 201 and r.data["company"] == co["id"]
    dup = as_agent.post("/customers", {"name": "P2", "email": "peter@initech.test"})
    assert dup.status_code == 409 and dup.data["code"] == "email_taken"
    found = as_agent.get("/customers?q=carla").data["items"]
    assert [c["email"] for c in found] == ["carla@example.com"]
    r = as_agent.patch(f"/customers/{customer.pk}", {"phone": "+33 1 23 45 67 89"})
    assert r.data["phone"] == "+33 1 23 45 67 89"


def test_a_retried_create_of_customers_companies_and_teams_makes_one(as_agent, as_admin):
    for api, path, body in (
        (as_agent, "/customers", {"name": "Peter", "email": "peter@initech.test"}),
        (as_agent, "/companies", {"name": "Initech"}),
        (as_admin, "/teams", {"name": "Billing"}),
    ):
        key = {"Idempotency-Key": f"k-{path}"}
        first, again = api.post(path, body, **key), api.post(path, body, **key)
        assert first.status_code == again.status_code == 201, (path, first.data)
        assert again.data == first.data  # the first answer, not a duplicate or a 409
        listed = api.get(path).data
        listed = listed["items"] if isinstance(listed, dict) else listed
        assert [x["name"] for x in listed].count(body["name"]) == 1, path
        changed = api.post(path, {**body, "name": "Other"}, **key)
        assert changed.status_code == 422 and changed.data["code"] == "idempotency_key_reused"


def test_roles_and_the_last_owner(owner, as_admin, agent, workspace):
    as_owner = api_for(owner, workspace)
    assert as_admin.patch(f"/users/{agent.pk}", {"role": "owner"}).status_code == 403
    assert as_admin.patch(f"/users/{agent.pk}", {"role": "viewer"}).data["role"] == "viewer"
    r = as_owner.patch(f"/users/{owner.pk}", {"role": "admin"})
    assert r.status_code == 409 and r.data["code"] == "last_owner"
    assert {u["email"] for u in as_admin.get("/users").data} >= {owner.email, agent.email}


@pytest.mark.django_db(transaction=True)
def test_admins_invite_and_remove_members_through_the_api(owner, as_admin, as_agent, agent):
    from django.core import mail

    from frontline.testing.personas import run_tasks

    new = {"email": "Nina@Acme.test", "role": "agent", "name": "Nina"}
    assert as_agent.post("/users", new).status_code == 403  # agents do not invite
    assert as_admin.post("/users", {**new, "role": "owner"}).status_code == 403
    assert as_admin.post("/users", {**new, "role": "boss"}).status_code == 422
    r = as_admin.post("/users", new)
    assert r.status_code == 201 and (r.data["email"], r.data["role"]) == ("nina@acme.test", "agent")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["nina@acme.test"]]  # the invitation
    assert as_admin.post("/users", new).status_code == 409  # a member already
    assert as_agent.delete(f"/users/{r.data['id']}").status_code == 403
    assert as_admin.delete(f"/users/{owner.pk}").status_code == 403  # owners: owners only
    assert as_admin.delete(f"/users/{r.data['id']}").status_code == 204
    assert r.data["email"] not in {u["email"] for u in as_admin.get("/users").data}
    as_owner = api_for(owner, owner.memberships.get().workspace)
    last = as_owner.delete(f"/users/{owner.pk}")
    assert last.status_code == 409 and last.data["code"] == "last_owner"


def test_a_duplicate_customer_is_merged_through_the_api(as_agent, as_stranger, customer, ticket):
    dup = as_agent.post("/customers", {"name": "Carla M.", "email": "carla.m@example.com"}).data
    moved = services.create_ticket(
        customer.workspace, by=Actor.of(customer), subject="Again", body="b",
        requester=Customer.objects.get(pk=dup["id"]),
    )  # fmt: skip
    assert (
        as_stranger.post(f"/customers/{dup['id']}/merge", {"into": customer.pk}).status_code == 404
    )
    r = as_agent.post(f"/customers/{dup['id']}/merge", {"into": customer.pk})
    assert r.status_code == 200 and r.data["id"] == customer.pk
    assert "carla.m@example.com" in r.data["emails"]
    moved.refresh_from_db()
    assert moved.requester_id == customer.pk
    assert as_agent.get(f"/customers/{dup['id']}").status_code == 404
    itself = as_agent.post(f"/customers/{customer.pk}/merge", {"into": customer.pk})
    assert itself.status_code == 422


def test_tokens_are_shown_once_and_revocable(agent, workspace, as_agent):
    r = as_agent.post("/tokens", {"name": "ci"})
    assert r.status_code == 201 and r.data["token"].startswith("fl_")
    new = Api(r.data["token"])
    assert new.get("/users/me").data["email"] == agent.email
    listed = as_agent.get("/tokens").data
    assert all("token" not in t for t in listed)
    assert as_agent.delete(f"/tokens/{r.data['id']}").status_code == 204
    assert new.get("/users/me").status_code == 401
