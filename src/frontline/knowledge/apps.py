from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "frontline.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base and help center"

    def ready(self) -> None:
        from frontline.knowledge import portability
        from frontline.tickets import portability as workspace_export

        workspace_export.register_section(portability.SECTION)
