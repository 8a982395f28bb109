"""Sending a stored file in chunks under ASGI.

Django serves a synchronous iterator (FileResponse's too) under ASGI by reading it whole
into memory first; an asynchronous one is sent as it comes. A workspace export can be
hundreds of megabytes, so files like it go out through `file_chunks`.
"""

import asyncio
from collections.abc import AsyncIterator

CHUNK = 256 * 1024


async def file_chunks(field_file, size: int = CHUNK) -> AsyncIterator[bytes]:
    """The bytes of a stored file (a FieldFile), read off the event loop."""
    handle = await asyncio.to_thread(field_file.storage.open, field_file.name, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, size):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)
