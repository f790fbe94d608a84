from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

# A server started without settings gets production ones (no built-in key, DEBUG off): a forgotten
# variable must fail at start-up, never serve with the repository's key. Developers use `manage.py runserver`.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.production")
application = get_wsgi_application()

# Everything loaded so far (Django, the URL conf, the apps) lives as long as the worker: moving it out of
# the collector's generations spares each request's full collection a ~130 ms walk over it (measured in
# docs/architecture.md, "Speed"), the p99 stall of the API under load.
gc.freeze()
