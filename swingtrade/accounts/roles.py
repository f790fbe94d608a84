"""The three roles of the product, held as Django groups (created by a data migration).

- investor: default for sign-ups; sees and changes only their own portfolios.
- analyst: reads models, monitoring and every ranking.
- admin: staff; runs ingestion, training and promotion, and manages users.
"""

from __future__ import annotations

from typing import Any

INVESTOR = "investor"
ANALYST = "analyst"
ADMIN = "admin"
ALL_ROLES = (INVESTOR, ANALYST, ADMIN)


def roles_of(user: Any) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    names = {group.name for group in user.groups.all()}
    if user.is_superuser:
        names.add(ADMIN)
    return names & set(ALL_ROLES)


def is_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or ADMIN in roles_of(user)))


def is_analyst(user: Any) -> bool:
    """Analysts and admins both read models and monitoring."""
    return is_admin(user) or ANALYST in roles_of(user)
