"""Account writes: sign-up with the default role, role assignment, the e-mail language, demo accounts."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from swingtrade.accounts import roles


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    created: bool


@transaction.atomic
def user_create(*, username: str, password: str, email: str = "", role: str = roles.INVESTOR):
    if role not in roles.ALL_ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(roles.ALL_ROLES)}")
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    role_assign(user=user, role=role)
    return user


@transaction.atomic
def language_remember(*, user, language: str) -> bool:
    """Keep ``language`` (a code of ``settings.LANGUAGES``) as the one ``user``'s e-mails are written in;
    an unknown code changes nothing. Returns whether it was stored."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


def role_assign(*, user, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == roles.ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


DEMO_ACCOUNTS = (
    ("investor", "investor-demo-2026", roles.INVESTOR),
    ("analyst", "analyst-demo-2026", roles.ANALYST),
    ("admin", "admin-demo-2026", roles.ADMIN),
)


class DemoAccountsRefused(Exception):
    """Demo logins were asked for under settings that forbid them (production)."""


def demo_accounts_ensure() -> list[DemoAccount]:
    """Create the demo logins if missing; existing ones (and their passwords) are left alone.

    Their passwords are in the repository, so production settings refuse them here, below every caller.
    """
    if not settings.DEMO_ACCOUNTS_ALLOWED:
        raise DemoAccountsRefused("demo accounts are never created under production settings")
    User = get_user_model()
    result = []
    for username, password, role in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = user_create(
                username=username, password=password, email=f"{username}@swingtrade.local", role=role
            )
            if role == roles.ADMIN:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
        result.append(DemoAccount(username, password, role, created))
    return result
