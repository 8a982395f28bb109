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
WSGI server's worker threads. The request_started and request_finished signals (Django's
database connection housekeeping) run in that same call, where Django's handler hops to
the thread and back for each: one hop per request instead of three. Websockets are not
affected (Channels routes them).

The hop is a plain `run_in_executor` with a copy of the request's context, not asgiref's
`sync_to_async`: that one builds a wrapper, a thread-sensitive context and several futures
per call, which cost more CPU than a small API request's own work (about 0.5 ms a
request measured in-process). Nothing on the request threads calls `async_to_sync` (change
notices go to the server's loop with `run_coroutine_threadsafe`, see lib.realtime), which
is the one thing asgiref's machinery would be needed for. A response held in memory is
sent without a task watching for the client to leave: there is nothing left to stop
producing.
"""

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

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
        loop = asyncio.get_running_loop()
        realtime.bind_server_loop(loop)
        slot = min(range(len(self._busy)), key=self._busy.__getitem__)
        self._busy[slot] += 1
        try:
            await self.handle(scope, receive, send, self._in_thread(loop, slot))
        finally:
            self._busy[slot] -= 1

    def _in_thread(self, loop, slot: int):
        """Run a function on the slot's thread in a copy of the request's context (so
        nothing it sets leaks into other requests), awaitably."""
        executor = self._executors[slot]
        context = contextvars.copy_context()

        def call(function, *args):
            return loop.run_in_executor(executor, context.run, function, *args)

        return call

    async def handle(self, scope, receive, send, in_thread):
        """Django's ASGIHandler.handle with the signals moved into the view's hop. A
        response held in memory is closed (request_finished sent) before it is sent, as
        nothing of it is left to produce; a streamed one is closed after its last chunk,
        or when the client leaves. A sync view cannot be stopped midway, so a client that
        leaves is noticed while its response is being sent."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        with closing(body_file):
            response = await in_thread(self._respond, scope, body_file)
            if not response.streaming:
                await self.send_response(response, send)
                return
            try:
                async with asyncio.TaskGroup() as tasks:
                    tasks.create_task(self.listen_for_disconnect(receive))
                    await self.send_response(response, send)
                    raise _Sent
            except BaseExceptionGroup as group:
                others = group.split((_Sent, RequestAborted))[1]
                if others is not None:  # a real error: raised as itself when it is alone
                    alone = len(others.exceptions) == 1
                    raise (others.exceptions[0] if alone else others) from None
            finally:
                await in_thread(response.close)

    def _respond(self, scope, body_file):
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size  # the server chunks; read big blocks
        if not response.streaming:
            response.close()
        return response


class _Sent(Exception):
    """Ends the request's task group once the response is out (stops the disconnect
    listener)."""
