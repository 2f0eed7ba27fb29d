from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "employers"
    verbose_name = "Employers"

    def ready(self) -> None:
        from . import parts  # noqa: F401  (registers employers' parts of shared pages)
