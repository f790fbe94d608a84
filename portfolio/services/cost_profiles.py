"""Cost profiles: a user's own broker numbers next to the read-only presets."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from portfolio.models import CostProfile
from swingtrade.errors import Conflict, DomainError

COST_PROFILE_FIELDS = (
    "name",
    "commission_fixed",
    "commission_rate",
    "commission_min",
    "commission_max",
    "half_spread_vol_fraction",
    "half_spread_floor",
    "ftt_rate",
    "ftt_tickers",
    "ftt_exchanges",
    "borrow_rate_annual",
    "capital_gains_rate",
)


def _cost_profile_save(profile: CostProfile, values: dict[str, Any]) -> CostProfile:
    unknown = set(values) - set(COST_PROFILE_FIELDS)
    if unknown:
        raise DomainError(
            gettext_noop("Unknown cost profile fields: %(fields)s"), params={"fields": sorted(unknown)}
        )
    for key, value in values.items():
        setattr(profile, key, value)
    clash = CostProfile.objects.filter(owner=profile.owner, name=profile.name).exclude(pk=profile.pk)
    if clash.exists():
        raise Conflict(
            gettext_noop("You already have a cost profile named %(name)r."), params={"name": profile.name}
        )
    try:
        profile.as_cost_model()  # the cost rules validate themselves (signs, max >= min, rates < 1)
    except ValueError as exc:
        raise DomainError(str(exc))
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def cost_profile_create(*, owner: Any, **values: Any) -> CostProfile:
    """A user's own cost profile (e.g. a preset copied with their broker's numbers)."""
    return _cost_profile_save(CostProfile(owner=owner, is_preset=False), values)


@transaction.atomic
def cost_profile_update(*, profile: CostProfile, **values: Any) -> CostProfile:
    if profile.is_preset or profile.owner_id is None:
        raise DomainError(gettext_noop("Presets cannot be changed; create your own profile from one."))
    return _cost_profile_save(profile, values)


@transaction.atomic
def cost_profile_delete(*, profile: CostProfile) -> None:
    if profile.is_preset or profile.owner_id is None:
        raise DomainError(gettext_noop("Presets cannot be deleted."))
    if profile.portfolios.exists():
        raise Conflict(gettext_noop("A portfolio still uses this cost profile."))
    profile.delete()
