from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

# A server started without settings gets production ones (no built-in key, DEBUG off): a forgotten
# variable must fail at start-up, never serve with the repository's key. Developers use `manage.py runserver`.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.production")
application = get_wsgi_application()
