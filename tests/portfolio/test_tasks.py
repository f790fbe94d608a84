from __future__ import annotations

import datetime as dt

import pytest

from market import clock
from portfolio.models import OrderProposal
from portfolio.tasks import proposals_expire_task
from swingtrade.audit.models import AuditEvent
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db


def _proposal(portfolio, ticker, valid_until, status="proposed"):
    return OrderProposal.objects.create(
        portfolio=portfolio, ticker=ticker, as_of=dt.date(2021, 4, 1), action="enter", side="buy",
        order_type="limit", quantity=1, reference_price=10, valid_until=valid_until,
        expected_gross_return=0.01, expected_net_return=0.001, reasons="test", status=status,
    )  # fmt: skip


def test_proposals_past_their_validity_expire_and_others_stay():
    portfolio, ticker = PortfolioFactory(), TickerFactory(symbol="AAA")
    old = _proposal(portfolio, ticker, dt.date(2021, 4, 7))
    fresh = _proposal(portfolio, ticker, clock.today() + dt.timedelta(days=3))
    filled = _proposal(portfolio, ticker, dt.date(2021, 4, 7), status="filled")
    assert proposals_expire_task.delay().get() == 1
    statuses = dict(OrderProposal.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", fresh.pk: "proposed", filled.pk: "filled"}


def test_the_expiry_sweep_records_the_schedule_and_every_proposal_it_expired():
    portfolio, ticker = PortfolioFactory(), TickerFactory(symbol="AAA")
    lapsed = [_proposal(portfolio, ticker, dt.date(2021, 4, 7), status=s) for s in ("proposed", "accepted")]
    _proposal(portfolio, ticker, clock.today() + dt.timedelta(days=3))
    assert proposals_expire_task.delay().get() == 2
    event = AuditEvent.objects.get(action="proposal.expired")
    assert event.actor.startswith("task:") and event.user is None
    assert (event.object_type, sorted(event.details["proposal_ids"])) == (
        "portfolio.orderproposal",
        sorted(p.pk for p in lapsed),
    )
    assert proposals_expire_task.delay().get() == 0
    assert AuditEvent.objects.filter(action="proposal.expired").count() == 1  # nothing expired: no event
