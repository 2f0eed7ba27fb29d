from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import parts  # noqa: F401  (registers accounts' own tiles)
        from .invitations import signals  # noqa: F401  (connects the email tracking receiver)
