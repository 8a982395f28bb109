"""OAuth2 mailboxes renew their access token by themselves: against Dovecot (XOAUTH2) on
loopback and a stand-in for the provider's token endpoint (the third-party part)."""

import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from frontline.email import imap, mailboxes
from frontline.email.models import Mailbox
from frontline.email.tests.test_imap import numbered
from frontline.lib import clock
from frontline.lib.sealed import unseal
from frontline.testing.dovecot import PASSWORD
from frontline.tickets.events import Actor
from frontline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


class TokenEndpoint(BaseHTTPRequestHandler):
    calls: list[dict] = []
    answer: tuple[int, dict] = (200, {})

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        TokenEndpoint.calls.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
        status, body = TokenEndpoint.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def token_endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    TokenEndpoint.calls = []
    TokenEndpoint.answer = (
        200, {"access_token": PASSWORD, "expires_in": 3599, "refresh_token": "r2"},
    )  # fmt: skip
    yield f"http://127.0.0.1:{server.server_port}/token"
    server.shutdown()


def test_a_refused_token_is_renewed_once_and_mail_is_fetched(
    workspace, admin, dovecot, token_endpoint
):
    user, password = dovecot.add_user()
    dovecot.append(user, password, numbered(1))
    mailbox = mailboxes.create_mailbox(
        workspace, by=Actor.of(admin), name="Gmail", address="support@acme.test",
        host=dovecot.host, port=dovecot.port, security="none", username=user, auth="oauth2",
        secret="expired-token", oauth_token_url=token_endpoint, oauth_client_id="client-1",
        oauth_client_secret="shh", oauth_refresh_token="r1",
    )  # fmt: skip
    report = imap.fetch(mailbox)
    assert report.error == "" and Ticket.objects.get().subject == "Question 1"
    assert TokenEndpoint.calls == [
        {"grant_type": "refresh_token", "refresh_token": "r1", "client_id": "client-1",
         "client_secret": "shh"},
    ]  # fmt: skip
    mailbox.refresh_from_db()
    assert unseal(mailbox.secret) == PASSWORD and unseal(mailbox.oauth_refresh_token) == "r2"
    assert timedelta(minutes=59) < mailbox.token_expires_at - clock.now() <= timedelta(hours=1)

    # Shortly before it expires, the token is renewed before signing in.
    Mailbox.objects.filter(pk=mailbox.pk).update(
        token_expires_at=clock.now() + timedelta(seconds=30)
    )
    mailbox.refresh_from_db()
    assert imap.check(mailbox).startswith("Connected")
    assert len(TokenEndpoint.calls) == 2 and TokenEndpoint.calls[1]["refresh_token"] == "r2"


def test_a_refused_renewal_is_shown_on_the_mailbox(workspace, admin, dovecot, token_endpoint):
    user, _ = dovecot.add_user()
    TokenEndpoint.answer = (400, {"error": "invalid_grant"})
    mailbox = mailboxes.create_mailbox(
        workspace, by=Actor.of(admin), name="Gmail", address="support@acme.test",
        host=dovecot.host, port=dovecot.port, security="none", username=user, auth="oauth2",
        oauth_token_url=token_endpoint, oauth_client_id="client-1", oauth_refresh_token="gone",
    )  # fmt: skip
    report = imap.fetch(mailbox)
    assert "token endpoint said 400" in report.error and "invalid_grant" in report.error
    mailbox.refresh_from_db()
    assert mailbox.failures == 1 and "invalid_grant" in mailbox.last_error


def test_token_endpoints_must_be_https(workspace, admin):
    from frontline.lib.errors import ServiceError

    with pytest.raises(ServiceError, match="https"):
        mailboxes.create_mailbox(
            workspace, by=Actor.of(admin), name="X", address="x@acme.test", host="imap.x.test",
            username="x", auth="oauth2", oauth_token_url="http://evil.example/token",
            oauth_refresh_token="r",
        )  # fmt: skip
