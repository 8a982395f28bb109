"""OAuth2 access tokens for IMAP (XOAUTH2) that renew themselves.

Providers such as Google and Microsoft give access tokens that expire within an hour.
When a mailbox has a refresh token, a client id and secret and the provider's token
endpoint, a new access token is fetched (RFC 6749 §6, refresh_token grant) shortly
before the stored one expires, and once more if the server refuses it. Only the
provider's endpoint that the admin configured is contacted.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from frontline.email.models import Mailbox
from frontline.lib import clock
from frontline.lib.sealed import seal, unseal

EARLY = timedelta(minutes=2)  # renew this long before the token expires
TIMEOUT = 20


class TokenError(Exception):
    """The token endpoint refused to renew (or could not be reached)."""


def can_refresh(mailbox: Mailbox) -> bool:
    return bool(
        mailbox.auth == Mailbox.Auth.OAUTH2
        and mailbox.oauth_token_url
        and mailbox.oauth_refresh_token
    )


def refresh(mailbox: Mailbox) -> str:
    """Fetch and store a new access token; returns it."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": unseal(mailbox.oauth_refresh_token),
        "client_id": mailbox.oauth_client_id,
    }
    if mailbox.oauth_client_secret:
        form["client_secret"] = unseal(mailbox.oauth_client_secret)
    request = urllib.request.Request(  # noqa: S310 - the admin's configured https endpoint
        mailbox.oauth_token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            data = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode(errors="replace")
        raise TokenError(f"the token endpoint said {exc.code}: {detail}") from exc
    except (OSError, ValueError) as exc:
        raise TokenError(f"the token endpoint could not be used: {exc}") from exc
    token = data.get("access_token")
    if not isinstance(token, str) or not token:
        raise TokenError("the token endpoint gave no access_token")
    expires_in = data.get("expires_in")
    mailbox.secret = seal(token)
    mailbox.token_expires_at = (
        clock.now() + timedelta(seconds=int(expires_in)) if str(expires_in).isdigit() else None
    )
    fields = ["secret", "token_expires_at"]
    if isinstance(data.get("refresh_token"), str) and data["refresh_token"]:
        mailbox.oauth_refresh_token = seal(data["refresh_token"])  # some providers rotate it
        fields.append("oauth_refresh_token")
    Mailbox.objects.filter(pk=mailbox.pk).update(**{f: getattr(mailbox, f) for f in fields})
    return token


def access_token(mailbox: Mailbox) -> str:
    """The stored access token, renewed first when it is missing or about to expire."""
    expiring = mailbox.token_expires_at is not None and (
        mailbox.token_expires_at - EARLY <= clock.now()
    )
    if can_refresh(mailbox) and (not mailbox.secret or expiring):
        return refresh(mailbox)
    return unseal(mailbox.secret)
