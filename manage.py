#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    # The developer's tool keeps the development settings: they refuse the built-in keys unless DEBUG is on
    # and every allowed host is local, so a deployment that forgets DJANGO_SETTINGS_MODULE fails to start.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.base")
    from django.core.management import execute_from_command_line

    from swingtrade.audit.context import Actor, actor_var

    # Writes made by a command are attributed to it in the audit trail (swingtrade/audit).
    actor_var.set(Actor(name=f"command:{sys.argv[1] if len(sys.argv) > 1 else 'help'}"))

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
