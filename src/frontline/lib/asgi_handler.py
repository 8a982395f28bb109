"""Django's ASGI handler, running sync code on a few long-lived threads per process.

Django's ASGIHandler gives every request a fresh ThreadSensitiveContext, which makes a new
single-thread executor, so each request's sync code (middleware, views, the ORM) ran on a
brand-new thread. With SQLite that meant a new connection per request (init PRAGMAs,
function registration, an empty page cache) and, under load, many threads fighting over
the GIL and the write lock. Here each request still gets its own context (so nothing in
asgiref leaks between requests) but with one of FRONTLINE_SYNC_THREADS long-lived
executors, the least busy one: threads and their database connections are reused, like a
WSGI server's worker threads. A request's sync calls always go to the same thread.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

from frontline.lib import realtime


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self, threads: int):
        super().__init__()
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self._executors = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"frontline-sync-{i}")
            for i in range(threads)
        ]
        self._busy = [0] * threads  # requests in flight per executor (event loop only)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        realtime.bind_server_loop(asyncio.get_running_loop())
        slot = min(range(len(self._busy)), key=self._busy.__getitem__)
        self._busy[slot] += 1
        try:
            async with ThreadSensitiveContext(executor=self._executors[slot]):
                await self.handle(scope, receive, send)
        finally:
            self._busy[slot] -= 1
