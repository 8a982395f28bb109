"""The whole email loop in a real browser against the real server: an admin connects an
IMAP mailbox (Dovecot on loopback) in the settings, the customer's mail becomes a ticket
by itself, the agent's reply reaches the customer threaded (aiosmtpd on loopback), and
the customer's answer joins the ticket live; solving it emails a one-click survey, and the
customer's rating shows on the feedback page."""

import re
import time

import pytest
from playwright.sync_api import expect

from frontline.testing.browser import ready, screenshot, sign_in

pytestmark = pytest.mark.browser

FIRST = (
    b"From: Nadia Okafor <nadia@example.com>\r\nTo: help@demo.frontline.test\r\n"
    b"Subject: Locked out of online banking\r\nMessage-ID: <first-1@mail.example.com>\r\n"
    b"Date: Mon, 30 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"\r\nAfter three wrong codes the app locked me out. Can you unlock it?\r\n"
)


def test_admin_connects_a_mailbox_and_the_email_loop_works(new_page, dovecot, outbox):
    user, password = dovecot.add_user()
    dovecot.append(user, password, FIRST)  # waiting, unread, before Frontline connects

    page = new_page()
    sign_in(page, "owner@demo.frontline.test")
    page.goto("/w/demo/settings/")
    page.get_by_role("link", name="Mailboxes").click()
    page.get_by_label("Name (for you").fill("Help")
    page.get_by_label("Address customers write to").fill("help@demo.frontline.test")
    page.get_by_label("Host", exact=True).fill(dovecot.host)
    page.get_by_label("Port", exact=True).fill(str(dovecot.port))
    page.get_by_label("Encryption").select_option("none")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password or token").fill(password)
    page.get_by_label("Check every").fill("30")
    page.get_by_role("button", name="Add and test the connection").click()
    expect(page.locator(".flash-success")).to_contain_text("Connected: 1 message in INBOX")
    screenshot(page, "mailbox")

    # The scheduler fetches the new mailbox's unread mail by itself.
    page.goto("/w/demo/")
    ready(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Unassigned")).first.click()
    ready(page)
    row = page.locator("table.tickets tbody tr[data-ticket]", has_text="Locked out")
    expect(row).to_be_visible(timeout=30_000)  # appears live, no reload
    number = row.get_attribute("data-ticket")
    row.get_by_role("link").first.click()
    page.wait_for_url(f"**/tickets/{number}/")
    ready(page)
    page.get_by_label("Message").fill("I have unlocked it: please sign in again.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Reply sent").wait_for()

    received = outbox[0].wait_for("nadia@example.com", subject="We received your request")
    assert received["In-Reply-To"] == "<first-1@mail.example.com>"  # threads for Nadia
    sent = outbox[0].wait_for("nadia@example.com", subject="Re: ")
    assert sent["In-Reply-To"] == "<first-1@mail.example.com>"
    assert f"[#{number}]" in sent["Subject"]
    assert f"+{number}@" in sent["Reply-To"]

    # The customer answers from their mail program; it lands on the open ticket page.
    answer = (
        f"From: Nadia Okafor <nadia@example.com>\r\nTo: {sent['Reply-To']}\r\n"
        f"Subject: Re: {sent['Subject']}\r\nMessage-ID: <answer-1@mail.example.com>\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\nReferences: <first-1@mail.example.com> "
        f"{sent['Message-ID']}\r\nDate: Mon, 30 Nov 2026 09:30:00 +0000\r\n\r\n"
        "It works again, thank you!\r\n\r\nOn Mon, 30 Nov 2026, Demo Bank wrote:\r\n"
        "> I have unlocked it: please sign in again.\r\n"
    ).encode()
    started = time.monotonic()
    dovecot.append(user, password, answer)
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("It works again, thank you!", timeout=45_000)
    assert time.monotonic() - started < 45
    assert timeline.inner_text().count("I have unlocked it") == 1  # the quote is stripped

    # Solved with a last reply: the "solved" email carries the one-click survey.
    page.reload()  # (a reply composed before the customer's answer would be held back)
    ready(page)
    page.get_by_label("Message").fill("Glad it works. Have a good day!")
    page.get_by_label("After sending, set status").select_option("solved")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Reply sent").wait_for()
    solved = outbox[0].wait_for("nadia@example.com", subject="Your request is solved")
    text = next(p for p in solved.walk() if p.get_content_type() == "text/plain")
    five = re.search(r"  5 \(Very satisfied\): (http\S+)", text.get_payload(decode=True).decode())
    assert five, "no survey in the solved email"

    nadia = new_page()
    nadia.goto(five[1])  # one click in her mail program
    expect(nadia.get_by_text("Thank you, your rating is saved")).to_be_visible()
    nadia.get_by_label("Anything you would like to tell us?").fill("Quick and kind, thanks!")
    nadia.get_by_label("may quote my comment").check()
    nadia.get_by_role("button", name="Send").click()
    expect(nadia.get_by_text("Your feedback reached the team")).to_be_visible()

    page.goto("/w/demo/feedback/")
    expect(page.locator("#score")).to_have_text("100.0 % satisfied")
    # The owner replied last: the rating is theirs (other browser tests rate other agents).
    owner_row = page.locator("table").first.locator("tbody tr").filter(has_text="Olivia Owner")
    expect(owner_row).to_have_count(1)
    assert re.search(r"\s1\s+100\.0", owner_row.inner_text())
