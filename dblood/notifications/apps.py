from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dblood.notifications"
    label = "notifications"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the channel settings' system checks
