"""Raw MIME to what a help desk needs, with no database: who wrote, to whom, about what,
the new text without quoted history or signature, sanitised HTML, files, and whether the
message is machine mail (auto-reply, bounce) that must never become a ticket.

Python's email package with the modern policy does the decoding (charsets, encoded
words, quoted-printable, base64); broken parts are decoded as well as they can be
rather than failing the whole message.
"""

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage

import nh3
import quotequail

from frontline.lib.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, html_to_text

SUBJECT_TOKEN = re.compile(r"\[#(\d+)\]")
SIGNATURE = re.compile(r"^-- ?$", re.M)  # the standard "-- " signature delimiter
AUTO_SUBJECT = re.compile(
    r"^(auto(matic)?[ -]?reply|out of (the )?office|abwesenheit|réponse automatique|"
    r"undeliver(able|ed)|delivery status notification|mail delivery (failed|subsystem))",
    re.I,
)


class UnreadableEmail(ValueError):
    """The bytes are not a message we can read (no headers, no sender)."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""  # inline images are referenced as cid:<content_id>


@dataclass
class ParsedEmail:
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    reply_to: str
    text: str  # the new text: quoted history and signature removed
    full_text: str  # everything the sender wrote, for "show the original"
    html: str  # sanitised; remote images removed
    attachments: list[Attachment] = field(default_factory=list)
    machine: str = ""  # why this is machine mail ("auto-reply", "bounce", "bulk"), or ""

    @property
    def ticket_number(self) -> int | None:
        found = SUBJECT_TOKEN.search(self.subject)
        return int(found.group(1)) if found else None

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first."""
        ids = [self.in_reply_to, *reversed(self.references)]
        return list(dict.fromkeys(i for i in ids if i))


def _addresses(message: EmailMessage, header: str) -> list[tuple[str, str]]:
    values = message.get_all(header, [])
    return [(n, a.lower()) for n, a in email.utils.getaddresses([str(v) for v in values]) if a]


def _ids(value) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def _text_of(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        # An unknown or lying charset: decode the bytes leniently instead of failing.
        payload = part.get_payload(decode=True) or b""
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:  # most such mail is Windows-1252 / Latin-1 in practice
            return payload.decode("cp1252", errors="replace")


def _machine(message: EmailMessage, subject: str, from_address: str) -> str:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return "auto-reply"
    if (
        message.get("X-Autoreply")
        or message.get("X-Autorespond")
        or message.get("X-Auto-Response-Suppress", "").lower() in ("all", "oof")
    ):
        return "auto-reply"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return "bulk" if precedence != "auto_reply" else "auto-reply"
    if message.get_content_type() == "multipart/report" or from_address.startswith(
        ("mailer-daemon@", "postmaster@")
    ):
        return "bounce"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "bulk"
    if AUTO_SUBJECT.search(subject):
        return "auto-reply"
    return ""


def clean_html(value: str) -> str:
    """Like lib.html.sanitize_html, and remote images are dropped too (a remote image is a
    tracking pixel as often as not). Inline images (cid:) stay, to be pointed at their
    stored files once those are saved (inbound)."""

    def keep(tag, attribute, value):
        if tag == "img" and attribute == "src" and not value.startswith("cid:"):
            return None
        return value

    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
    )


def new_text(text: str) -> str:
    """The reply's own words: quoted history ("On … wrote:" and what follows, "> " lines)
    and the signature after "-- " removed. A forward keeps what it forwards."""
    unwrapped = quotequail.unwrap(text) or {}
    if unwrapped.get("type") == "forward":
        return text.strip()  # a forwarded message is the point of the mail: keep it whole
    top = unwrapped.get("text_top")
    if top is None:
        top = "\n".join(line for line in text.splitlines() if not line.startswith(">"))
    signature = SIGNATURE.search(top)
    if signature:
        top = top[: signature.start()]
    return top.strip() or text.strip()


def parse(raw: bytes) -> ParsedEmail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    senders = _addresses(message, "From")
    if not senders or not message.keys():
        raise UnreadableEmail("the message has no From address")
    from_name, from_address = senders[0]
    subject = " ".join(str(message.get("Subject", "")).split())

    text, html, attachments = "", "", []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        kind = part.get_content_type()
        if disposition != "attachment" and kind == "text/plain" and not text:
            text = _text_of(part)
        elif disposition != "attachment" and kind == "text/html" and not html:
            html = _text_of(part)
        elif kind not in ("message/delivery-status",):
            content = part.get_payload(decode=True)
            if content is None:
                continue
            attachments.append(
                Attachment(
                    filename=part.get_filename() or f"attachment.{kind.split('/')[-1]}",
                    content_type=kind,
                    content=content,
                    content_id=str(part.get("Content-ID", "")).strip("<> "),
                )
            )
    if not text and html:
        text = html_to_text(clean_html(html))
    text = text.replace("\r\n", "\n")
    reply_to = _addresses(message, "Reply-To")
    return ParsedEmail(
        message_id=(_ids(message.get("Message-ID")) or [""])[0],
        in_reply_to=(_ids(message.get("In-Reply-To")) or [""])[0],
        references=_ids(message.get("References")),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        to=[a for _, a in _addresses(message, "To")],
        cc=[a for _, a in _addresses(message, "Cc")],
        reply_to=reply_to[0][1] if reply_to else "",
        text=new_text(text),
        full_text=text.strip(),
        html=clean_html(html) if html else "",
        attachments=attachments,
        machine=_machine(message, subject, from_address),
    )
