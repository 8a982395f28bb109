"""A real IMAP server for the tests: Debian's Dovecot on loopback with a throw-away
configuration and Maildirs in a temporary folder.

`./scripts/install-dovecot` installs the package (CI must have it); elsewhere the IMAP
tests skip with that reason. Each test makes its own user, so mailboxes never mix. Every
user has the one PASSWORD (a static passdb): a passwd file that grows while Dovecot reads
it made logins fail now and then.
"""

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "s3cret-pass"  # noqa: S105 - a throw-away server on loopback


class Dovecot:
    def __init__(self, root: Path, port: int):
        self.root, self.host, self.port = root, "127.0.0.1", port

    def add_user(self) -> tuple[str, str]:
        """A new, empty mailbox (made on first login); returns (user, password)."""
        return f"u{uuid.uuid4().hex[:10]}@acme.test", PASSWORD

    def append(self, user: str, password: str, raw: bytes, *, seen: bool = False) -> None:
        """Deliver a message into the user's INBOX (as a mail server would)."""
        with imaplib.IMAP4(self.host, self.port, timeout=10) as client:
            client.login(user, password)
            client.append("INBOX", "(\\Seen)" if seen else None, None, raw)

    def flags(self, user: str, password: str) -> dict[int, str]:
        with imaplib.IMAP4(self.host, self.port, timeout=10) as client:
            client.login(user, password)
            client.select("INBOX", readonly=True)
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
        found = {}
        for line in data:
            if line:
                text = line.decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                found[uid] = text
        return found


def _config(root: Path, port: int, uid_user: str) -> str:
    internal = "dovecot" if os.geteuid() == 0 else uid_user
    login = "dovenull" if os.geteuid() == 0 else uid_user
    uid = pwd.getpwnam(uid_user).pw_uid
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
first_valid_uid = {uid}
default_internal_user = {internal}
default_login_user = {login}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid_user} gid={uid_user} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
"""


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A Dovecot of our own on a free loopback port, stopped and removed on exit (also
    used by the email benchmark)."""
    from frontline.testing.browser import _free_port

    # Mail is stored as Debian's `mail` user when we are root (Dovecot never runs mail
    # processes as root), else as ourselves.
    uid_user = "mail" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    root = Path(tempfile.mkdtemp(prefix="fl-dovecot-"))
    root.chmod(0o755)  # Dovecot's auth and mail processes run as other users
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    shutil.chown(root / "home", user=uid_user, group=pwd.getpwnam(uid_user).pw_gid)
    port = _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port, uid_user))
    # Dovecot forks into the background: its children must not hold our pipes open.
    with open(root / "start.log", "w") as errors:
        started = subprocess.run(  # noqa: S603 - a fixed path and our own config
            [DOVECOT, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=errors
        )
    if started.returncode != 0:
        raise RuntimeError(f"Dovecot did not start: {(root / 'start.log').read_text()}")
    try:
        server = Dovecot(root, port)
        deadline = time.monotonic() + 10
        while True:
            try:
                imaplib.IMAP4(server.host, port, timeout=2).logout()
                break
            except OSError:
                if time.monotonic() > deadline:
                    log = root / "dovecot.log"
                    text = log.read_text() if log.exists() else ""
                    raise RuntimeError(f"Dovecot is not listening on {port}: {text}") from None
                time.sleep(0.1)
        yield server
    finally:
        subprocess.run(  # noqa: S603 - a fixed path and our own config
            [DOVECOT, "-c", str(conf), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot():
    if not os.path.exists(DOVECOT):
        pytest.skip("Dovecot is not installed: run ./scripts/install-dovecot (needs root + apt)")
    with running_dovecot() as server:
        yield server
