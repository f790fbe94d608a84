from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from swingtrade.accounts import roles


class User(AbstractUser):
    """The product's user; custom from the first migration so fields can be added later."""

    email = models.EmailField("email address", blank=True)

    @property
    def role_names(self) -> list[str]:
        return sorted(roles.roles_of(self))

    @property
    def is_admin_role(self) -> bool:
        return roles.is_admin(self)

    @property
    def is_analyst_role(self) -> bool:
        return roles.is_analyst(self)
