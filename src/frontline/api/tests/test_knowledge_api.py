"""The knowledge base through the API: agents write and translate articles (Markdown in,
sanitised HTML out, every change a version), admins manage categories, members read,
integrations ask the help center's question search, and nobody reaches another
workspace's articles."""

import pytest

from frontline.knowledge import demo
from frontline.knowledge.models import Article, Category
from frontline.testing.api_client import api_for
from frontline.testing.personas import run_tasks

pytestmark = pytest.mark.django_db

BODY = (
    "Cards arrive in 3 to 5 working days.\n\n## Still waiting?\nOrder a new one.\n\n"
    "<script>x()</script>"
)


def test_an_agent_writes_publishes_and_restores_an_article(as_agent, as_admin, agent, workspace):
    category = as_admin.post("/kb/categories", {"name": "Cards", "position": 2})
    assert category.status_code == 201 and category.data["slug"] == "cards"
    assert category.data["position"] == 2
    made = as_agent.post(
        "/kb/articles",
        {"title": "Card delivery", "body": BODY, "category": category.data["id"],
         "tags": ["Cards", "delivery"]},
        **{"Idempotency-Key": "kb-1"},
    )  # fmt: skip
    assert made.status_code == 201, made.data
    article = made.data
    assert (article["status"], article["version"], article["url"]) == ("draft", 1, None)
    assert article["tags"] == ["cards", "delivery"]
    assert '<h2 id="still-waiting">Still waiting?</h2>' in article["html"]
    assert "<script" not in article["html"]  # the Markdown's HTML is never passed through
    again = as_agent.post(
        "/kb/articles",
        {"title": "Card delivery", "body": BODY, "category": category.data["id"],
         "tags": ["Cards", "delivery"]},
        **{"Idempotency-Key": "kb-1"},
    )  # fmt: skip
    assert again.data["id"] == article["id"] and Article.objects.count() == 1

    path = f"/kb/articles/{article['id']}"
    published = as_agent.patch(
        path, {"status": "published", "body": "Three days.", "note": "short"}
    )
    assert published.status_code == 200
    assert published.data["url"].endswith(f"/support/{workspace.slug}/articles/card-delivery/")
    assert published.data["version"] == 2
    versions = as_agent.get(f"{path}/versions").data
    assert [(v["number"], v["note"]) for v in versions] == [(2, "short"), (1, "created")]
    assert versions[1]["author"]["email"] == agent.email
    restored = as_agent.post(f"{path}/versions/1/restore")
    assert restored.data["body"] == BODY.strip() and restored.data["version"] == 3

    french = as_agent.post(
        f"{path}/translations", {"language": "fr", "title": "Livraison", "body": "Trois jours."}
    )
    assert french.status_code == 201 and french.data["translation_of"] == article["id"]
    langs = [t["language"] for t in as_agent.get(path).data["translations"]]
    assert langs == ["en", "fr"]
    twice = as_agent.post(f"{path}/translations", {"language": "fr", "title": "X", "body": "Y"})
    assert twice.status_code == 409

    listed = as_agent.get("/kb/articles?status=published&language=en").data
    assert [a["title"] for a in listed["items"]] == ["Card delivery"]
    assert as_agent.get("/kb/articles?q=delivery").data["items"][0]["id"] == article["id"]


def test_bad_article_requests_say_what_is_wrong(as_agent, other_workspace):
    foreign = Category.objects.create(workspace=other_workspace, name="Theirs", slug="theirs")
    cases = [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "T", "body": "x", "status": "live"}, "status"),
        ({"title": "T", "body": "x", "language": "xx"}, "language"),
        ({"title": "T", "body": "x", "category": foreign.pk}, "category"),
        ({"title": "T", "body": "x", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        r = as_agent.post("/kb/articles", body)
        assert r.status_code == 422, (body, r.data)
        assert field in {d["field"] for d in r.data["details"]}, (body, r.data)
    assert not Article.objects.exists()
    assert as_agent.get("/kb/articles?colour=red").status_code == 422


def test_roles_decide_who_writes_and_nobody_crosses_workspaces(
    as_agent, as_admin, agent, viewer, stranger, workspace, other_workspace
):
    article = as_agent.post("/kb/articles", {"title": "Fees", "body": "None."}).data
    as_viewer, as_stranger = api_for(viewer, workspace), api_for(stranger, other_workspace)
    assert as_viewer.get(f"/kb/articles/{article['id']}").status_code == 200
    assert as_viewer.post("/kb/articles", {"title": "X", "body": "Y"}).status_code == 403
    assert as_viewer.patch(f"/kb/articles/{article['id']}", {"title": "Z"}).status_code == 403
    assert as_agent.post("/kb/categories", {"name": "Cards"}).status_code == 403
    for call in (
        lambda: as_stranger.get(f"/kb/articles/{article['id']}"),
        lambda: as_stranger.patch(f"/kb/articles/{article['id']}", {"title": "Mine"}),
        lambda: as_stranger.get(f"/kb/articles/{article['id']}/versions"),
        lambda: as_stranger.post(f"/kb/articles/{article['id']}/versions/1/restore"),
    ):
        assert call().status_code == 404
    assert as_stranger.get("/kb/articles").data["items"] == []
    assert Article.objects.get().title == "Fees"


@pytest.mark.django_db(transaction=True)  # indexing is queued when a save commits
def test_integrations_ask_the_help_centers_question_search(as_agent, agent, workspace):
    demo.seed(workspace, agent)
    run_tasks()  # passages and their meaning, as after any save
    internal = as_agent.post(
        "/kb/articles",
        {"title": "Refund desk playbook", "body": "Refunds over 500 need a lead.",
         "status": "published", "visibility": "internal"},
    ).data  # fmt: skip
    hits = as_agent.get("/kb/search?q=I+forgot+my+PIN,+where+can+I+see+it%3F").data
    assert hits and "PIN" in hits[0]["article"]["title"]
    assert hits[0]["similarity"] > 0.4 and hits[0]["passage"]
    public_only = as_agent.get("/kb/search?q=refund+desk+playbook+lead").data
    assert internal["id"] not in [h["article"]["id"] for h in public_only]
    everything = as_agent.get("/kb/search?q=refund+desk+playbook+lead&public=false").data
    assert internal["id"] in [h["article"]["id"] for h in everything]
    assert as_agent.get("/kb/search?q=+").status_code == 422


def test_files_are_attached_listed_and_removed(
    as_agent, viewer, stranger, workspace, other_workspace
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = as_agent.post("/kb/articles", {"title": "Card photo", "body": "See below."}).data
    files = f"/api/kb/articles/{article['id']}/files"
    png = b"\x89PNG\r\n\x1a\n" + b"\x02" * 40

    def upload(api, name, content):
        return api.client.post(
            files, {"file": SimpleUploadedFile(name, content)}, headers=api.headers
        )

    added = upload(as_agent, "card.png", png)
    assert added.status_code == 201, added.content
    image = added.json()
    assert (
        image["markdown"]
        == f"![card.png](/support/{workspace.slug}/articles/files/{image['id']}/card.png)"
    )
    listed = as_agent.get(f"/kb/articles/{article['id']}").data["files"]
    assert [(f["filename"], f["content_type"]) for f in listed] == [("card.png", "image/png")]
    refused = upload(as_agent, "tool.exe", b"MZ" + png)
    assert refused.status_code == 415 and "program or script" in refused.json()["message"]
    assert upload(api_for(viewer, workspace), "a.png", png).status_code == 403
    stranger_api = api_for(stranger, other_workspace)
    assert upload(stranger_api, "a.png", png).status_code == 404
    path = f"/kb/articles/{article['id']}/files/{image['id']}"
    assert stranger_api.delete(path).status_code == 404
    assert as_agent.delete(path).status_code == 204
    assert as_agent.get(f"/kb/articles/{article['id']}").data["files"] == []
