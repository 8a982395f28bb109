import ipaddress
import socket

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """The assistant must work offline: any connection beyond this machine fails the test
    (models come from installed packages, never from a hub)."""
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None:
            try:
                local = ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = host == "localhost"
            if not local:
                raise OSError(f"network access attempted in an offline test: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
