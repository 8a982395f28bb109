"""Browser test fixtures: the real server (`frontline serve`, ASGI + task worker) on a
fresh SQLite demo workspace, driven by Playwright in Debian's headless Chromium.

The server runs as a subprocess with its own data directory, so browser tests use the
SQLite pass of the suite only (they test the pages, not the database engine).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("FRONTLINE_TEST_ARTIFACTS", "var/test-artifacts")).resolve()
# Without these, Chromium keeps trying to reach Google's services on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "frontline-demo"


def _skip_reason() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        return "browser tests run in the SQLite pass of the suite"
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: scripts/install-chromium should add it")
        return f"{CHROMIUM} is not installed (run scripts/install-chromium as root)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _frontline(env, *args, **kw):
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "frontline.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, outbox):
    """Base URL of a running Frontline with the demo workspace (60 tickets)."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("browser-server")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    port = _free_port()
    env |= {
        "FRONTLINE_DATA_DIR": str(data),
        "EMAIL_URL": f"smtp://127.0.0.1:{outbox[1]}",
        "FRONTLINE_BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    env["DJANGO_SETTINGS_MODULE"] = "frontline.settings"
    _frontline(env, "migrate", "-v0")
    _frontline(env, "seed_demo", "--tickets", "60")
    log = open(data / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "frontline.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/sign-in/", timeout=2)  # noqa: S310 - loopback
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("the server did not start:\n" + (data / "server.log").read_text())
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def chromium(demo_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, demo_server):
    """Open pages in separate browser contexts (separate sessions, like two people)."""
    contexts = []

    def make():
        context = chromium.new_context(
            base_url=demo_server, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()


def ready(page) -> None:
    """Wait until the page script runs and, on live pages, its websocket is open (a change
    made before that would not reach the page)."""
    page.wait_for_function(
        "document.documentElement.dataset.appReady === '1' && "
        "(!document.body.dataset.live || document.documentElement.dataset.socket === 'open')"
    )


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/**")
    ready(page)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Outbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        import email

        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 20, subject: str = ""):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages:
                if to in m["To"] and subject in m["Subject"]:
                    return m
            time.sleep(0.1)
        raise AssertionError(f"no email to {to} ({subject!r}) within {timeout} s")


@pytest.fixture(scope="session")
def outbox():
    from aiosmtpd.controller import Controller

    box = Outbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield box, controller.port
    controller.stop()
