from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "frontline.people"
    label = "people"
    verbose_name = "People: recognition"

    def ready(self) -> None:
        # Customers' praise becomes kudos: warm rating comments (feedback) and thankful
        # messages (tickets.hooks, after commit).
        from frontline.feedback import services as feedback
        from frontline.people import portability, services
        from frontline.tickets import hooks
        from frontline.tickets import portability as workspace_export

        feedback.register_comment_listener(services.praise_from_rating)
        hooks.register_events_committed(services.praise_from_messages)
        workspace_export.register_section(portability.SECTION)
        hooks.register_customer_erasing(services.forget_customer)
