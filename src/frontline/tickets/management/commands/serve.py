import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from granian.constants import Interfaces, Loops
from granian.log import LogLevels
from granian.server import Server

from frontline.lib import notice_relay


class Command(BaseCommand):
    help = (
        "Serve Frontline: the ASGI web server (HTTP and websockets) and, alongside it, a "
        "background task worker and the scheduler of periodic tasks, restarted if they die."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="Web processes")
        parser.add_argument("--no-worker", action="store_true", help="Web server only")

    def handle(self, *args, host, port, workers, no_worker, **options):
        if "InMemory" in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
            # No shared channel layer: the children hand change notices to this server.
            local = "127.0.0.1" if host in ("0.0.0.0", "::", "localhost") else host  # noqa: S104
            os.environ[notice_relay.ENV] = f"http://{local}:{port}{notice_relay.PATH}"
        children = (
            []
            if no_worker
            else [
                Supervised(
                    "task worker",
                    # Idle workers look for new tasks 5 times a second: an email fetched or
                    # a reply to send waits at most 0.2 s for a worker (one small query).
                    ["db_worker", "--queue-name", "*", "--no-reload", "--interval", "0.2"],
                    self.stderr,
                ),
                Supervised("scheduler", ["scheduler"], self.stderr),
            ]
        )
        for child in children:
            child.start()
        self.stdout.write(f"Frontline on http://{host}:{port}/  (Ctrl+C to stop)")
        try:
            # Granian: HTTP and websockets in Rust, the app on an asyncio (uvloop) loop per
            # worker process; ASGI without lifespan (Django and Channels have none).
            Server(
                "frontline.asgi:application",
                address=host,
                port=port,
                interface=Interfaces.ASGINL,
                workers=workers,
                loop=Loops.uvloop,
                log_access=settings.DEBUG,
                log_level=LogLevels.info if settings.DEBUG else LogLevels.warning,
            ).serve()
        finally:
            for child in children:
                child.stop()


class Supervised:
    """A `frontline <command>` child process, kept alive: the task worker for every queue,
    the scheduler."""

    def __init__(self, name: str, command: list[str], log):
        self.name = name
        self.command = command
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _spawn(self) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "frontline.cli", *self.command]
        return subprocess.Popen(cmd, preexec_fn=_die_with_parent)  # noqa: S603 - fixed argv

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.proc = self._spawn()
            code = self.proc.wait()
            if self.stopping.is_set():
                return
            # A crashed worker's claimed tasks are picked up again by the next one.
            self.log.write(f"{self.name} exited with {code}; restarting in 2 s")
            self.stopping.wait(2)

    def stop(self) -> None:
        self.stopping.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _die_with_parent() -> None:
    # If this process ends without running `finally` (killed, or a server that re-raises
    # SIGTERM after its graceful shutdown), the kernel stops the worker for us (Linux).
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
