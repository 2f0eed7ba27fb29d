from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import lookups, parts  # noqa: F401  (the indexed __lower lookup; own tiles)
        from .invitations import signals  # noqa: F401  (connects the email tracking receiver)
