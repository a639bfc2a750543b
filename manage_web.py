#!/usr/bin/env python
"""Django's command-line utility for the people-facing web (dblood_web).

For development: DEBUG defaults on here (the image runs `gunicorn dblood_web.wsgi`, DEBUG off).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dblood_web.settings")
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
