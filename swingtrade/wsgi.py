from __future__ import annotations

import gc
import os
from importlib import import_module

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

# A server started without settings gets production ones (no built-in key, DEBUG off): a forgotten
# variable must fail at start-up, never serve with the repository's key. Developers use `manage.py runserver`.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.production")
application = get_wsgi_application()

# Import every view now (the URLconf and, through it, the views, serializers and services they use), not on
# the first request: what the first requests loaded after the freeze below stayed in the collector's oldest
# generation, and each full collection walked it while every request thread waited. Measured with
# `python bench/api.py` (docs/architecture.md, "Speed"): the trivial endpoint's p99 was 40-65 ms (4 threads)
# and 22-33 ms (2) with views loaded lazily; 13.8-14.1 ms (4) and 12.6-13.6 ms (2) loaded here; 11.7-13.1 ms
# (2) with the collector off altogether.
resolver = get_resolver()
import_module(resolver.urlconf_name)  # the URLconf, and through its includes every view module
resolver.reverse_dict.keys()  # builds the lookup tables the first reverse() would

# Everything loaded so far lives as long as the worker: moving it out of the collector's generations spares
# each full collection a walk over it (a ~130 ms walk of ~240,000 objects before the freeze).
gc.freeze()
