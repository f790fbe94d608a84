"""The life of an order proposal: created by the engine, accepted or rejected, filled, or expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from market import clock
from portfolio import selectors
from portfolio.models import AdviceStyle, OrderProposal, Portfolio, Trade
from portfolio.services.trades import trade_record
from swingtrade.audit import services as audit
from swingtrade.errors import Conflict, DomainError, Phrase

# A proposal's status in a refusal, translated where it is read.
STATUS_WORDS = {
    "proposed": gettext_noop("proposed"),
    "accepted": gettext_noop("accepted"),
    "rejected": gettext_noop("rejected"),
    "expired": gettext_noop("expired"),
    "filled": gettext_noop("filled"),
}


def proposal_decide(*, proposal: OrderProposal, accept: bool) -> OrderProposal:
    """Accept or reject a proposed order; accepting one past its validity marks it expired (409).

    "Past its validity" is judged on the market clock of the ticker's exchange.
    """
    with transaction.atomic():
        locked = OrderProposal.objects.select_for_update().select_related("ticker").get(pk=proposal.pk)
        if locked.status != OrderProposal.Status.PROPOSED:
            raise Conflict(
                gettext_noop("This proposal is already %(status)s."),
                params={"status": Phrase(STATUS_WORDS.get(locked.status, locked.status))},
            )
        if locked.action in (OrderProposal.Action.HOLD, OrderProposal.Action.SKIP) and accept:
            raise DomainError(gettext_noop("There is no order to accept in a hold or skip proposal."))
        today = clock.today(selectors.calendar_of(locked.ticker.exchange, symbol=locked.ticker.symbol))
        expired = accept and locked.valid_until is not None and locked.valid_until < today
        if expired:
            locked.status = OrderProposal.Status.EXPIRED
        else:
            locked.status = OrderProposal.Status.ACCEPTED if accept else OrderProposal.Status.REJECTED
        locked.decided_at = timezone.now()  # a record timestamp, not a market rule
        locked.save(update_fields=["status", "decided_at"])
    if expired:
        raise Conflict(
            gettext_noop("This proposal expired on %(date)s."), params={"date": locked.valid_until}
        )
    return locked


def proposal_fill(
    *, proposal: OrderProposal, price: Any, traded_on: dt.date, quantity: Any = None, fees: Any = None
) -> Trade:
    """Record the execution of an accepted proposal as a trade (the proposal becomes ``filled``)."""
    return trade_record(
        portfolio=proposal.portfolio,
        ticker=proposal.ticker.symbol,
        side=proposal.side,
        quantity=proposal.quantity if quantity is None else quantity,
        price=price,
        traded_on=traded_on,
        fees=fees,
        proposal=proposal,
    )


def order_proposals_create(*, portfolio: Portfolio, as_of: dt.date | None = None) -> list[OrderProposal]:
    """Proposals for ``as_of``: the default advice (portfolio.advice), or the champion's swing entries when
    the risk profile chose the signals style (see portfolio.proposals)."""
    from portfolio import proposals
    from portfolio.advice.store import advice_proposals_create

    if portfolio.advice_style == AdviceStyle.LOW_RISK:
        return advice_proposals_create(portfolio=portfolio, as_of=as_of)[1]
    return proposals.generate(portfolio=portfolio, as_of=as_of)


def proposals_expire(*, today: dt.date | None = None) -> int:
    """Mark proposed or accepted orders whose validity has passed (on the market clock) as expired."""
    today = today or clock.today()
    lapsed = OrderProposal.objects.filter(
        status__in=[OrderProposal.Status.PROPOSED, OrderProposal.Status.ACCEPTED], valid_until__lt=today
    )
    ids = list(lapsed.values_list("pk", flat=True))
    if not ids:
        return 0
    expired = lapsed.filter(pk__in=ids).update(status=OrderProposal.Status.EXPIRED)
    # A queryset update sends no signal: one event names every proposal this sweep expired.
    audit.record(
        "proposal.expired",
        object_type=OrderProposal._meta.label_lower,
        details={"proposal_ids": ids, "valid_until_before": today},
    )
    return expired
