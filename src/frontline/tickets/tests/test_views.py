"""The agent workspace pages as members use them, and what others may not see or do."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frontline.testing.personas import PASSWORD, signed_in
from frontline.tickets import services
from frontline.tickets.events import Actor
from frontline.tickets.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def ticket_url(ticket):
    return reverse("ticket", args=[ticket.workspace.slug, ticket.number])


def test_anonymous_visitors_are_sent_to_sign_in(workspace, ticket):
    for url in (reverse("home"), reverse("inbox", args=[workspace.slug]), ticket_url(ticket)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("sign_in"))


def test_sign_in_with_email_and_password_leads_to_the_inbox(agent, workspace):
    client = Client()
    response = client.post(
        reverse("sign_in"), {"username": agent.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("inbox", args=[workspace.slug])
    assert b"My open tickets" in response.content
    # Without "remember me" the session ends with the browser.
    assert client.session.get_expire_at_browser_close()


def test_remember_me_keeps_the_session(agent):
    client = Client()
    client.post(
        reverse("sign_in"), {"username": agent.email, "password": PASSWORD, "remember": "1"}
    )
    assert not client.session.get_expire_at_browser_close()


def test_wrong_password_says_so_and_signs_nobody_in(agent):
    client = Client()
    response = client.post(reverse("sign_in"), {"username": agent.email, "password": "nope"})
    assert response.status_code == 200
    assert b"do not match" in response.content
    assert "_auth_user_id" not in client.session


def test_repeated_sign_in_attempts_are_rate_limited(agent):
    client = Client()
    codes = [
        client.post(reverse("sign_in"), {"username": agent.email, "password": "x"}).status_code
        for _ in range(25)
    ]
    # Limits count per clock minute: 25 attempts put more than 10 into one minute.
    assert codes[0] == 200 and 429 in codes
    limited = client.post(reverse("sign_in"), {"username": agent.email, "password": PASSWORD})
    if limited.status_code == 429:  # (unless a new minute just began)
        assert b"Too many sign-in attempts" in limited.content
        assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(agent):
    client = signed_in(agent)
    assert client.post(reverse("sign_out")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_inbox_views_show_the_right_tickets_with_counts(agent, agent2, workspace, customer):
    mine = services.create_ticket(
        workspace, by=Actor.of(agent), subject="Mine", body="b", requester=customer, assignee=agent
    )
    services.create_ticket(
        workspace, by=Actor.of(agent), subject="Nobody's", body="b", requester=customer
    )
    services.create_ticket(
        workspace,
        by=Actor.of(agent),
        subject="Theirs",
        body="b",
        requester=customer,
        assignee=agent2,
    )
    client = signed_in(agent)
    url = reverse("inbox", args=[workspace.slug])
    page = client.get(url).content.decode()
    assert "Mine" in page and "Nobody&#x27;s" not in page and "Theirs" not in page
    unassigned = client.get(url, {"view": "unassigned"}).content.decode()
    assert "Nobody&#x27;s" in unassigned and "Mine" not in unassigned
    everything = client.get(url, {"view": "open"}).context
    assert everything["page"].total == 3
    counts = dict((v.key, n) for v, n in everything["views"])
    assert counts["mine"] == 1 and counts["unassigned"] == 1 and counts["open"] == 3
    assert str(mine.number) in page


def test_every_inbox_column_sorts_both_ways_and_pages_keep_the_order(
    agent, agent2, workspace, customer
):
    from frontline.tickets.search import find_tickets

    team = services.create_team(workspace, by=Actor.of(agent), name="Billing")
    for subject, assignee, status in (("banana", agent2, "pending"), ("Apple", None, "open"),
                                      ("cherry", agent, "new")):  # fmt: skip
        services.create_ticket(
            workspace, by=Actor.of(agent), subject=subject, body="b", requester=customer,
            assignee=assignee, status=status, team=team if subject == "cherry" else None,
        )  # fmt: skip
    url = reverse("inbox", args=[workspace.slug])
    client = signed_in(agent)

    def subjects(order):
        page = client.get(url, {"view": "open", "order": order}).context["page"]
        return [h.ticket.subject for h in page.hits]

    assert subjects("subject") == ["Apple", "banana", "cherry"]  # not case-sensitive
    assert subjects("-subject") == ["cherry", "banana", "Apple"]
    assert subjects("status") == ["cherry", "Apple", "banana"]  # new, open, pending
    assert subjects("assignee")[0] == "Apple"  # nobody first
    assert subjects("-team")[0] == "cherry"
    html = client.get(url, {"view": "open", "order": "subject"}).content.decode()
    assert 'aria-sort="ascending"><a href="?view=open&amp;q=&amp;order=-subject">Subject ↑' in html
    first = find_tickets(agent, workspace, "status:new,open,pending", order="-subject", limit=2)
    rest = find_tickets(agent, workspace, "status:new,open,pending", order="-subject", limit=2,
                        cursor=first.next_cursor)  # fmt: skip
    assert [h.ticket.subject for h in first.hits + rest.hits] == ["cherry", "banana", "Apple"]


def test_my_teams_pending_and_solved_views(agent, agent2, workspace, customer):
    cards = services.create_team(workspace, by=Actor.of(agent), name="Cards")
    services.set_team_members(cards, [agent], by=Actor.of(agent))
    other = services.create_team(workspace, by=Actor.of(agent), name="Loans")

    def make(subject, **fields):
        return services.create_ticket(workspace, by=Actor.of(agent), subject=subject, body="b",
                                      requester=customer, **fields)  # fmt: skip

    make("Card team ticket", team=cards, assignee=agent2)
    make("Loan team ticket", team=other)
    make("Waiting on customer", status="pending")
    make("Done already", status="solved")
    url = reverse("inbox", args=[workspace.slug])

    def subjects(view):
        page = signed_in(agent).get(url, {"view": view}).context["page"]
        return {h.ticket.subject for h in page.hits}

    assert subjects("teams") == {"Card team ticket"}  # a colleague's ticket in my team too
    assert subjects("pending") == {"Waiting on customer"}
    assert subjects("solved") == {"Done already"}


def test_the_filter_menus_become_query_words_in_the_search_box(agent, workspace, customer):
    services.create_ticket(
        workspace, by=Actor.of(agent), subject="Urgent one", body="b", requester=customer,
        priority="urgent", assignee=agent,
    )  # fmt: skip
    services.create_ticket(
        workspace, by=Actor.of(agent), subject="Calm one", body="b", requester=customer
    )
    url = reverse("inbox", args=[workspace.slug])
    client = signed_in(agent)
    page = client.get(url, {"view": "open"}).content.decode()
    assert 'id="f-priority"' in page and f'<option value="{agent.email}">' in page
    r = client.get(url, {"view": "open", "q": "one", "f_priority": "urgent", "f_assignee": "me",
                         "f_team": "", "f_tag": " vip "})  # fmt: skip
    assert r.status_code == 302
    assert (
        r["Location"] == f"{url}?view=open&q=one+priority%3Aurgent+assignee%3Ame+tag%3Avip&order="
    )
    found = client.get(url, {"view": "open", "q": "priority:urgent assignee:me"}).context["page"]
    assert [h.ticket.subject for h in found.hits] == ["Urgent one"]
    # The time menus give a time ago; anything else they are sent is ignored.
    services.create_ticket(
        workspace, by=Actor.of(agent), subject="Quiet one", body="b", requester=customer,
        created_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    r = client.get(url, {"view": "open", "f_updated": "<24h", "f_created": "yesterday"})
    assert r["Location"] == f"{url}?view=open&q=updated%3C24h&order="
    found = client.get(r["Location"]).context["page"]
    assert [h.ticket.subject for h in found.hits] == ["Quiet one"]


def test_inbox_search_uses_the_query_language_and_explains_mistakes(agent, workspace, ticket):
    client = signed_in(agent)
    url = reverse("inbox", args=[workspace.slug])
    found = client.get(url, {"view": "open", "q": "declined"})
    assert found.context["page"].total == 1
    assert "<mark>declined</mark>" in found.content.decode()
    bad = client.get(url, {"view": "open", "q": "stauts:open"})
    assert bad.status_code == 200 and bad.context["error"]
    assert client.get(url, {"view": "nope"}).status_code == 404


def test_customer_text_is_escaped_in_inbox_and_ticket(agent, workspace, customer):
    t = services.create_ticket(
        workspace,
        by=Actor.of(customer),
        subject="<script>alert(1)</script>",
        body="<img src=x onerror=alert(2)> hello",
        requester=customer,
    )
    client = signed_in(agent)
    for url in (reverse("inbox", args=[workspace.slug]) + "?view=open", ticket_url(t)):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)" in html


def test_other_workspace_pages_are_not_found(stranger, workspace, ticket):
    client = signed_in(stranger)
    assert client.get(reverse("inbox", args=[workspace.slug])).status_code == 404
    assert client.get(ticket_url(ticket)).status_code == 404
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    assert client.post(reply, {"kind": "reply", "body": "hi"}).status_code == 404
    assert not ticket.messages.filter(body_text="hi").exists()


def test_ticket_page_shows_conversation_notes_and_changes(agent, workspace, ticket):
    services.add_note(ticket, by=Actor.of(agent), body="Check the card limit first")
    services.update_ticket(ticket, by=Actor.of(agent), changes={"priority": "high"})
    response = signed_in(agent).get(ticket_url(ticket))
    html = response.content.decode()
    assert "declined at the supermarket" in html
    assert "Internal note" in html and "Check the card limit first" in html
    assert "priority: normal → high" in html


def test_agent_replies_and_the_status_changes(agent, workspace, ticket):
    client = signed_in(agent)
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    response = client.post(
        reply, {"kind": "reply", "body": "We sent a new card.", "status": "pending"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    message = ticket.messages.get(body_text="We sent a new card.")
    assert message.visibility == Message.Visibility.PUBLIC and message.author_user == agent


def test_a_note_stays_internal(agent, workspace, ticket):
    client = signed_in(agent)
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    client.post(reply, {"kind": "note", "body": "Customer is VIP"})
    assert ticket.messages.get(body_text="Customer is VIP").visibility == "internal"


def test_an_empty_reply_comes_back_with_an_error_and_loses_nothing(agent, workspace, ticket):
    client = signed_in(agent)
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    response = client.post(reply, {"kind": "reply", "body": "   ", "status": "bogus"})
    assert response.status_code == 422
    assert "must be one of" in response.content.decode()
    assert ticket.messages.count() == 1


def test_properties_save_assignee_team_tags(agent, agent2, workspace, ticket):
    team = services.create_team(workspace, by=Actor.of(agent), name="Cards")
    client = signed_in(agent)
    url = reverse("ticket_update", args=[workspace.slug, ticket.number])
    response = client.post(
        url,
        {
            "status": "open",
            "priority": "urgent",
            "assignee": str(agent2.pk),
            "team": str(team.pk),
            "tags": "cards, vip",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.team) == ("urgent", agent2, team)
    assert sorted(t.name for t in ticket.tags.all()) == ["cards", "vip"]
    page = client.get(ticket_url(ticket)).content.decode()
    assert "tags: none → cards, vip" in page and "team: none → Cards" in page


def test_custom_fields_are_edited_in_the_sidebar(agent, workspace, ticket):
    by = Actor.of(agent)
    services.create_custom_field(
        workspace, by=by, key="plan", label="Plan", type="select", choices=["Free", "Pro"]
    )
    services.create_custom_field(workspace, by=by, key="seats", label="Seats", type="number")
    services.create_custom_field(workspace, by=by, key="vip", label="VIP", type="boolean")
    services.create_custom_field(
        workspace, by=by, key="areas", label="Areas", type="multiselect", choices=["A", "B"]
    )
    client = signed_in(agent)
    page = client.get(ticket_url(ticket)).content.decode()
    assert 'name="cf_plan"' in page and 'name="cf_areas"' in page
    url = reverse("ticket_update", args=[workspace.slug, ticket.number])
    form = {"cf_plan": "Pro", "cf_seats": "12", "cf_vip": "yes", "cf_areas__present": "1"}
    response = client.post(url, {**form, "cf_areas": ["B", "A"]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"plan": "Pro", "seats": 12, "vip": True, "areas": ["A", "B"]}
    # The timeline tells who changed which field, by its label.
    timeline = client.get(ticket_url(ticket)).content.decode()
    assert "Plan: none → Pro" in timeline and "VIP: none → yes" in timeline
    # Unticking every box clears the list; an empty select clears the value.
    client.post(url, {"cf_plan": "", "cf_areas__present": "1"})
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"seats": 12, "vip": True}


def test_a_bad_custom_field_value_is_shown_by_its_field_and_kept(agent, workspace, ticket):
    services.create_custom_field(
        workspace, by=Actor.of(agent), key="seats", label="Seats", type="number"
    )
    client = signed_in(agent)
    url = reverse("ticket_update", args=[workspace.slug, ticket.number])
    response = client.post(url, {"cf_seats": "twelve", "priority": "high"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Seats must be a number" in page
    assert 'value="twelve"' in page  # what the agent typed is still there
    ticket.refresh_from_db()
    assert ticket.priority == "normal" and ticket.custom_fields == {}


def test_agent_merges_a_duplicate_into_another_ticket(agent, workspace, ticket, customer):
    duplicate = services.create_ticket(
        workspace,
        by=Actor.of(customer),
        subject="Same again",
        body="Still no card",
        requester=customer,
    )
    client = signed_in(agent)
    url = reverse("ticket_merge", args=[workspace.slug, duplicate.number])
    for bad, reason in [("abc", "Type the number"), ("99999", "no ticket #99999")]:
        page = client.post(url, {"target": bad}, follow=True).content.decode()
        assert reason in page
    response = client.post(url, {"target": f"#{ticket.number}"}, follow=True)
    assert response.redirect_chain[-1][0] == ticket_url(ticket)
    assert "Still no card" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == ticket and duplicate.status == "closed"


def test_a_stale_sidebar_keeps_a_colleagues_change_and_warns_on_a_clash(
    agent, agent2, workspace, ticket
):
    import json
    import re

    mine, theirs = signed_in(agent), signed_in(agent2)
    page = mine.get(ticket_url(ticket)).content.decode()
    shown = json.loads(
        re.search(r'name="shown" value="([^"]*)"', page).group(1).replace("&quot;", '"')
    )
    form = {**shown, "shown": json.dumps(shown)}
    url = reverse("ticket_update", args=[workspace.slug, ticket.number])
    # A colleague raises the priority; then I change the status from my older page.
    theirs.post(url, {"priority": "urgent"})
    assert mine.post(url, {**form, "status": "pending"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("pending", "urgent")  # both kept
    # Both of us change the priority: mine is not saved silently over theirs.
    clash = mine.post(url, {**form, "priority": "low"})
    assert clash.status_code == 409
    assert "Someone else changed priority" in clash.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"


def test_viewers_read_but_cannot_change(viewer, workspace, ticket):
    client = signed_in(viewer)
    page = client.get(ticket_url(ticket))
    assert page.status_code == 200 and b'id="composer"' not in page.content
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    assert client.post(reply, {"kind": "reply", "body": "hi"}).status_code == 403
    update = reverse("ticket_update", args=[workspace.slug, ticket.number])
    assert client.post(update, {"priority": "urgent"}).status_code == 403


def test_macro_applies_its_reply_and_changes(agent, workspace, ticket):
    macro = services.create_macro(
        workspace,
        by=Actor.of(agent),
        name="Card replaced",
        body="Hello, your new card is on its way.",
        actions={"status": "solved"},
    )
    client = signed_in(agent)
    url = reverse("ticket_macro", args=[workspace.slug, ticket.number])
    assert client.post(url, {"macro": macro.pk}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    assert ticket.messages.filter(body_text__contains="your new card is on its way").exists()


def test_forms_need_a_csrf_token(agent, workspace, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    assert client.post(reply, {"kind": "reply", "body": "hi"}).status_code == 403


def test_inbox_query_count_does_not_grow_with_the_page(agent, workspace, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            signed_in(agent).get(reverse("inbox", args=[workspace.slug]), {"view": "open"})
        return len(ctx.captured_queries)

    for i in range(3):
        services.create_ticket(
            workspace,
            by=Actor.of(agent),
            subject=f"T{i}",
            body="b",
            requester=customer,
            tags=[f"t{i}"],
        )
    few = queries()
    for i in range(20):
        services.create_ticket(
            workspace,
            by=Actor.of(agent),
            subject=f"U{i}",
            body="b",
            requester=customer,
            tags=[f"u{i}"],
        )
    assert queries() == few


def test_reply_after_someone_else_answered_asks_for_confirmation(agent, agent2, workspace, ticket):
    client = signed_in(agent)
    page = client.get(ticket_url(ticket))
    seen = page.context["last_message_id"]
    services.reply(ticket, by=Actor.of(agent2), body="Your card is on its way.")
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    form = {"kind": "reply", "body": "We will send a new card.", "seen": seen}
    warned = client.post(reply, form)
    assert warned.status_code == 409
    html = warned.content.decode()
    assert f"{agent2.display_name} replied while you were writing" in html
    assert "We will send a new card." in html  # the draft is kept
    assert not ticket.messages.filter(body_text="We will send a new card.").exists()
    assert client.post(reply, {**form, "confirm": "1"}).status_code == 302
    assert ticket.messages.filter(body_text="We will send a new card.").exists()


def test_bulk_actions_change_the_ticked_tickets_through_the_services(
    agent, agent2, workspace, customer
):
    made = [
        services.create_ticket(
            workspace, by=Actor.of(customer), subject=f"Bulk {i}", body="b", requester=customer
        )
        for i in range(3)
    ]
    client = signed_in(agent)
    inbox = reverse("inbox", args=[workspace.slug])
    assert b'id="bulk-form"' in client.get(inbox, {"view": "open"}).content
    response = client.post(
        reverse("bulk", args=[workspace.slug]),
        {
            "numbers": [made[0].number, made[1].number],
            "status": "pending",
            "assignee": str(agent2.pk),
            "add_tag": "billing",
            "next": inbox + "?view=open",
        },
    )
    assert response.status_code == 302 and response["Location"] == inbox + "?view=open"
    for t in made:
        t.refresh_from_db()
    assert [(t.status, t.assignee) for t in made] == [
        ("pending", agent2),
        ("pending", agent2),
        ("new", None),
    ]
    assert [x.name for x in made[0].tags.all()] == ["billing"]
    assert made[0].events.filter(kind="ticket.status", actor_user=agent).exists()
    page = client.get(inbox).content.decode()
    assert "Updated 2 tickets" in page


def test_bulk_reports_each_ticket_that_could_not_change(agent, workspace, customer):
    services.create_custom_field(
        workspace, by=Actor.of(agent), key="reason", label="Reason", required=True
    )
    t = services.create_ticket(
        workspace, by=Actor.of(customer), subject="Needs a reason", body="b", requester=customer
    )
    client = signed_in(agent)
    client.post(reverse("bulk", args=[workspace.slug]), {"numbers": [t.number], "status": "solved"})
    page = client.get(reverse("inbox", args=[workspace.slug])).content.decode()
    assert f"#{t.number}: Fill in the required fields" in page
    t.refresh_from_db()
    assert t.status == "new"


def test_viewers_and_strangers_cannot_bulk_change(viewer, stranger, workspace, ticket):
    url = reverse("bulk", args=[workspace.slug])
    form = {"numbers": [ticket.number], "priority": "urgent"}
    assert signed_in(viewer).post(url, form).status_code == 403
    assert signed_in(stranger).post(url, form).status_code == 404
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_reply_with_attachments(agent, workspace, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(agent)
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    client.post(
        reply,
        {
            "kind": "reply",
            "body": "Here is the form to fill in.",
            "attachments": [SimpleUploadedFile("form.pdf", b"%PDF-1.4 form", "application/pdf")],
        },
    )
    message = ticket.messages.get(body_text="Here is the form to fill in.")
    assert [a.filename for a in message.attachments.all()] == ["form.pdf"]
    html = client.get(ticket_url(ticket)).content.decode()
    assert "form.pdf" in html


def test_an_oversized_attachment_is_refused_and_the_draft_kept(agent, workspace, ticket, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FRONTLINE_MAX_ATTACHMENT_BYTES = 10
    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    response = signed_in(agent).post(
        reply,
        {
            "kind": "reply",
            "body": "Big file attached",
            "attachments": [SimpleUploadedFile("big.bin", b"x" * 100)],
        },
    )
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert "Big file attached" in response.content.decode()
    assert not ticket.messages.filter(body_text="Big file attached").exists()


def test_a_program_is_refused_even_under_another_name(agent, workspace, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    reply = reverse("ticket_reply", args=[workspace.slug, ticket.number])
    elf = SimpleUploadedFile("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 60)
    response = signed_in(agent).post(
        reply, {"kind": "reply", "body": "See the tool", "attachments": [elf]}
    )
    assert response.status_code == 415
    assert "is a program or script" in response.content.decode()
    assert "See the tool" in response.content.decode()  # the draft is kept
    assert not ticket.messages.filter(body_text="See the tool").exists()


def test_macro_texts_are_offered_for_insertion_filled_in(agent, workspace, ticket):
    services.create_macro(
        workspace, by=Actor.of(agent), name="Greeting", body="Hi {{requester.first_name}},"
    )
    page = signed_in(agent).get(ticket_url(ticket))
    assert ("Greeting", "Hi Carla,") in page.context["macro_texts"]


def test_a_live_refresh_leaves_the_flash_to_the_page_being_loaded(agent, workspace, ticket):
    # Applying a macro changes the ticket, so the page still open refreshes itself in the
    # background while the browser follows the redirect: that refresh must not take the
    # "Applied" message meant for the page the agent is about to see.
    macro = services.create_macro(
        workspace, by=Actor.of(agent), name="Card replaced", body="Hello", actions={}
    )
    client = signed_in(agent)
    client.post(reverse("ticket_macro", args=[workspace.slug, ticket.number]), {"macro": macro.pk})
    live = client.get(ticket_url(ticket), headers={"X-Requested-With": "live"})
    assert live.status_code == 200 and "Applied" not in live.content.decode()
    assert "Applied “Card replaced”" in client.get(ticket_url(ticket)).content.decode()


def test_a_property_saved_in_place_leaves_no_flash_for_the_next_page(agent, workspace, ticket):
    client = signed_in(agent)
    url = reverse("ticket_update", args=[workspace.slug, ticket.number])
    saved = client.post(url, {"priority": "urgent"}, headers={"X-Requested-With": "live"})
    assert saved.status_code == 302
    assert "Ticket updated" not in client.get(ticket_url(ticket)).content.decode()
    client.post(url, {"priority": "low"})  # the form posted without the page's script
    assert "Ticket updated" in client.get(ticket_url(ticket)).content.decode()
