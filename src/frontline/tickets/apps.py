from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TicketsConfig(AppConfig):
    name = "frontline.tickets"
    label = "tickets"
    verbose_name = "Help desk"

    def ready(self) -> None:
        from frontline.tickets.models import Team
        from frontline.tickets.services.config import forget_cached_teams

        post_save.connect(forget_cached_teams, sender=Team, dispatch_uid="cached-teams")
        post_delete.connect(forget_cached_teams, sender=Team, dispatch_uid="cached-teams")
