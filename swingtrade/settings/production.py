"""Production: no default secret, HTTPS everywhere, PostgreSQL and Redis from the environment."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SIMPLE_JWT, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
# "change-me…" is the placeholder of .env.example: a copied file must not run with a published key.
if not SECRET_KEY or SECRET_KEY.startswith(("insecure-", "change-me")):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production settings")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 50 characters of random text")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default="")
if not JWT_SIGNING_KEY or JWT_SIGNING_KEY.startswith(("insecure-", "change-me")):
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be set in the environment for production settings")
if len(JWT_SIGNING_KEY) < 50 or JWT_SIGNING_KEY == SECRET_KEY:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be 50+ random characters, different from SECRET_KEY")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY}
# Published demo passwords never exist here, whatever flag `bootstrap` is given.
DEMO_ACCOUNTS_ALLOWED = False
DEMO_ACCOUNTS_BY_DEFAULT = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Container health checks call /healthz over plain HTTP inside the network: answer them, don't redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
