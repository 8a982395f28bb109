from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "frontline.accounts"
    label = "accounts"
    verbose_name = "Workspaces and people"

    def ready(self) -> None:
        from frontline.accounts.models import ApiToken, Membership, User, Workspace
        from frontline.accounts.services import forget_cached_tokens

        for model in (ApiToken, Membership, User, Workspace):
            post_save.connect(forget_cached_tokens, sender=model, dispatch_uid=f"tokens-{model}")
            post_delete.connect(forget_cached_tokens, sender=model, dispatch_uid=f"tokens-{model}")
