from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dblood.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import (
            schema,  # noqa: F401 - registers the OpenAPI security scheme
            signals,
        )

        signals.connect()
