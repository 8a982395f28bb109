from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "frontline.assistant"
    label = "assistant"
    verbose_name = "AI assistant: triage"

    def ready(self) -> None:
        # Every new ticket is triaged inside the create-ticket service (tickets.hooks).
        from frontline.assistant import email_answers, panel, portability, services, triage
        from frontline.tickets import hooks
        from frontline.tickets import portability as workspace_export

        hooks.register_ticket_created(
            triage.triage_new_ticket,
            prepare=triage.prepare,
            requester_fields=triage.requester_fields,
        )
        # The virtual agent's first answer to new emails, and the customer's verdict on it.
        hooks.register_ticket_created(email_answers.on_ticket_created)
        hooks.register_customer_wrote(email_answers.on_customer_wrote)
        hooks.register_ticket_page(panel.ticket_panel)
        workspace_export.register_section(portability.SECTION)
        hooks.register_customer_erasing(services.forget_customer)
        hooks.register_customer_data(services.customer_data)
        self._forget_cached_rows_on_change()

    @staticmethod
    def _forget_cached_rows_on_change() -> None:
        from django.db.models.signals import post_delete, post_save

        from frontline.assistant.models import AssistantSettings, IntentModelVersion, RoutingRule
        from frontline.assistant.services import forget_cached_rows
        from frontline.tickets.models import Team

        for model in (AssistantSettings, RoutingRule, IntentModelVersion, Team):
            uid = f"assistant-cached-{model.__name__}"
            post_save.connect(forget_cached_rows, sender=model, dispatch_uid=uid)
            post_delete.connect(forget_cached_rows, sender=model, dispatch_uid=uid)
