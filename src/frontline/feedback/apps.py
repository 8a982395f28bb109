from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "frontline.feedback"
    label = "feedback"
    verbose_name = "Instant feedback: surveys and ratings"

    def ready(self) -> None:
        # The "request solved" email carries the one-click survey (email notifications).
        from frontline.email import notifications
        from frontline.feedback import panel, portability, services
        from frontline.tickets import hooks
        from frontline.tickets import portability as workspace_export

        notifications.register_extra("solved", services.survey_block)
        notifications.register_extra("follow_up", services.follow_up_block)
        hooks.register_events_committed(services.on_events)  # surveys asked later
        hooks.register_ticket_page(panel.rating_panel)  # the rating beside the ticket
        workspace_export.register_section(portability.SECTION)
        hooks.register_customer_data(services.customer_data)
