"""Under the ASGI server, requests reuse a few long-lived threads and their DB connections."""

import asyncio
import os
import subprocess
import sys
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection, connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path
from django.utils import translation

from frontline.lib.asgi_handler import PooledThreadsASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


async def get(app, path: str) -> int:
    return (await fetch(app, path))[0]


async def fetch(app, path: str) -> tuple[int, bytes]:
    status, _, body = await exchange(app, path)
    return status, body


async def exchange(app, path: str) -> tuple[int, list, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    comm = ApplicationCommunicator(app, scope)
    await comm.send_input({"type": "http.request", "body": b""})
    start = await comm.receive_output(10)
    body = b""
    while True:
        message = await comm.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await comm.wait(10)
    return start["status"], start["headers"], body


def closed(app: PooledThreadsASGIHandler) -> None:
    # The handler's threads keep their connections; close them so the test DB can go.
    for executor in app._executors:
        executor.submit(connections.close_all).result()
        executor.shutdown()


@pytest.fixture
def seen():
    """(thread id, DB connection) of every request's sync code."""
    found = []

    def record(**kwargs):
        connection.ensure_connection()
        found.append((threading.current_thread().name, id(connection.connection)))

    request_started.connect(record)
    yield found
    request_started.disconnect(record)


def test_requests_share_one_thread_and_its_database_connection(seen):
    app = PooledThreadsASGIHandler(threads=1)
    statuses = [asyncio.run(get(app, "/api/openapi.json")) for _ in range(3)]
    closed(app)
    assert statuses == [200, 200, 200]
    assert len(seen) == 3
    assert len({thread for thread, _ in seen}) == 1
    if connection.vendor == "sqlite":
        # The SQLite backend hands the parked connection back to the next request.
        assert len({conn for _, conn in seen}) == 1
    assert seen[0][0].startswith("frontline-sync-")  # not the event loop, not a new thread


def test_concurrent_requests_spread_over_the_threads(seen):
    app = PooledThreadsASGIHandler(threads=2)

    async def four():
        return await asyncio.gather(*(get(app, "/api/openapi.json") for _ in range(4)))

    statuses = asyncio.run(four())
    closed(app)
    assert statuses == [200] * 4
    assert len({thread for thread, _ in seen}) == 2


def test_at_least_one_thread():
    with pytest.raises(ValueError):
        PooledThreadsASGIHandler(threads=0)


def test_a_web_process_is_ready_before_its_first_request(tmp_path):
    # The views and the API are imported at start-up (not by the first visitor, ~0.6 s),
    # and what start-up made is frozen out of the garbage collector's full passes (which
    # took 110 ms over it and held up every request queued on the worker). The language
    # detectors' models are loaded too: lingua's first use took 1.9 s in a busy worker.
    code = (
        "import gc, sys; import frontline.asgi; "
        "from frontline.assistant import language as l; "
        "print(gc.get_freeze_count(), 'frontline.api.tickets' in sys.modules, "
        "l._detector.cache_info().currsize == l._fast_model.cache_info().currsize == 1)"
    )
    env = {**os.environ, "FRONTLINE_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    frozen, views_loaded, languages_loaded = out.stdout.split()
    assert views_loaded == "True" and languages_loaded == "True"
    assert int(frozen) > 50_000


# ---- one hop per request: Django's signals run beside the view --------------------------

steps = []


def _plain(request):
    steps.append(("view", threading.current_thread().name))
    return HttpResponse("plain answer")


def _streamed(request):
    def chunks():
        for n in range(3):
            steps.append((f"chunk {n}", threading.current_thread().name))
            yield f"part {n};"

    return StreamingHttpResponse(chunks())


def _broken(request):
    raise RuntimeError("boom")


def _speak_french(request):
    # A view that switches the language (as the i18n middleware does per request) and sets
    # a cookie: neither may reach the next request.
    translation.activate("fr")
    response = HttpResponse(translation.get_language())
    response.set_cookie("seen", "yes")
    return response


def _language(request):
    return HttpResponse(translation.get_language())


urlpatterns = [
    path("plain", _plain),
    path("streamed", _streamed),
    path("broken", _broken),
    path("french", _speak_french),
    path("language", _language),
]


@pytest.fixture
def signals_seen():
    steps.clear()

    def started(**kwargs):
        steps.append(("started", threading.current_thread().name))

    def finished(**kwargs):
        steps.append(("finished", threading.current_thread().name))

    request_started.connect(started)
    request_finished.connect(finished)
    yield steps
    request_started.disconnect(started)
    request_finished.disconnect(finished)


@override_settings(ROOT_URLCONF=__name__)
def test_a_request_starts_runs_and_finishes_in_one_visit_to_its_thread(signals_seen):
    # Django's own handler went to the thread and back three times per request (started,
    # view, finished); each trip cost the event loop a wake-up.
    app = PooledThreadsASGIHandler(threads=1)
    executor = app._executors[0]
    visits = []
    submit = executor.submit
    executor.submit = lambda *args, **kwargs: visits.append(1) or submit(*args, **kwargs)
    answers = [asyncio.run(fetch(app, "/plain")) for _ in range(2)]
    assert len(visits) == 2
    closed(app)
    assert answers == [(200, b"plain answer")] * 2
    assert [step for step, _ in signals_seen] == ["started", "view", "finished"] * 2
    assert {thread for _, thread in signals_seen} == {"frontline-sync-0_0"}


@override_settings(ROOT_URLCONF=__name__)
def test_a_streamed_response_is_sent_whole_and_finished_after_its_last_chunk(signals_seen):
    app = PooledThreadsASGIHandler(threads=1)
    answer = asyncio.run(fetch(app, "/streamed"))
    closed(app)
    assert answer == (200, b"part 0;part 1;part 2;")
    assert [step for step, _ in signals_seen] == [
        "started",
        "chunk 0",
        "chunk 1",
        "chunk 2",
        "finished",
    ]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_failing_view_answers_500_and_the_request_still_finishes(signals_seen):
    app = PooledThreadsASGIHandler(threads=1)
    status = asyncio.run(get(app, "/broken"))
    closed(app)
    assert status == 500
    assert [step for step, _ in signals_seen] == ["started", "finished"]


@override_settings(ROOT_URLCONF=__name__)
def test_what_a_request_sets_on_its_thread_stays_with_that_request():
    # Both requests run on the same thread: the second must not speak French.
    app = PooledThreadsASGIHandler(threads=1)

    async def both():
        return await exchange(app, "/french"), await exchange(app, "/language")

    (status, headers, body), (_, _, after) = asyncio.run(both())
    closed(app)
    assert (status, body) == (200, b"fr")
    assert (b"Set-Cookie", b"seen=yes; Path=/") in headers
    assert (b"Content-Type", b"text/html; charset=utf-8") in headers
    assert after == settings.LANGUAGE_CODE.encode()
