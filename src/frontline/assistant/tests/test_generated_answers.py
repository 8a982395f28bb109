"""Generated answers through an OpenAI-compatible endpoint (a stub server on loopback that
speaks the API): used only when every sentence cites a passage that supports it; anything
else, and any failure, leaves the article's own passage as the answer."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from frontline.assistant import services, virtual_agent
from frontline.assistant.models import AssistantSettings
from frontline.knowledge import demo
from frontline.testing.personas import run_tasks, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
QUESTION = "I don't remember my pin, where can I see it?"


class Stub(BaseHTTPRequestHandler):
    content = ""
    status = 200
    seen: list = []

    def do_POST(self):  # noqa: N802 - the standard library's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.seen.append((self.path, self.headers.get("Authorization"), body))
        answer = {"choices": [{"message": {"role": "assistant", "content": Stub.content}}]}
        data = json.dumps(answer if Stub.status == 200 else {"error": "down"}).encode()
        self.send_response(Stub.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Stub.seen, Stub.status = [], 200
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def kb(workspace, agent):
    demo.seed(workspace, agent)
    run_tasks()
    return workspace


def test_a_supported_generated_answer_is_used_and_cites_its_article(kb, endpoint):
    passage = virtual_agent.reply(kb, QUESTION).text  # the extractive answer
    services.update_generation(kb, enabled=True, url=endpoint, model="tiny", api_key="sk-t")
    first = re.split(r"(?<=[.!?])\s+", passage.strip())[0]
    Stub.content = f"{first} [1]"
    reply = virtual_agent.reply(kb, QUESTION)
    assert reply.kind == "answer" and reply.text == f"{first} [1]"
    assert reply.citation.title == "I forgot my PIN" and "worded by the model" in reply.reason
    path, auth, body = Stub.seen[-1]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-t" and body["model"] == "tiny"
    assert "only the numbered passages" in body["messages"][0]["content"]
    asked = body["messages"][1]["content"]
    assert passage[:40] in asked and QUESTION in asked


@pytest.mark.parametrize(
    "content, status",
    [
        ("You can collect a new PIN at any post office, free of charge [1].", 200),  # invented
        ("Your PIN is shown in the app under card settings.", 200),  # no citation
        ("NO_ANSWER", 200),
        ("", 500),  # the endpoint fails
    ],
)
def test_anything_unsupported_or_failing_leaves_the_passage(kb, endpoint, content, status):
    passage = virtual_agent.reply(kb, QUESTION).text
    services.update_generation(kb, enabled=True, url=endpoint, model="tiny")
    Stub.content, Stub.status = content, status
    reply = virtual_agent.reply(kb, QUESTION)
    assert Stub.seen, "the endpoint was asked"
    assert reply.kind == "answer" and reply.text == passage and "worded" not in reply.reason


def test_admins_configure_the_endpoint_and_the_key_is_sealed(kb, admin, agent, endpoint):
    url = reverse("assistant_generation", args=[kb.slug])
    form = {"generate_answers": "on", "generation_url": endpoint, "generation_model": "m",
            "generation_key": "sk-secret"}  # fmt: skip
    assert signed_in(agent).post(url, form).status_code == 403
    signed_in(admin).post(url, form)
    config = AssistantSettings.objects.get(workspace=kb)
    assert config.generate_answers and config.generation_model == "m"
    assert config.generation_key and "sk-secret" not in config.generation_key  # sealed
    page = signed_in(admin).get(reverse("assistant", args=[kb.slug])).content.decode()
    assert "sk-secret" not in page and "stored; leave empty to keep it" in page
    signed_in(admin).post(url, form | {"generation_key": ""})  # empty: the key stays
    assert AssistantSettings.objects.get(workspace=kb).generation_key == config.generation_key
    bad = signed_in(admin).post(url, form | {"generation_url": "ftp://x"}, follow=True)
    assert "must start with http" in bad.content.decode()
