"""A workspace moved with `frontline export`/`import` keeps its knowledge base (articles,
versions, translations, votes, files and the images in their text), the assistant's
settings and rules, the virtual agent's history and the live-chat settings and chats."""

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from frontline.accounts.models import Workspace
from frontline.assistant import bot_report
from frontline.assistant.models import BotTurn, RoutingRule
from frontline.assistant.services import settings_for as assistant_settings
from frontline.chat import protocol
from frontline.chat import services as chat
from frontline.chat.models import BotReply, ChatSession
from frontline.knowledge import demo, retrieval, services
from frontline.knowledge.models import Article, Category
from frontline.testing.personas import run_tasks
from frontline.tickets.models import Team

pytestmark = pytest.mark.django_db(transaction=True)

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


def quiet(*args):
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


def move(workspace, tmp_path, slug="moved", said=None) -> tuple[Workspace, list[dict]]:
    path = tmp_path / "export.jsonl"
    quiet("export_workspace", workspace.slug, "--output", str(path))
    call_command(
        "import_workspace", str(path), "--slug", slug, stdout=io.StringIO(),
        stderr=said if said is not None else io.StringIO(),
    )  # fmt: skip
    return Workspace.objects.get(slug=slug), [json.loads(x) for x in path.read_text().splitlines()]


def test_the_knowledge_base_moves_with_its_history_files_and_translations(
    workspace, agent, tmp_path
):
    demo.seed(workspace, agent)
    article = Article.objects.get(workspace=workspace, title__icontains="pin")
    image = services.add_file(article, SimpleUploadedFile("pin.png", PNG), by=agent)
    services.update_article(
        article, by=agent, body=f"{article.body}\n\n{services.markdown_for(image)}", note="photo"
    )
    services.translate(article, by=agent, language="fr", title="Mon code PIN", body="Texte.")
    services.vote(article, helpful=False, comment="Say where the PIN is shown")
    internal = services.create_article(
        workspace, by=agent, title="Refund desk", body="Agents only.", visibility="internal"
    )

    said = io.StringIO()
    copy, lines = move(workspace, tmp_path, said=said)
    articles = Article.objects.filter(workspace=workspace).count()
    assert f"{articles} kb_article" in said.getvalue()  # the command says what it brought
    assert "rebuilt by the task worker" in said.getvalue()

    def shape(ws):
        return sorted(
            (a.slug, a.title, a.status, a.visibility, a.language, a.category.name if a.category
             else None, a.translation_of.slug if a.translation_of else None,
             [(v.number, v.title, v.note, v.author.email) for v in a.versions.all()],
             [(v.helpful, v.comment) for v in a.votes.all()])
            for a in Article.objects.filter(workspace=ws)
        )  # fmt: skip

    assert shape(copy) == shape(workspace)
    assert (
        Category.objects.filter(workspace=copy).count()
        == Category.objects.filter(workspace=workspace).count()
    )
    moved = Article.objects.get(workspace=copy, slug=article.slug)
    moved_image = moved.files.get()
    # The image in the text (and in the version that added it) points at the copy's file.
    address = services.file_url(moved_image)
    assert f"/support/moved/articles/files/{moved_image.pk}/pin.png" == address
    assert address in moved.body and f"/support/{workspace.slug}/" not in moved.body
    assert address in moved.versions.get(note="photo").body
    shown = Client().get(address)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG
    page = Client().get(reverse("hc_article", args=["moved", moved.slug])).content.decode()
    assert f'<img src="{address}"' in page
    # Agents-only stays agents-only.
    assert Client().get(reverse("hc_article", args=["moved", internal.slug])).status_code == 404

    # Passages are rebuilt by the same indexing a save queues: questions find articles.
    run_tasks()
    found = retrieval.search(copy, "I forgot my PIN number")
    assert found and found[0].article.slug == article.slug


def test_the_assistant_and_live_chat_move_without_secrets(
    workspace, agent, tmp_path, fresh_rate_limits
):
    team = Team.objects.create(workspace=workspace, slug="cards", name="Cards")
    demo.seed(workspace, agent)
    run_tasks()
    config = assistant_settings(workspace.pk)
    config.default_team, config.bot_tone, config.generation_key = team, "formal", "sk-secret"
    config.save()
    RoutingRule.objects.create(
        workspace=workspace, intent="card_arrival", team=team, priority="high", always_human=True
    )
    settings = chat.settings_for(workspace)
    settings.bot_name, settings.allowed_origins = "Penny", ["https://shop.example"]
    settings.save()
    session = protocol.handle(settings, None, {"type": "start"}, ip="203.0.113.9").session
    protocol.handle(
        settings, session, {"type": "message", "text": "I forgot my PIN"}, ip="203.0.113.9"
    )
    chat.mark_read(session, session.ticket.messages.order_by("pk").last().pk, by_agent=False)
    report = bot_report.report(workspace, SINCE)

    copy, lines = move(workspace, tmp_path)

    assert "sk-secret" not in json.dumps(lines)  # a secret is never written out
    moved_config = assistant_settings(copy.pk)
    assert (moved_config.bot_tone, moved_config.generation_key) == ("formal", "")
    assert moved_config.default_team == Team.objects.get(workspace=copy, slug=team.slug)
    rule = RoutingRule.objects.get(workspace=copy)
    assert (rule.team.workspace_id, rule.priority, rule.always_human) == (copy.pk, "high", True)

    moved_chat = chat.settings_for(copy)
    assert (moved_chat.bot_name, moved_chat.allowed_origins) == ("Penny", ["https://shop.example"])
    assert moved_chat.key != settings.key  # the key is in use on this server
    moved_session = ChatSession.objects.get(workspace=copy)
    # Its visitor cannot reconnect to the copy: the chat is over, its ticket stays open.
    assert moved_session.state == ChatSession.State.ENDED
    assert moved_session.ticket.number == session.ticket.number
    assert moved_session.visitor_read == moved_session.ticket.messages.order_by("pk").last().pk

    turn = BotTurn.objects.get(workspace=copy)
    assert turn.article.workspace_id == copy.pk and turn.ticket == moved_session.ticket
    reply = BotReply.objects.get(turn=turn)
    assert reply.message.ticket == moved_session.ticket
    assert bot_report.report(copy, SINCE) == report  # the virtual agent's report is unchanged


def test_a_translation_before_its_original_is_refused_by_line(workspace, agent, tmp_path):
    original = services.create_article(workspace, by=agent, title="Fees", body="None.")
    services.translate(original, by=agent, language="de", title="Gebühren", body="Keine.")
    path = tmp_path / "export.jsonl"
    quiet("export_workspace", workspace.slug, "--output", str(path))
    lines = path.read_text().splitlines()
    kb = [i for i, x in enumerate(lines) if json.loads(x)["type"] == "kb_article"]
    lines[kb[0]], lines[kb[1]] = lines[kb[1]], lines[kb[0]]
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError, match=f"line {kb[0] + 1}: .*translates an article"):
        quiet("import_workspace", str(path), "--slug", "broken")
    assert not Workspace.objects.filter(slug="broken").exists()
