from django.apps import AppConfig


class UploadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "uploads"
    verbose_name = "Bulk upload"

    def ready(self) -> None:
        from . import parts  # noqa: F401  (registers the page parts)
