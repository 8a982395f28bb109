from django.apps import AppConfig


class EmailConfig(AppConfig):
    name = "frontline.email"
    label = "email_channel"  # "email" reads as Django's own mail settings in admin and logs
    verbose_name = "Email channel"
