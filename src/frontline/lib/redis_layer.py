"""The Redis channel layer's configuration, shared by the settings and their tests.

channels_redis waits for a socket's next message with a blocking BZPOPMIN of
`brpop_timeout` (5 s), and redis-py 8 reads every answer with a default socket timeout of
5 s as well: an idle socket's read then races the server's own timeout, loses, and the
consumer dies with "Timeout reading from …", closing the browser's socket without a close
frame. The read timeout must outlast the blocking pop.
"""

from channels_redis.core import RedisChannelLayer

READ_TIMEOUT_SECONDS = RedisChannelLayer.brpop_timeout + 25


def channel_layer(url: str) -> dict:
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": url, "socket_timeout": READ_TIMEOUT_SECONDS}],
        },
    }
