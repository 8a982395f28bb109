from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "frontline.chat"
    label = "chat"
    verbose_name = "Live chat"

    def ready(self) -> None:
        from frontline.accounts import presence
        from frontline.chat import panel, portability, services, transcript
        from frontline.email import notifications
        from frontline.tickets import hooks
        from frontline.tickets import portability as workspace_export

        hooks.register_reply_added(services.on_reply)
        hooks.register_conversation_state(services.conversation_state)
        hooks.register_ticket_page(panel.chat_panel)
        presence.register_came_online(services.came_online)
        workspace_export.register_section(portability.SECTION)
        hooks.register_customer_erasing(services.forget_customer)
        hooks.register_customer_data(services.customer_data)
        notifications.register_extra(transcript.KIND, transcript.transcript_block)
