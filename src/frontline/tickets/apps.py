from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "frontline.tickets"
    label = "tickets"
    verbose_name = "Help desk"
