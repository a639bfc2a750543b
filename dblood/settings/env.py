"""The one place settings read the environment.

`FileAwareEnv` also reads `NAME_FILE` (a Docker secret's path) for every `NAME`.
"""

import environ

env = environ.FileAwareEnv()


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [item.strip() for item in env.list(name, default=default or []) if item.strip()]
