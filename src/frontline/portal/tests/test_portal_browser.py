"""A customer's whole journey in a real browser, with real email on a loopback SMTP server."""

import re

import pytest

from frontline.testing.browser import ready, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_customer_submits_a_request_follows_it_by_email_link_and_answers(new_page, outbox):
    box, _ = outbox
    rosa = new_page()
    rosa.goto("/support/demo/new/")
    screenshot(rosa, "portal-web-form")
    rosa.get_by_label("Your name").fill("Rosa Rivera")
    rosa.get_by_label("Your email address").fill("rosa@example.org")
    rosa.get_by_label("Subject").fill("My new card never arrived")
    rosa.get_by_label("How can we help?").fill("I ordered it two weeks ago. <b>Please</b> help.")
    rosa.get_by_label("Attachments").set_input_files(
        files=[{"name": "order.txt", "mimeType": "text/plain", "buffer": b"order 7781"}]
    )
    rosa.get_by_role("button", name="Send request").click()
    rosa.get_by_text("Thank you, we received your request").wait_for()
    number = re.search(r"#(\d+)", rosa.locator("main").inner_text()).group(1)

    # The confirmation email arrives through the task worker and the SMTP server.
    confirmation = box.wait_for("rosa@example.org")
    assert f"[#{number}]" in confirmation["Subject"]
    link = re.search(r"http://\S+", confirmation.get_payload(decode=True).decode()).group(0)
    rosa.goto(link)
    rosa.get_by_role("button", name="Continue to my requests").click()
    rosa.get_by_role("link", name="My new card never arrived").click()
    assert "<b>Please</b>" in rosa.locator("#timeline").inner_text()  # shown as text

    amara = new_page()
    sign_in(amara, "amara@demo.frontline.test")
    amara.goto(f"/w/demo/tickets/{number}/")
    ready(amara)
    assert "order.txt" in amara.locator("#timeline").inner_text()
    amara.get_by_label("Internal note").check()
    amara.get_by_label("Message").fill("Card batch 7781 was delayed at the printer.")
    amara.get_by_role("button", name="Send").click()
    amara.get_by_text("Note added").wait_for()
    amara.get_by_label("Reply to customer").check()
    amara.get_by_label("Message").fill("Sorry for the wait: a replacement card is on its way.")
    amara.get_by_role("button", name="Send").click()
    amara.get_by_text("Reply sent").wait_for()

    rosa.reload()
    timeline = rosa.locator("#timeline").inner_text()
    assert "a replacement card is on its way" in timeline
    assert "printer" not in timeline  # internal notes never reach the customer
    rosa.get_by_label("Your reply").fill("Thank you, it just arrived!")
    rosa.get_by_role("button", name="Send").click()
    rosa.get_by_text("Your message was sent").wait_for()
    screenshot(rosa, "portal-ticket")

    # Amara did not reload: the customer's answer appears on her page.
    amara.locator("#timeline").get_by_text("Thank you, it just arrived!").wait_for()
