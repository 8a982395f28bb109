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

        hooks.register_ticket_created(triage.triage_new_ticket, prepare=triage.prepare)
        # The virtual agent's first answer to new emails, and the customer's verdict on it.
        hooks.register_ticket_created(email_answers.on_ticket_created)
        hooks.register_customer_wrote(email_answers.on_customer_wrote)
        hooks.register_ticket_page(panel.ticket_panel)
        workspace_export.register_section(portability.SECTION)
        hooks.register_customer_erasing(services.forget_customer)
        hooks.register_customer_data(services.customer_data)
