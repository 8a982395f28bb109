from django.apps import AppConfig


class EmailConfig(AppConfig):
    name = "frontline.email"
    label = "email_channel"  # "email" reads as Django's own mail settings in admin and logs
    verbose_name = "Email channel"

    def ready(self) -> None:
        # Agents' public replies go out by email (tickets.hooks); the ticket page shows
        # how the sending went; committed changes may call for notifications.
        from frontline.email import (
            inbound,
            notifications,
            outbound,
            panel,
            portability,
            provider_webhooks,
        )
        from frontline.tickets import hooks
        from frontline.tickets import portability as workspace_export

        hooks.register_reply_added(outbound.queue_reply)
        hooks.register_events_committed(notifications.on_events)
        provider_webhooks.connect()  # providers' inbound formats (django-anymail)
        hooks.register_ticket_page(panel.delivery_status)
        workspace_export.register_section(portability.SECTION)
        hooks.register_customer_erasing(inbound.forget_customer)
