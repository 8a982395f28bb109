"""The chat widget on a website, in a real browser, with an agent answering live."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from frontline.testing.browser import ready, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_visitor_asks_the_bot_is_handed_over_and_an_agent_answers_live(new_page):
    lucas = new_page()
    sign_in(lucas, "lucas@demo.frontline.test")
    lucas.get_by_role("link", name="Chats", exact=True).click()
    ready(lucas)
    sample = lucas.get_by_role("link", name="Sample page with the widget").get_attribute("href")

    visitor = new_page()
    visitor.goto(sample)
    visitor.get_by_role("button", name="Chat with us").click()
    chat = visitor.get_by_role("dialog", name="Chat")
    expect(chat).to_be_visible()
    box = chat.get_by_label("Your message")
    box.fill("I don't remember my pin, where can I see it?")
    box.press("Enter")
    # The virtual agent answers from the article and says where the answer comes from.
    source = chat.get_by_role("link", name=re.compile("Read “I forgot my PIN”"))
    expect(source).to_be_visible()
    expect(chat.locator(".message.visitor .mark")).to_have_text("Delivered")
    # Conversation text reads as text, not as a row of links; the paperclip is drawn.
    said = chat.get_by_text("where can I see it?")
    assert said.evaluate("e => getComputedStyle(e).textDecorationLine") == "none"
    assert chat.get_by_title("Attach a file").locator("svg").is_visible()
    screenshot(visitor, "chat-bot-answer")
    chat.get_by_role("button", name="Talk to a person").first.click()

    # The agent sees the chat arrive live, with the question, and takes it.
    row = lucas.locator("#chat-list tr.chat-row").filter(has_text="pin")
    expect(row).to_contain_text("Handed over")
    open_the_chat(lucas, row)
    ready(lucas)
    timeline = lucas.locator("ol.timeline")
    expect(timeline).to_contain_text("I don't remember my pin")
    expect(timeline).to_contain_text("I forgot my PIN")  # the bot's answer is context
    expect(chat.get_by_text("Lucas Martin joined the chat.")).to_be_visible()
    expect(chat.get_by_role("heading")).to_have_text("Chat · Lucas Martin")  # not the bot now

    # Typing shows in the widget; the reply arrives without a reload.
    lucas.get_by_label("Message").press_sequentially("Hi, ")
    expect(chat.get_by_role("status").first).to_contain_text("Lucas Martin is typing")
    lucas.get_by_label("Message").press_sequentially("you can see your PIN in the app.")
    lucas.get_by_role("button", name="Send").click()
    reply = chat.locator(".message.agent").last
    expect(reply).to_contain_text("you can see your PIN in the app.")
    screenshot(visitor, "chat-agent-reply")

    # With the panel closed, a new reply shows on the launcher; opening it clears that.
    launcher = visitor.get_by_role("button", name=re.compile("^Chat with us"))
    chat.get_by_role("button", name="Close the chat").click()
    lucas.get_by_label("Message").fill("Anything else I can do?")
    lucas.get_by_role("button", name="Send").click()
    expect(launcher).to_have_text("Chat with us (1 new)")
    launcher.click()
    expect(launcher).to_have_text("Chat with us")
    expect(chat.locator(".message.agent").last).to_contain_text("Anything else I can do?")

    # A file from the visitor: a link in the widget, an attachment on the agent's ticket.
    chat.locator("#fl-file").set_input_files(
        files=[{"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"paid 12.50 EUR"}]
    )
    expect(chat.get_by_role("link", name=re.compile("receipt.txt"))).to_be_visible()
    # (the agent's page refreshes live; on a loaded CI machine that can take seconds)
    expect(lucas.locator("ol.timeline .attachments")).to_contain_text("receipt.txt", timeout=15000)

    # A reload keeps the conversation.
    visitor.reload()
    chat = visitor.get_by_role("dialog", name="Chat")
    agent_says = chat.locator(".message.agent")
    expect(agent_says.filter(has_text="see your PIN in the app")).to_be_visible()
    expect(agent_says.last).to_contain_text("Anything else I can do?")

    # The agent ends the chat; the visitor rates it in the widget.
    lucas.get_by_role("button", name="End chat").click()
    card = chat.locator(".rating")
    expect(card).to_be_visible()
    card.get_by_role("button", name="5").click()
    expect(chat.get_by_text("Thank you for your rating!")).to_be_visible()
    screenshot(visitor, "chat-rated")

    # The visitor asks for the conversation by email (no address was given before).
    chat.get_by_role("button", name="Email me this conversation").click()
    chat.locator("#fl-transcript").fill("visitor@example.com")
    chat.get_by_role("button", name="Send me the conversation").click()
    expect(chat.get_by_text("We sent the conversation to visitor@example.com.")).to_be_visible()


def open_the_chat(page, row):
    """Take the chat from the live list. The router may give it to the agent while he
    reaches for Accept (the row then loses its button), so try whichever the row offers."""
    for _ in range(5):
        accept = row.get_by_role("button", name="Accept")
        target = accept if accept.count() else row.get_by_role("link").first
        try:
            target.click(timeout=3000)
            page.wait_for_url("**/tickets/**", timeout=5000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("the chat never opened from the live list")
