"""Chat under load: many widget connections talking with agents on loopback.

    .venv/bin/python bench/chat/load.py                      # 500 visitors, in-memory layer
    .venv/bin/python bench/chat/load.py --redis              # the same with a Redis layer
    .venv/bin/python bench/chat/load.py --visitors 50 --rounds 1   # quick look

It starts its own server (granian, one process, SQLite in a temporary data dir; with
--redis also a redis-server on a free port) and a workspace with agents, then:
1. the agents sign in over HTTP and open their workspace socket (they are online);
2. the visitors open widget sockets (bounded concurrency), start a conversation and ask
   for a person (the virtual agent is off): each is routed to an agent with room;
3. rounds: every visitor writes, and the agent's socket must hear of it (visitor → agent
   latency); then the agent answers through the ticket page's reply form and the widget
   must receive it (agent → visitor latency, from the POST leaving the agent until the
   widget has it); sends are paced so that the figures are delivery, not a queue of
   writes;
4. checks: every message arrived once at its widget (none lost, none twice), and the
   database holds each message once; the server's memory before and after the
   connections gives the memory per connection.
Bounded in count (--visitors, --rounds) and time (--timeout per wait).
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv/bin/python")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values, q):
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


SETUP = """
import json, sys
from frontline.accounts import services as accounts
from frontline.chat import services as chat
agents = int(sys.argv[1]); visitors = int(sys.argv[2])
owner = accounts.create_user("owner@load.test", name="Owner", password="load-test-pw")
ws = accounts.create_workspace("Load test", "load", owner=owner)
for n in range(agents):
    user = accounts.create_user(f"agent{n}@load.test", name=f"Agent {n}", password="load-test-pw")
    accounts.add_member(ws, user, "agent")
current = chat.settings_for(ws)
current.bot_enabled = False
current.allowed_origins = ["*"]
current.capacity = visitors // agents + 1  # above the form's 20: a load test
current.save()
print(json.dumps({"key": current.key}))
"""


class Agent:
    def __init__(self, base, n):
        self.email = f"agent{n}@load.test"
        self.http = httpx.AsyncClient(base_url=base, timeout=30)
        self.notices: dict[int, list[float]] = {}  # ticket number -> times of notices

    async def sign_in(self):
        page = await self.http.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = await self.http.post(
            "/sign-in/",
            data={"csrfmiddlewaretoken": token, "username": self.email, "password": "load-test-pw"},
            headers={"Referer": str(self.http.base_url) + "/sign-in/"},
        )
        assert answer.status_code == 302, f"sign-in failed for {self.email}"

    async def listen(self, ws_base, ready):
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        async with websockets.connect(
            f"{ws_base}/ws/w/load/", additional_headers={"Cookie": cookies},
            origin=str(self.http.base_url),
        ) as sock:  # fmt: skip
            ready.set()
            async for raw in sock:
                event = json.loads(raw)
                if event.get("kind") == "change" and "customer_message" in event["changes"]:
                    self.notices.setdefault(event["ticket"], []).append(time.perf_counter())

    async def reply(self, number: int, text: str) -> None:
        path = f"/w/load/tickets/{number}/reply"
        token = self.http.cookies.get("csrftoken")
        answer = await self.http.post(
            path,
            data={"csrfmiddlewaretoken": token, "body": text, "kind": "reply", "confirm": "1"},
            headers={"Referer": str(self.http.base_url) + path},
        )
        assert answer.status_code == 302, f"reply failed: {answer.status_code}"


class Visitor:
    def __init__(self, n):
        self.n = n
        self.sock = None
        self.received: dict[int, list] = {}  # message id -> [receipt times]
        self.by_text: dict[str, float] = {}
        self.state = None
        self.ticket = None
        self.agent_name = ""
        self.acks = {}
        self.changed = asyncio.Event()

    async def connect(self, ws_base, key):
        url = f"{ws_base}/ws/chat/{key}/"
        self.sock = await websockets.connect(url, origin="https://shop.example")
        asyncio.get_running_loop().create_task(self._read())
        await self.send({"type": "start", "name": f"Visitor {self.n}"})
        await self.send({"type": "message", "text": f"I need a person please ({self.n})",
                         "client_id": "first"})  # fmt: skip

    async def send(self, command):
        await self.sock.send(json.dumps(command))

    async def _read(self):
        async for raw in self.sock:
            event = json.loads(raw)
            now = time.perf_counter()
            kind = event.get("kind")
            if kind == "message" and event["author"] == "agent":
                self.received.setdefault(event["id"], []).append(now)
                self.by_text.setdefault(event["text"], now)
            elif kind == "state":
                self.state, self.ticket = event["state"], event["ticket"]
                self.agent_name = event.get("agent") or self.agent_name
            elif kind == "ack":
                self.acks[event["client_id"]] = event["id"]
            elif kind == "error":
                print(f"visitor {self.n}: {event['message']}", file=sys.stderr)
            self.changed.set()

    async def wait(self, test, timeout):
        deadline = time.monotonic() + timeout
        while not test():
            self.changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return False
        return True


async def scenario(base, ws_base, key, args, server_pid):
    agents = [Agent(base, n) for n in range(args.agents)]
    for a in agents:
        await a.sign_in()
    listeners = []
    for a in agents:
        ready = asyncio.Event()
        listeners.append(asyncio.create_task(a.listen(ws_base, ready)))
        await ready.wait()
    gate = asyncio.Semaphore(args.concurrency)

    async def open_one(v):
        async with gate:
            await v.connect(ws_base, key)
            await v.wait(lambda: v.state == "active", args.timeout)

    # A few conversations first, not counted: the server loads what the first ticket
    # needs (tone and language models), which is not memory per connection.
    warm = [Visitor(-n - 1) for n in range(5)]
    await asyncio.gather(*(open_one(v) for v in warm))
    for v in warm:
        await v.send({"type": "end"})
    await asyncio.sleep(1)
    before = rss_kib(server_pid)
    visitors = [Visitor(n) for n in range(args.visitors)]

    began = time.perf_counter()
    await asyncio.gather(*(open_one(v) for v in visitors))
    connect_seconds = time.perf_counter() - began
    active = [v for v in visitors if v.state == "active"]
    after = rss_kib(server_pid)
    by_name = {f"Agent {n}": a for n, a in enumerate(agents)}
    to_agent, to_visitor, lost, missed_notices = [], [], 0, 0
    interval = 1 / args.rate
    # Opening 500 conversations in ~25 s sends the agents' sockets thousands of change
    # notices; a visitor's message right after waits behind that backlog (seconds), which
    # is the burst, not steady delivery. --settle lets it drain first (0: measure at once).
    await asyncio.sleep(args.settle)
    for rnd in range(args.rounds):
        # Visitors write, paced; the agent's workspace socket hears of each.
        sent = {}
        for v in active:
            text = f"round {rnd} question from {v.n}"
            sent[v.n] = time.perf_counter()
            await v.send({"type": "message", "text": text, "client_id": f"r{rnd}"})
            await asyncio.sleep(interval)
        await asyncio.sleep(1)
        for v in active:
            if not await v.wait(lambda v=v, rnd=rnd: f"r{rnd}" in v.acks, args.timeout):
                lost += 1
        # (The notice names the ticket, not the message: match each visitor's notice by
        # the ticket of its conversation, the first notice after its send.)
        for v in active:
            agent = by_name[v.agent_name]
            deadline = time.monotonic() + args.timeout
            while True:
                later = [t for t in agent.notices.get(v.ticket, []) if t >= sent[v.n]]
                if later or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            if later:
                to_agent.append(1000 * (min(later) - sent[v.n]))
            else:
                missed_notices += 1
        # Agents answer, paced; the widget receives it.
        replies = {}
        for v in active:
            text = f"round {rnd} answer to {v.n}"
            replies[v.n] = (text, time.perf_counter())
            await by_name[v.agent_name].reply(v.ticket, text)
            await asyncio.sleep(interval)
        for v in active:
            text, at = replies[v.n]
            if await v.wait(lambda v=v, text=text: text in v.by_text, args.timeout):
                to_visitor.append(1000 * (v.by_text[text] - at))
            else:
                lost += 1
    duplicates = sum(len(times) - 1 for v in active for times in v.received.values())
    for task in listeners:
        task.cancel()
    for v in visitors + warm:
        await v.sock.close()
    return {
        "visitors": len(visitors),
        "routed_to_an_agent": len(active),
        "connect_and_route_seconds": round(connect_seconds, 1),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_connection": round((after - before) / max(1, len(visitors)), 1),
        "visitor_to_agent_ms": summary(to_agent),
        "agent_to_visitor_ms": summary(to_visitor),
        "lost": lost,
        "agent_notices_missed": missed_notices,
        "duplicates": duplicates,
        "agent_messages_received": sum(len(v.received) for v in active),
    }


def summary(values):
    if not values:
        return None
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 1),
        "p95": round(percentile(values, 95), 1),
        "p99": round(percentile(values, 99), 1),
        "max": round(max(values), 1),
    }


def count_messages(env) -> dict:
    code = (
        "from frontline.tickets.models import Message;"
        "from django.db.models import Count;"
        "import json;"
        "rows = Message.objects.values('ticket_id', 'body_text').annotate(n=Count('id'))"
        ".filter(n__gt=1);"
        "print(json.dumps({'messages': Message.objects.count(), 'stored_twice': rows.count()}))"
    )
    out = subprocess.run([PY, "-c", "import django;django.setup();" + code], env=env,
                         check=True, capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--agents", type=int, default=20)  # sign-in allows 20 a minute
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=20, help="messages a second, each way")
    parser.add_argument("--concurrency", type=int, default=20, help="visitors connecting at once")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--settle", type=float, default=10,
                        help="seconds between the connection burst and the rounds")  # fmt: skip
    parser.add_argument("--redis", action="store_true")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="fl-chat-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "FRONTLINE_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "frontline.settings",
        "FRONTLINE_BASE_URL": f"http://127.0.0.1:{port}",
        "FRONTLINE_CHAT_STARTS_PER_HOUR": str(args.visitors * 2),
        "EMAIL_URL": "consolemail://",
    }
    procs = []
    stack = contextlib.ExitStack()
    try:
        if args.redis:
            redis_port = free_port()
            redis = ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
            procs.append(subprocess.Popen(redis, stdout=subprocess.DEVNULL))
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            time.sleep(0.5)
        subprocess.run([PY, "-m", "frontline.cli", "migrate", "-v0"], env=env, check=True)
        out = subprocess.run([PY, "-c", "import django;django.setup();" + SETUP, str(args.agents),
                              str(args.visitors)], env=env, check=True, capture_output=True,
                             text=True)  # fmt: skip
        key = json.loads(out.stdout.strip().splitlines()[-1])["key"]
        log = stack.enter_context((data / "server.log").open("w"))
        server = subprocess.Popen(
            [PY, "-m", "granian", "--interface", "asginl", "--loop", "uvloop", "--port",
             str(port), "--log-level", "warning", "frontline.asgi:application"],
            env=env, stderr=log,
        )  # fmt: skip
        procs.append(server)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/sign-in/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        result = asyncio.run(scenario(base, f"ws://127.0.0.1:{port}", key, args, server.pid))
        result |= count_messages(env)
        result["layer"] = "redis" if args.redis else "in-memory"
        result["settle_s"] = args.settle
        print(json.dumps(result, indent=2))
    except BaseException:
        if (data / "server.log").exists():  # the server's side of a failure, before it goes
            print("--- server log (last 60 lines) ---", file=sys.stderr)
            lines = (data / "server.log").read_text().splitlines()[-60:]
            print("\n".join(lines), file=sys.stderr)
        raise
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(10)
        stack.close()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
