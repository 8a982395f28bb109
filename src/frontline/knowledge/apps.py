from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "frontline.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base and help center"
