"""Real-world-shaped messages (tests/messages/, written by us) read the way an agent
needs them."""

from pathlib import Path

import pytest

from frontline.email.parsing import UnreadableEmail, new_text, parse

MESSAGES = Path(__file__).parent / "messages"


def read(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def test_a_new_request_loses_its_signature_but_keeps_everything_else():
    mail = parse(read("new_request.eml"))
    assert (mail.from_name, mail.from_address) == ("Dana Doe", "dana@example.com")
    assert mail.cc == ["sam@example.com"] and mail.message_id == "<CAF1234.dana@mail.example.com>"
    assert mail.text.endswith("Thanks,\nDana") and "+44 20" not in mail.text
    assert "+44 20 7946" in mail.full_text  # the original is kept
    assert mail.machine == ""


def test_a_reply_drops_the_quoted_history_and_knows_its_thread():
    mail = parse(read("reply_by_header.eml"))
    assert mail.text == "It arrived this morning, thank you!"
    assert mail.thread_ids == ["<CAF1234.dana@mail.example.com>"]


def test_html_is_sanitised_and_tracking_pixels_removed():
    mail = parse(read("html_with_script.eml"))
    assert "<b>twice</b>" in mail.html
    for bad in ("<script", "onclick", "javascript:", "tracker.example", "document.cookie"):
        assert bad not in mail.html


def test_attachments_and_inline_images_are_kept_as_files():
    mail = parse(read("attachments_inline.eml"))
    files = {a.filename: a for a in mail.attachments}
    assert set(files) == {"error.png", "statement.pdf"}
    assert files["error.png"].content_id == "shot1@example.org"
    assert files["error.png"].content.startswith(b"\x89PNG")
    assert files["statement.pdf"].content.startswith(b"%PDF")
    assert "The app shows this error" in mail.text
    assert '<img src="cid:shot1@example.org"' in mail.html  # pointed at its file on arrival


def test_a_wrong_charset_and_raw_8bit_headers_are_read_leniently():
    mail = parse(read("broken_charset.eml"))  # (written by us: an unknown charset, Latin-1 bytes)
    assert mail.from_address == "rene@example.fr"
    assert mail.subject.startswith("Carte bloqu")  # the header's stray byte does not stop it
    assert mail.text == "Ma carte est bloquée depuis hier, merci de m'aider."


def test_other_charsets_are_decoded():
    mail = parse(read("latin1.eml"))
    assert mail.from_name == "François Lévesque" and mail.subject == "Problème de carte"
    assert "ma carte a été refusée à la caisse" in mail.text


@pytest.mark.parametrize(
    ("name", "why"), [("auto_reply.eml", "auto-reply"), ("bounce.eml", "bounce")]
)
def test_machine_mail_is_recognised(name, why):
    assert parse(read(name)).machine == why


def test_bulk_and_out_of_office_by_subject_are_machine_mail_too():
    bulk = b"From: news@shop.example\nTo: support@acme.test\nPrecedence: bulk\nSubject: Sale\n\nhi"
    ooo = b"From: a@b.example\nTo: support@acme.test\nSubject: Automatic reply: hi\n\naway"
    assert parse(bulk).machine == "bulk" and parse(ooo).machine == "auto-reply"


def test_garbage_is_refused_with_a_reason():
    with pytest.raises(UnreadableEmail, match="no From address"):
        parse(read("malformed.eml"))


def test_subject_tokens_and_plain_text_without_quotes():
    mail = parse(read("reply_by_subject_token.eml").replace(b"TICKET", b"42"))
    assert mail.ticket_number == 42
    assert new_text("Sure.\n\n> old line\n> older") == "Sure."
