from django.apps import AppConfig


class AptemConfig(AppConfig):
    """The project package as an app: the top floor, which alone may know every app (the demo
    seed and its command live here)."""

    name = "aptem"
    verbose_name = "Aptem"
