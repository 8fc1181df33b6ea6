#!/usr/bin/env python
"""Django's command-line utility for posweb."""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posweb.settings")
    from posweb import startup

    startup.begin()
    import django

    # Set up here, with the collector paused (posweb/startup.py); the
    # command line's own setup then finds the apps ready.
    django.setup()
    startup.done()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
