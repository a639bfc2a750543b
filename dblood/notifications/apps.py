from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "dblood.notifications"
    label = "notifications"
