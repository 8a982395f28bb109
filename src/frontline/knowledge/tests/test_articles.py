"""Agents write articles in Markdown (sanitised, every save a version, any version
restorable); customers find the published public ones in the help center."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontline.knowledge import services
from frontline.knowledge.models import Article, Category
from frontline.lib.errors import ServiceError
from frontline.testing.personas import signed_in

pytestmark = pytest.mark.django_db

BODY = """Cards arrive in 3 to 5 working days.

## If it has not arrived
Freeze the old card in the app, then order a new one.

## Fees
| Card | Fee |
|---|---|
| First | free |

<script>alert('x')</script> [bad](javascript:alert(1))
"""


def test_an_agent_writes_publishes_and_a_customer_reads_with_a_table_of_contents(workspace, agent):
    client = signed_in(agent)
    r = client.post(
        reverse("kb_new", args=[workspace.slug]),
        {
            "title": "My card has not arrived",
            "body": BODY,
            "status": "published",
            "visibility": "public",
        },  # fmt: skip
        follow=True,
    )
    assert "Article saved" in r.content.decode()
    article = Article.objects.get()
    page = Client().get(reverse("hc_article", args=[workspace.slug, article.slug]))
    html = page.content.decode()
    assert '<h2 id="if-it-has-not-arrived">If it has not arrived</h2>' in html
    assert 'href="#fees"' in html and "<td>free</td>" in html
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run
    article.refresh_from_db()
    assert article.views == 1
    Client().post(
        reverse("hc_vote", args=[workspace.slug, article.slug]),
        {"helpful": "no", "comment": "Say how to freeze the card"},
    )
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    assert article.votes.get().comment == "Say how to freeze the card"
    # The agents who write it read what readers said, escaped like any customer text.
    Client().post(
        reverse("hc_vote", args=[workspace.slug, article.slug]),
        {"helpful": "yes", "comment": "<b>great</b>"},
    )
    editor = client.get(reverse("kb_edit", args=[workspace.slug, article.pk])).content.decode()
    assert "1 view · 1 found it helpful, 1 did not." in editor
    assert "<q>Say how to freeze the card</q>" in editor
    assert "<q>&lt;b&gt;great&lt;/b&gt;</q>" in editor


def test_the_team_reads_internal_articles_and_customers_never(workspace, agent, viewer, stranger):
    playbook = services.create_article(
        workspace, by=agent, title="Fraud playbook", status="published", visibility="internal",
        body="## First\nFreeze the card.\n\n## Then\nCall the <b>customer</b>.",
    )  # fmt: skip
    url = reverse("kb_read", args=[workspace.slug, playbook.pk])
    page = signed_in(viewer).get(url).content.decode()
    assert "Internal: agents only" in page and "Freeze the card." in page
    assert 'href="#first"' in page  # a table of contents
    assert "Edit</a>" not in page  # viewers read only
    listing = signed_in(viewer).get(reverse("kb", args=[workspace.slug])).content.decode()
    assert f'href="{url}">Fraud playbook</a> <span class="badge">Internal</span>' in listing
    assert "Edit</a>" in signed_in(agent).get(url).content.decode()
    assert signed_in(stranger).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    hc = Client().get(reverse("hc_article", args=[workspace.slug, playbook.slug]))
    assert hc.status_code == 404


def test_drafts_and_internal_articles_stay_out_of_the_help_center(workspace, agent):
    draft = services.create_article(workspace, by=agent, title="Draft on fees", body="Fees")
    internal = services.create_article(
        workspace, by=agent, title="Fraud playbook fees", body="Fees",
        status="published", visibility="internal",
    )  # fmt: skip
    public = services.create_article(
        workspace, by=agent, title="Card fees", body="Fees", status="published"
    )
    home = Client().get(reverse("hc_home", args=[workspace.slug]) + "?q=fees").content.decode()
    assert "Card fees" in home and "Draft on fees" not in home and "Fraud playbook" not in home
    for hidden in (draft, internal):
        assert (
            Client().get(reverse("hc_article", args=[workspace.slug, hidden.slug])).status_code
            == 404
        )
    assert public in services.search(workspace, "FEES card")
    assert internal in services.search(workspace, "playbook", public=False)


def test_every_save_is_a_version_and_an_old_one_can_be_restored(workspace, agent):
    article = services.create_article(workspace, by=agent, title="PIN", body="Call us.")
    services.update_article(article, by=agent, title="PIN reset", body="Use the app.", note="app")
    services.update_article(article, by=agent, status="published")  # no new text: no version
    assert list(article.versions.values_list("number", "note")) == [(2, "app"), (1, "created")]
    client = signed_in(agent)
    url = reverse("kb_version", args=[workspace.slug, article.pk, 1])
    page = client.get(url).content.decode()
    assert "- Call us." in page and "+ Use the app." in page
    client.post(url)
    article.refresh_from_db()
    assert (article.title, article.body, article.status) == ("PIN", "Call us.", "published")
    assert article.versions.first().note == "restored version 1"


def test_bad_input_and_access(workspace, agent, viewer, stranger, other_workspace, admin):
    with pytest.raises(ServiceError, match="title"):
        services.create_article(workspace, by=agent, title=" ", body="x")
    foreign = Category.objects.create(workspace=other_workspace, name="X", slug="x")
    with pytest.raises(ServiceError, match="category"):
        services.create_article(workspace, by=agent, title="T", body="x", category=foreign)
    assert signed_in(viewer).get(reverse("kb_new", args=[workspace.slug])).status_code == 403
    assert signed_in(stranger).get(reverse("kb", args=[workspace.slug])).status_code == 404
    cat = reverse("kb_category", args=[workspace.slug])
    assert signed_in(agent).post(cat, {"name": "Cards"}).status_code == 403
    signed_in(admin).post(cat, {"name": "Cards"})
    assert Category.objects.filter(workspace=workspace, slug="cards").exists()
    a = services.create_article(workspace, by=agent, title="Same", body="x")
    b = services.create_article(workspace, by=agent, title="Same", body="y")
    assert (a.slug, b.slug) == ("same", "same-2")


def test_admins_rename_reorder_and_delete_categories_and_articles_stay(
    workspace, admin, agent, stranger
):
    cards = services.create_category(workspace, name="Cards")
    fees = services.create_category(workspace, name="Fees")
    article = services.create_article(
        workspace, by=agent, title="Card fees", body="Free.", status="published", category=cards
    )
    services.create_article(
        workspace, by=agent, title="ATM fees", body="Two free.", status="published", category=fees
    )
    url = reverse("kb_category_change", args=[workspace.slug, cards.pk])
    assert signed_in(agent).post(url, {"name": "Plastic"}).status_code == 403
    assert signed_in(stranger).post(url, {"name": "Plastic"}).status_code == 404
    admin_client = signed_in(admin)
    admin_client.post(
        url, {"name": "Debit cards", "description": "Ordering, PINs", "position": "5"}
    )
    cards.refresh_from_db()
    assert (cards.name, cards.slug, cards.description, cards.position) == (
        "Debit cards", "debit-cards", "Ordering, PINs", 5,
    )  # fmt: skip
    home = Client().get(reverse("hc_home", args=[workspace.slug])).content.decode()
    assert home.index("Fees") < home.index("Debit cards")  # the order the admin chose
    taken = admin_client.post(url, {"name": "Fees"}, follow=True).content.decode()
    assert "already a category with this name" in taken
    bad = admin_client.post(url, {"name": "X", "position": "first"}, follow=True)
    assert "must be a whole number" in bad.content.decode()
    gone = admin_client.post(url, {"action": "delete"}, follow=True).content.decode()
    assert "its 1 article(s) stay" in gone
    article.refresh_from_db()
    assert article.category is None and not Category.objects.filter(pk=cards.pk).exists()
    assert Category.objects.filter(pk=fees.pk).exists()


def test_keyword_search_is_full_text_ranked_and_inert(workspace, other_workspace, agent, stranger):
    def make(ws, by, title, body):
        return services.create_article(ws, by=by, title=title, body=body, status="published")

    body_only = make(workspace, agent, "Travelling abroad", "Freeze your cards before a trip.")
    titled = make(workspace, agent, "Freeze a card", "In the app, open the card and freeze it.")
    make(other_workspace, stranger, "Freeze a card elsewhere", "Other workspace's card.")
    found = services.search(workspace, "freeze card")
    assert found == [titled, body_only]  # the title weighs more; `card` finds "cards"
    assert services.search(workspace, "freeze banana") == []  # every word must be there
    assert services.search(workspace, 'card" OR "x NEAR(') == []  # no operators from input
    services.update_article(body_only, by=agent, title="Abroad", body="Nothing to see.")
    assert services.search(workspace, "freeze card") == [titled]  # the index follows edits


def test_translations_and_the_language_switcher(workspace, agent):
    original = services.create_article(
        workspace, by=agent, title="Card fees", body="The first card is free.", status="published"
    )
    signed_in(agent).post(
        reverse("kb_translate", args=[workspace.slug, original.pk]),
        {"language": "fr", "title": "Frais de carte", "body": "La première carte est gratuite."},
    )
    french = Article.objects.get(language="fr")
    assert french.translation_of == original and french.status == "published"
    # A change to the original's text marks the translation out of date until it follows.
    editor = reverse("kb_edit", args=[workspace.slug, french.pk])
    assert "out of date" not in signed_in(agent).get(editor).content.decode()
    services.update_article(
        original, by=agent, body="The first card is free; the second costs 5 €."
    )
    stale = signed_in(agent).get(editor).content.decode()
    assert "out of date" in stale and "The original was changed after this translation" in stale
    services.update_article(
        french, by=agent, body="La première carte est gratuite, la deuxième 5 €."
    )
    assert "out of date" not in signed_in(agent).get(editor).content.decode()
    tagged = services.create_article(workspace, by=agent, title="PIN", body="Reset.", tags="pin")
    german = services.translate(tagged, by=agent, language="de", title="PIN", body="Zurück.")
    assert german.tags == ["pin"]  # topics follow the translation
    with pytest.raises(ServiceError, match="exists in that language"):
        services.translate(original, by=agent, language="fr", title="x", body="y")
    page = (
        Client().get(reverse("hc_article", args=[workspace.slug, original.slug])).content.decode()
    )
    assert (
        f'href="/support/{workspace.slug}/articles/{french.slug}/"' in page and "Français" in page
    )
    home_fr = Client().get(reverse("hc_home", args=[workspace.slug]) + "?lang=fr").content.decode()
    assert "Frais de carte" in home_fr and "Card fees" not in home_fr
    home = Client().get(reverse("hc_home", args=[workspace.slug])).content.decode()
    assert "Card fees" in home and "Frais de carte" not in home
    # Searching in French finds the French article, suggestions too; the language stays.
    found = Client().get(reverse("hc_home", args=[workspace.slug]), {"q": "carte", "lang": "fr"})
    found = found.content.decode()
    assert f"/articles/{french.slug}/" in found and f"/articles/{original.slug}/" not in found
    assert 'name="lang" value="fr"' in found
    english = Client().get(reverse("hc_home", args=[workspace.slug]), {"q": "card", "lang": "en"})
    english = english.content.decode()
    assert f"/articles/{original.slug}/" in english and f"/articles/{french.slug}/" not in english
    suggest = reverse("hc_suggest", args=[workspace.slug])
    hints = Client().get(suggest, {"q": "gratuite carte", "lang": "fr"}).content.decode()
    assert "Frais de carte" in hints and "Card fees" not in hints
    fr_page = Client().get(reverse("hc_article", args=[workspace.slug, french.slug]))
    back = f'href="/support/{workspace.slug}/articles/?lang=fr">Help center'
    assert back in fr_page.content.decode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_tags_group_articles_in_the_help_center(workspace, agent):
    client = signed_in(agent)
    new = reverse("kb_new", args=[workspace.slug])
    for title, tags in (("Travel abroad", "Travel, cards ,travel"), ("Fees", "pricing")):
        client.post(new, {"title": title, "body": "Text.", "status": "published",
                          "visibility": "public", "tags": tags})  # fmt: skip
    assert Article.objects.get(title="Travel abroad").tags == ["travel", "cards"]
    home = reverse("hc_home", args=[workspace.slug])
    travel = Client().get(home, {"tag": "travel"}).content.decode()
    assert "Travel abroad" in travel and "Fees" not in travel
    assert 'aria-current="page">travel</a>' in travel  # the chosen topic is marked
    too_many = client.post(new, {"title": "X", "body": "Y", "tags": ",".join("abcdefghijk")})
    assert too_many.status_code == 422 and "at most 10 tags" in too_many.content.decode()


def test_files_and_images_attach_to_an_article_and_follow_its_visibility(workspace, agent, viewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = services.create_article(
        workspace, by=agent, title="Card photo", body="See below.", status="published"
    )
    url = reverse("kb_file", args=[workspace.slug, article.pk])
    client = signed_in(agent)
    client.post(url, {"file": SimpleUploadedFile("card.png", PNG)})
    client.post(url, {"file": SimpleUploadedFile("terms.pdf", b"%PDF-1.4 terms")})
    refused = client.post(url, {"file": SimpleUploadedFile("tool.exe", b"MZ" + PNG)}, follow=True)
    assert "is a program or script" in refused.content.decode()
    assert (
        signed_in(viewer).post(url, {"file": SimpleUploadedFile("a.txt", b"a")}).status_code == 403
    )
    editor = client.get(reverse("kb_edit", args=[workspace.slug, article.pk])).content.decode()
    image = article.files.get(attachment__filename="card.png")
    markdown = f"![card.png](/support/{workspace.slug}/articles/files/{image.pk}/card.png)"
    assert markdown in editor  # pasted into the text, the image shows in place
    services.update_article(article, by=agent, body=f"See below.\n\n{markdown}")
    page = Client().get(reverse("hc_article", args=[workspace.slug, article.slug])).content.decode()
    assert f'<img src="/support/{workspace.slug}/articles/files/{image.pk}/card.png"' in page
    assert ">terms.pdf</a>" in page  # listed under the article
    shown = Client().get(services.file_url(image))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    pdf = Client().get(services.file_url(article.files.get(attachment__filename="terms.pdf")))
    assert "attachment" in pdf["Content-Disposition"]  # other files download, never render

    services.update_article(article, by=agent, visibility="internal")
    assert Client().get(services.file_url(image)).status_code == 404  # agents only now
    assert signed_in(agent).get(services.file_url(image)).status_code == 200
    client.post(url, {"remove": image.pk})
    assert not article.files.filter(pk=image.pk).exists()


def test_the_help_center_home_shows_each_category_as_a_card_of_its_most_read(workspace, agent):
    cards = services.create_category(workspace, name="Cards")
    made = [
        services.create_article(
            workspace,
            by=agent,
            title=f"Card question {n}",
            body="Text.",
            category=cards,
            status="published",
        )  # fmt: skip
        for n in range(7)
    ]
    Article.objects.filter(pk=made[6].pk).update(views=40)  # the most read comes first
    home_url = reverse("hc_home", args=[workspace.slug])
    home = Client().get(home_url).content.decode()
    card = home[home.index('id="cat-') :]
    assert card.index("Card question 6") < card.index("Card question 0")
    assert "Card question 5" not in card.split("All 7 articles")[0]  # five on the card
    assert "All 7 articles about Cards" in home
    assert "Most read" in home and home.index("Most read") < home.index('id="cat-')
    whole = Client().get(home_url, {"category": "cards"}).content.decode()
    assert all(f"Card question {n}" in whole for n in range(7))
    assert "All categories" in whole and "Most read" not in whole
    # An article's breadcrumb leads back to its category.
    page = Client().get(reverse("hc_article", args=[workspace.slug, made[0].slug]))
    assert f'href="{home_url}?category=cards&amp;lang=en">Cards</a>' in page.content.decode()


def test_agents_narrow_the_article_list_by_category_and_state(workspace, agent):
    cards = services.create_category(workspace, name="Cards")
    services.create_article(workspace, by=agent, title="Card fees", body="None.",
                            category=cards, status="published")  # fmt: skip
    services.create_article(workspace, by=agent, title="Card limits", body="Soon.", category=cards)
    services.create_article(workspace, by=agent, title="Refund desk", body="Leads only.",
                            status="published", visibility="internal")  # fmt: skip
    url = reverse("kb", args=[workspace.slug])

    def listed(**params):
        page = signed_in(agent).get(url, params).content.decode()
        return [t for t in ("Card fees", "Card limits", "Refund desk") if t in page]

    assert listed() == ["Card fees", "Card limits", "Refund desk"]
    assert listed(category="cards") == ["Card fees", "Card limits"]
    assert listed(category="cards", state="draft") == ["Card limits"]
    assert listed(state="published") == ["Card fees"]  # what customers can read
    assert listed(state="internal", category="none") == ["Refund desk"]


def test_the_article_list_pages_by_fifty_and_keeps_its_filters_and_search(workspace, agent):
    cards = services.create_category(workspace, name="Cards")
    for n in range(53):
        services.create_article(workspace, by=agent, title=f"Card topic {n:02}",
                                body="Lost card steps.", category=cards)  # fmt: skip
    services.create_article(workspace, by=agent, title="Loan rates", body="Lost card steps.")
    url = reverse("kb", args=[workspace.slug])
    client = signed_in(agent)

    def titles(page: str) -> list[str]:
        return re.findall(r">(Card topic \d\d|Loan rates)</a>", page)

    first = client.get(url, {"category": "cards", "state": "draft"}).content.decode()
    assert "53 articles" in first and "Page 1 of 2" in first
    assert titles(first) == [f"Card topic {n:02}" for n in range(50)]
    assert "?category=cards&amp;state=draft&amp;page=2" in first  # the filters carry over
    second = client.get(url, {"category": "cards", "state": "draft", "page": 2}).content.decode()
    assert titles(second) == ["Card topic 50", "Card topic 51", "Card topic 52"]
    assert ">Next</a>" not in second and "?category=cards&amp;state=draft&amp;page=1" in second

    searched = client.get(url, {"q": "lost card", "category": "cards"}).content.decode()
    assert "53 articles" in searched and "Loan rates" not in searched  # narrowed
    assert "?q=lost+card&amp;category=cards&amp;page=2" in searched
    everywhere = client.get(url, {"q": "lost card", "page": 2}).content.decode()
    assert len(titles(everywhere)) == 4 and "54 articles" in everywhere
    assert client.get(url, {"page": "nonsense"}).status_code == 200  # the first page


def test_searching_the_article_list_costs_the_same_queries_for_3_or_12(workspace, agent):
    url = reverse("kb", args=[workspace.slug])
    client = signed_in(agent)
    cards = services.create_category(workspace, name="Cards")

    def queries_for(n: int) -> int:
        Article.objects.filter(workspace=workspace).delete()
        for i in range(n):
            services.create_article(workspace, by=agent, title=f"Freeze {i}",
                                    body="Freeze a lost card.", category=cards)  # fmt: skip
        client.get(url, {"q": "freeze"})  # warm: session, membership
        with CaptureQueriesContext(connection) as seen:
            page = client.get(url, {"q": "freeze"}).content.decode()
        assert f"{n} articles" in page and page.count(">Cards</td>") == n
        return len(seen)

    assert queries_for(3) == queries_for(12)  # no query per article for its category
