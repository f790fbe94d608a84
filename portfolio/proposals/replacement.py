"""The one rule for replacing open proposals when a new set is stored (engine and optimiser alike).

When a new, non-empty set of proposals is stored for a portfolio, every proposal of that portfolio still
``proposed`` from an earlier set expires: the user decides on the newest advice only. Accepted proposals
stay (the user placed them; they expire with their validity, see ``services.proposals_expire``). An empty
set replaces nothing: a run that finds nothing to propose leaves the earlier advice as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from portfolio.models import OrderProposal, Portfolio
from swingtrade.audit import services as audit


def replace_open_proposals(*, portfolio: Portfolio, new: Sequence[OrderProposal]) -> int:
    """Expire ``portfolio``'s open proposals that are not in ``new``; returns how many expired.

    Audited once per set (``proposal.replaced`` on the portfolio: the new set and what it expired): the
    expiry is a queryset update, which sends no signal.
    """
    if not new:
        return 0
    new_ids = [p.pk for p in new]
    replaced = portfolio.proposals.filter(status=OrderProposal.Status.PROPOSED).exclude(pk__in=new_ids)
    expired_ids = list(replaced.values_list("pk", flat=True))
    expired = replaced.filter(pk__in=expired_ids).update(status=OrderProposal.Status.EXPIRED)
    audit.record(
        "proposal.replaced",
        obj=portfolio,
        details={"as_of": new[0].as_of, "created_ids": new_ids, "expired_ids": expired_ids},
    )
    return expired
