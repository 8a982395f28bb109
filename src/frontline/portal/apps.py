from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "frontline.portal"
    label = "portal"
    verbose_name = "Customer portal and web form"
