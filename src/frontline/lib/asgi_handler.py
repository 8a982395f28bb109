"""Django's ASGI handler, running each request's middleware and view in one call on one
of a few long-lived threads per process.

Django's own ASGIHandler (1) gives every request a fresh ThreadSensitiveContext, which
makes a new single-thread executor, so each request's sync code ran on a brand-new thread
(with SQLite: a new connection per request, and under load many threads fighting over the
GIL and the write lock); and (2) runs sync middleware in async mode, where every
process_request/process_response is a separate hop to that thread and back (about a dozen
per request with Django's stock middleware).

Here each request still gets its own context (nothing in asgiref leaks between requests)
but with the least busy of FRONTLINE_SYNC_THREADS long-lived executors, and the middleware
is loaded in sync mode so the whole chain and the view run in a single call, as under a
WSGI server's worker threads. Websockets are not affected (Channels routes them).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler

from frontline.lib import realtime


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self, threads: int):
        base.BaseHandler.__init__(self)  # not ASGIHandler's: it loads the chain async
        self.load_middleware(is_async=False)
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

    async def get_response_async(self, request):
        # Middleware and view together, in one hop to this request's thread.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
