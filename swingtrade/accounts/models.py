from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from swingtrade.accounts import roles


class User(AbstractUser):
    """The product's user; custom from the first migration so fields can be added later."""

    email = models.EmailField("email address", blank=True)
    # The language last chosen with the site's switcher while signed in: the e-mails this user receives
    # (daily digest, alerts) are written in it. Empty: the site's default (LANGUAGE_CODE, French).
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES, default="")

    @property
    def mail_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE

    @property
    def role_names(self) -> list[str]:
        return sorted(roles.roles_of(self))

    @property
    def is_admin_role(self) -> bool:
        return roles.is_admin(self)

    @property
    def is_analyst_role(self) -> bool:
        return roles.is_analyst(self)
