"""The offline guard of these tests really refuses the network (else it proves nothing)."""

import socket

import pytest


def test_connections_beyond_this_machine_are_refused():
    with pytest.raises(OSError, match="offline test"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
