"""Agents working tickets in a real browser (headless Chromium) against the real server."""

import re

import pytest
from playwright.sync_api import expect

from frontline.testing.browser import ready, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_agent_finds_a_ticket_replies_with_a_macro_and_a_colleague_sees_it(new_page):
    amara = new_page()
    sign_in(amara, "amara@demo.frontline.test")
    screenshot(amara, "inbox-mine")

    amara.get_by_role("link", name=re.compile("All open")).click()
    amara.get_by_label("Search tickets").fill("card")
    amara.get_by_role("button", name="Search").click()
    first = amara.locator("table.tickets tbody tr[data-ticket]").first
    number = first.get_attribute("data-ticket")
    second = (
        amara.locator("table.tickets tbody tr[data-ticket]").nth(1).get_attribute("data-ticket")
    )
    assert amara.locator("table.tickets mark").first.inner_text().lower().startswith("card")
    screenshot(amara, "inbox-search")
    first.get_by_role("link").first.click()
    amara.wait_for_url(f"**/tickets/{number}/")
    ready(amara)
    # j / k walk through the list the agent came from, ticket by ticket.
    amara.keyboard.press("j")
    amara.wait_for_url(f"**/tickets/{second}/")
    ready(amara)
    amara.keyboard.press("k")
    amara.wait_for_url(f"**/tickets/{number}/")
    ready(amara)

    # "?" lists the shortcuts.
    amara.keyboard.press("?")
    expect(amara.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    amara.keyboard.press("Escape")
    # Write a reply with the keyboard shortcut, then apply a macro.
    amara.keyboard.press("r")
    amara.keyboard.type("Thanks for your patience, we are looking into it.")
    amara.get_by_role("button", name="Send").click()
    amara.get_by_text("Reply sent").wait_for()
    # Insert a macro's text into the composer (filled in for this customer), then clear it.
    amara.get_by_label("Insert a macro's text").select_option(label="Card replacement ordered")
    assert "a new card is on its way" in amara.get_by_label("Message").input_value()
    amara.get_by_label("Message").fill("")
    amara.get_by_label("Macro", exact=True).select_option(label="Ask for transaction details")
    amara.get_by_role("button", name="Apply macro").click()
    amara.get_by_text("Applied").wait_for()
    assert amara.get_by_label("Status", exact=True).input_value() == "pending"
    screenshot(amara, "ticket")

    lucas = new_page()
    sign_in(lucas, "lucas@demo.frontline.test")
    lucas.goto(amara.url)
    timeline = lucas.locator("ol.timeline")
    assert "we are looking into it" in timeline.inner_text()
    assert "could you send us the date, amount and merchant" in timeline.inner_text()
    assert "status:" in timeline.locator("li.change").last.inner_text()


def test_a_note_is_marked_internal_and_a_viewer_cannot_write(new_page):
    agent = new_page()
    sign_in(agent, "sofia@demo.frontline.test")
    agent.get_by_role("link", name=re.compile("All open")).click()
    agent.locator("table.tickets tbody tr[data-ticket] a").first.click()
    agent.get_by_label("Internal note").check()
    agent.get_by_label("Message").fill("Customer called, asked for a callback.")
    # A file dropped onto the composer is attached.
    dropped = agent.evaluate_handle(
        "() => { const dt = new DataTransfer();"
        " dt.items.add(new File(['call log'], 'call-log.txt', {type: 'text/plain'}));"
        " return dt; }"
    )
    agent.dispatch_event("#composer", "drop", {"dataTransfer": dropped})
    assert "call-log.txt" in agent.locator("#attachment-list").inner_text()
    agent.get_by_role("button", name="Send").click()
    note = agent.locator("li.message-internal").last
    assert "asked for a callback" in note.inner_text()
    assert "call-log.txt" in note.inner_text()
    assert "Internal note" in note.inner_text()

    viewer = new_page()
    sign_in(viewer, "vic@demo.frontline.test")
    viewer.goto(agent.url)
    assert viewer.locator("#composer").count() == 0
    assert viewer.get_by_label("Priority").is_disabled()


def test_phone_width_keeps_the_inbox_usable(new_page):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "amara@demo.frontline.test")
    page.get_by_role("link", name=re.compile("All open")).click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # no sideways scrolling
    screenshot(page, "inbox-phone")


def test_wrong_password_is_refused_in_the_browser(new_page):
    page = new_page()
    page.goto("/sign-in/")
    page.get_by_label("Email").fill("amara@demo.frontline.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That email and password")
    screenshot(page, "sign-in-error")


def test_two_agents_on_one_ticket_see_each_other_and_replies_live(new_page):
    amara = new_page()
    sign_in(amara, "amara@demo.frontline.test")
    amara.get_by_role("link", name=re.compile("All open")).click()
    url = amara.locator("table.tickets tbody tr[data-ticket] a").first.get_attribute("href")
    amara.goto(url)
    ready(amara)
    lucas = new_page()
    sign_in(lucas, "lucas@demo.frontline.test")
    lucas.goto(url)
    ready(lucas)

    amara.get_by_text("Lucas Martin is viewing").wait_for()
    lucas.get_by_text("Amara Okafor is viewing").wait_for()
    lucas.get_by_label("Message").press_sequentially("On it")
    amara.get_by_text("Lucas Martin is typing a reply…").wait_for()

    # Amara drafts while Lucas answers: his reply appears on her page without a reload.
    amara.get_by_label("Message").fill("Let me check your card for you.")
    lucas.get_by_label("Message").fill("Your replacement card was sent today.")
    lucas.get_by_role("button", name="Send").click()
    lucas.get_by_text("Reply sent").wait_for()
    amara.locator("#timeline").get_by_text("Your replacement card was sent today.").wait_for()
    amara.get_by_text("Someone else just replied").wait_for()

    # Sending anyway needs a second, deliberate click; the draft is kept meanwhile.
    amara.get_by_role("button", name="Send").click()
    amara.get_by_text("Lucas Martin replied while you were writing").wait_for()
    assert amara.get_by_label("Message").input_value() == "Let me check your card for you."
    screenshot(amara, "ticket-collision")
    amara.get_by_role("button", name="Send anyway").click()
    amara.get_by_text("Reply sent").wait_for()


def test_the_inbox_updates_live_when_a_colleague_changes_a_ticket(new_page):
    lucas = new_page()
    sign_in(lucas, "lucas@demo.frontline.test")
    with lucas.expect_navigation():
        lucas.get_by_role("link", name=re.compile("All open")).click()
    ready(lucas)
    row = lucas.locator("table.tickets tbody tr[data-ticket]").last
    number = row.get_attribute("data-ticket")
    url = row.get_by_role("link").first.get_attribute("href")

    amara = new_page()
    sign_in(amara, "amara@demo.frontline.test")
    amara.goto(url)
    ready(amara)
    # Properties save as soon as they change, without leaving the page.
    amara.get_by_label("Message").fill("A draft that must survive")
    saved = amara.locator("#save-state")
    amara.get_by_label("Priority").select_option("urgent")
    expect(saved).to_have_text("Saved")
    amara.get_by_label("Account number").fill("GB-0042")
    with amara.expect_response(lambda r: r.url.endswith("/update")):
        amara.get_by_label("Account number").press("Tab")
    expect(saved).to_have_text("Saved")
    assert amara.get_by_label("Message").input_value() == "A draft that must survive"
    amara.reload()
    assert amara.get_by_label("Account number").input_value() == "GB-0042"
    assert amara.get_by_label("Priority").input_value() == "urgent"

    # Lucas did not reload: the ticket moved to the top of his list, now urgent.
    top = lucas.locator("table.tickets tbody tr[data-ticket]").first
    lucas.wait_for_function(
        "n => document.querySelector('table.tickets tbody tr[data-ticket]')"
        ".getAttribute('data-ticket') === n",
        arg=number,
    )
    assert "Urgent" in top.inner_text()


def test_agent_opens_the_requester_profile_and_finds_customers(new_page):
    page = new_page()
    sign_in(page, "amara@demo.frontline.test")
    page.get_by_role("link", name=re.compile("All open")).click()
    page.locator("table.tickets tbody tr[data-ticket] a").first.click()
    name = page.locator("#sidebar h2:has-text('Requester') + p strong").inner_text()
    page.locator("#sidebar h2:has-text('Requester') + p a").click()
    page.get_by_role("heading", name=name).wait_for()
    assert page.locator("table.tickets tbody tr").count() >= 1
    screenshot(page, "customer")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Customers").click()
    page.get_by_label("Search customers").fill(name.split()[0])
    page.get_by_role("button", name="Search").click()
    assert name in page.locator("table.tickets").inner_text()


def test_bulk_change_from_the_inbox(new_page):
    page = new_page()
    sign_in(page, "chloe@demo.frontline.test")
    page.get_by_role("link", name=re.compile("All open")).click()
    rows = page.locator("table.tickets tbody tr[data-ticket]")
    numbers = [rows.nth(i).get_attribute("data-ticket") for i in (0, 1)]
    for n in numbers:
        page.get_by_label(f"Select #{n}", exact=True).check()
    page.get_by_label("Set priority").select_option("high")
    page.get_by_role("button", name="Apply to selected").click()
    page.get_by_text("Updated 2 tickets").wait_for()
    for n in numbers:
        assert "High" in page.locator(f"tr[data-ticket='{n}']").inner_text()
    screenshot(page, "inbox-bulk")


def test_owner_runs_the_workspace_from_settings(new_page):
    page = new_page()
    sign_in(page, "owner@demo.frontline.test")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Settings").click()
    page.get_by_placeholder("New tag").fill("Needs callback")
    page.get_by_role("button", name="Create tag").click()
    page.get_by_text("Tag needs-callback created").wait_for()
    page.get_by_placeholder("What is it for?").fill("Reporting script")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("fl_")
    screenshot(page, "settings")
    # A new public field appears on the customers' web form.
    page.get_by_label("Label", exact=True).last.fill("Order reference")
    page.locator("#fields").get_by_label("Public").last.check()
    page.get_by_role("button", name="Create field").click()
    page.get_by_text("Field Order reference created").wait_for()
    page.goto("/support/demo/new/")
    page.get_by_label("Order reference").wait_for()
