"""Mail providers' own inbound formats, through django-anymail's inbound webhooks.

`POST /inbound/email/<token>/<provider>/` (Postmark, SendGrid, Mailgun, Mailjet, Brevo,
SparkPost, MailerSend, Postal, Amazon SES, Resend, Mailtrap): the secret token names the
workspace, as for the raw webhook; anymail parses the provider's payload (and checks its
signature where the provider signs, with the keys from ANYMAIL_* environment variables;
ANYMAIL_WEBHOOK_SECRET adds basic auth); we store the message raw, like every other
message, and the worker makes it a ticket.
"""

import contextvars
from importlib import import_module

from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from frontline.email import inbound, rules

PROVIDERS = {
    "postmark": "postmark.PostmarkInboundWebhookView",
    "sendgrid": "sendgrid.SendGridInboundWebhookView",
    "mailgun": "mailgun.MailgunInboundWebhookView",
    "mailjet": "mailjet.MailjetInboundWebhookView",
    "brevo": "brevo.BrevoInboundWebhookView",
    "sparkpost": "sparkpost.SparkPostInboundWebhookView",
    "mailersend": "mailersend.MailerSendInboundWebhookView",
    "postal": "postal.PostalInboundWebhookView",
    "amazon_ses": "amazon_ses.AmazonSESInboundWebhookView",
    "resend": "resend.ResendInboundWebhookView",
    "mailtrap": "mailtrap.MailtrapInboundWebhookView",
}
# The workspace of the request being handled, for the signal receiver below.
_workspace = contextvars.ContextVar("inbound_workspace", default=None)
_views: dict = {}


def _view(provider: str):
    if provider not in _views:
        module, name = PROVIDERS[provider].rsplit(".", 1)
        cls = getattr(import_module(f"anymail.webhooks.{module}"), name)
        # The secret URL is the authentication; anymail's basic auth is an optional extra.
        quiet = type(f"Frontline{name}", (cls,), {"warn_if_no_basic_auth": False})
        _views[provider] = quiet.as_view()
    return _views[provider]


@csrf_exempt
def receive(request: HttpRequest, token: str, provider: str) -> HttpResponse:
    workspace = rules.workspace_for_token(token)
    if workspace is None:
        return JsonResponse({"code": "unknown_token", "message": "Unknown token"}, status=404)
    if provider not in PROVIDERS:
        return JsonResponse(
            {"code": "unknown_provider", "message": f"Use one of {', '.join(PROVIDERS)}"},
            status=404,
        )
    reset = _workspace.set((workspace, provider))
    try:
        return _view(provider)(request)
    finally:
        _workspace.reset(reset)


def _store(sender, event, esp_name, **kwargs) -> None:
    current = _workspace.get()
    if current is None:
        return  # anymail's own URLs are not mounted; nothing else sends this signal
    workspace, provider = current
    stored, created = inbound.store(
        workspace, event.message.as_bytes(), source=f"webhook:{provider}"[:20]
    )
    if created:
        from frontline.email.tasks import process_inbound

        transaction.on_commit(lambda: process_inbound.enqueue(stored.pk))


def connect() -> None:
    from anymail.signals import inbound as inbound_signal

    receiver(inbound_signal, dispatch_uid="frontline-inbound")(_store)
