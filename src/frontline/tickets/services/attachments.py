"""Uploaded files: size limit, type detection from content, content-addressed storage."""

import hashlib
import os

import filetype
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.urls import reverse

from frontline.accounts.models import User, Workspace
from frontline.lib.errors import ServiceError, invalid
from frontline.tickets.models import Attachment

# Types a browser would run if served inline; always downloaded as plain octets.
ACTIVE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/javascript",
    "application/javascript",
    "application/xml",
    "text/xml",
}


# Programs that run when opened: refused from everyone (customers and agents open files),
# by name and by content, so renaming an .exe to .pdf does not get it through.
BLOCKED_EXTENSIONS = {
    ".exe", ".msi", ".msp", ".bat", ".cmd", ".com", ".scr", ".pif", ".cpl", ".vbs", ".vbe",
    ".js", ".jse", ".wsf", ".wsh", ".hta", ".ps1", ".psm1", ".jar", ".dll", ".msc", ".lnk",
    ".reg", ".sh", ".apk", ".appx", ".msix",
}  # fmt: skip
BLOCKED_TYPES = {
    "application/x-msdownload", "application/x-dosexec", "application/x-executable",
    "application/x-elf", "application/x-mach-binary", "application/java-archive",
    "application/vnd.microsoft.portable-executable", "application/x-sh",
}  # fmt: skip


def safe_filename(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip().replace("\x00", "")
    return name[:255] or "attachment"


def store_attachment(workspace: Workspace, upload: UploadedFile, *, by: User | None) -> Attachment:
    """Store one uploaded file for a later message. Over the limit: 413, nothing stored."""
    limit = settings.FRONTLINE_MAX_ATTACHMENT_BYTES
    if upload.size is not None and upload.size > limit:
        raise ServiceError(
            f"The file is larger than the {limit // (1024 * 1024)} MB limit",
            code="too_large",
            status=413,
        )
    if not upload.size:
        raise invalid("file", "is empty")
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks():
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
    kind = filetype.guess(head)
    detected = (
        kind.mime
        if kind
        else ("text/plain" if _looks_textual(head) else "application/octet-stream")
    )
    name = safe_filename(upload.name)
    if (
        os.path.splitext(name)[1].lower() in BLOCKED_EXTENSIONS
        or detected in BLOCKED_TYPES
        or head.startswith((b"MZ", b"\x7fELF", b"#!"))
    ):
        raise ServiceError(
            f"“{name}” is a program or script; such files are not accepted, for everyone's "
            "safety. Send it as a zip archive or a screenshot instead.",
            code="dangerous_type",
            status=415,
        )
    attachment = Attachment(
        workspace=workspace,
        filename=name,
        content_type=detected,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    upload.seek(0)
    attachment.file.save(attachment.sha256, File(upload), save=False)
    attachment.save()
    return attachment


def _looks_textual(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file, always as a download (never rendered inline, so an uploaded HTML or SVG
    cannot run scripts), with its original name. Callers check access first."""
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
    response["Content-Type"] = attachment.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# Inline images of emails: a link signed for one file, so the image shows wherever its
# message does (agent workspace and the customer's help center) without a session.
INLINE_SALT = "frontline.inline"
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}  # never SVG


def inline_url(attachment: Attachment) -> str:
    return reverse("inline_image", args=[signing.dumps(attachment.pk, salt=INLINE_SALT)])


def inline_response(token: str) -> FileResponse:
    try:
        pk = signing.loads(token, salt=INLINE_SALT)
    except signing.BadSignature:
        raise Http404("No such image") from None
    attachment = Attachment.objects.filter(pk=pk, content_type__in=INLINE_TYPES).first()
    if attachment is None:
        raise Http404("No such image")
    response = image_response(attachment)
    response["Cache-Control"] = "private, max-age=86400"
    return response


def image_response(attachment: Attachment) -> FileResponse:
    """A raster image shown in place (callers check the type is in INLINE_TYPES and the
    access): its checked type, never sniffed, sandboxed."""
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
