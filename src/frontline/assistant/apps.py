from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "frontline.assistant"
    label = "assistant"
    verbose_name = "AI assistant: triage"

    def ready(self) -> None:
        # Every new ticket is triaged inside the create-ticket service (tickets.hooks).
        from frontline.assistant import panel, triage
        from frontline.tickets import hooks

        hooks.register_ticket_created(triage.triage_new_ticket, prepare=triage.prepare)
        hooks.register_ticket_page(panel.ticket_panel)
