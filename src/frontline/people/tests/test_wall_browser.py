"""Giving kudos in a real browser: Amara thanks Lucas, Lucas sees it and applauds."""

import pytest
from playwright.sync_api import expect

from frontline.testing.browser import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_an_agent_gives_kudos_and_the_colleague_applauds(new_page):
    amara = new_page()
    sign_in(amara, "amara@demo.frontline.test")
    amara.get_by_role("link", name="Team wall").click()
    amara.get_by_label("To").select_option(label="Lucas Martin")
    amara.get_by_label("For").select_option("Empathy")
    amara.get_by_label("What they did").fill("Stayed calm with a very upset customer today.")
    amara.get_by_role("button", name="Give kudos").click()
    expect(amara.locator(".flash-success")).to_contain_text("Kudos to Lucas Martin")
    screenshot(amara, "team-wall")

    lucas = new_page()
    sign_in(lucas, "lucas@demo.frontline.test")
    lucas.goto("/w/demo/wall/")
    card = lucas.locator("li.kudos", has_text="Stayed calm with a very upset customer")
    expect(card).to_contain_text("Empathy")
    card.get_by_role("button", name="React 👏 (0)").click()
    card = lucas.locator("li.kudos", has_text="Stayed calm with a very upset customer")
    expect(card.get_by_role("button", name="React 👏 (1)")).to_have_attribute(
        "aria-pressed", "true"
    )
