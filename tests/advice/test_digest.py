"""The daily digest: one e-mail per opted-in user with every portfolio's day, never one per event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from portfolio import services
from portfolio.digest import digest_subscribe
from portfolio.digest_tasks import daily_digest_task
from portfolio.models import OrderProposal
from tests.factories import UserFactory
from tests.portfolio.factories import PortfolioFactory

DAY = dt.date(2021, 4, 21)  # a Wednesday; the session before is 2021-04-20


def _proposal(portfolio, ticker, **values):
    from market.models import Ticker

    fields = {
        "as_of": DAY - dt.timedelta(days=5),
        "action": "enter",
        "side": "buy",
        "order_type": "limit",
        "quantity": 10,
        "reference_price": Decimal("100"),
        "expected_gross_return": 0.01,
        "expected_net_return": 0.0,
        "reasons": "test",
        **values,
    }
    return OrderProposal.objects.create(
        portfolio=portfolio, ticker=Ticker.objects.get(symbol=ticker), **fields
    )


@pytest.fixture
def day_of_events(market_sample, settings):
    """A user with two portfolios: a fill, an expiry and a crossed stop today; another user opted out."""
    settings.MARKET_CLOCK_DATE = DAY  # the market clock pinned to the last sample day
    user = UserFactory()
    digest_subscribe(user=user, enabled=True)
    main = PortfolioFactory(owner=user, name="Main", advice_style="low_risk")
    swing = PortfolioFactory(owner=user, name="Swing", allow_short=False)
    filled = _proposal(main, "KO", status="accepted", order_type="market")
    services.proposal_fill(proposal=filled, price="54", traded_on=DAY)
    _proposal(main, "JNJ", status="expired", valid_until=dt.date(2021, 4, 20))
    services.trade_record(portfolio=swing, ticker="XOM", side="buy", quantity=20, price="57", traded_on=DAY)
    _proposal(swing, "XOM", status="accepted", side="sell", order_type="stop", stop_price=Decimal("80"))
    other = UserFactory()
    PortfolioFactory(owner=other)
    digest_subscribe(user=other, enabled=False)
    mail.outbox.clear()
    return user


def test_one_email_per_user_gathers_every_portfolio_and_every_event(day_of_events):
    assert daily_digest_task.delay(DAY.isoformat()).get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [day_of_events.email] and "2021-04-21" in message.subject
    body = message.body  # in the site's language, French, with French numbers
    assert body.startswith("Vos portefeuilles après la clôture du 21 avril 2021.")
    assert "== Main ==" in body and "== Swing ==" in body
    assert "achat 10 KO à 54,00\xa0$" in body  # filled
    assert "achat 10 JNJ (valable jusqu’au 20 avril 2021)" in body  # expired unfilled
    assert "XOM : stop à 80,00\xa0$ atteint ; enregistrez l’exécution." in body  # the day's low was below 80
    assert "Volatilité" in body or "Rien à faire aujourd" in body  # Main's default advice
    assert "Style signaux" in body  # Swing follows the ranking
    assert "Ordres exécutés :" in body and "Stops déclenchés :" in body


def test_the_digest_speaks_english_when_asked(day_of_events):
    from portfolio.digest import digests_send

    assert digests_send(day=DAY, language="en") == 1
    body = mail.outbox[0].body
    assert body.startswith("Your portfolios after the close of")
    assert "buy 10 KO at $54.00" in body
    assert "XOM: stop $80.00 reached; record the fill." in body
    assert "Signals style" in body


def test_each_user_reads_the_digest_in_the_language_they_chose_on_the_site(day_of_events):
    # The scheduled task passes no language: the user who switched the site to English gets English,
    # a user who never chose gets the site's French, in the same run.
    day_of_events.language = "en"
    day_of_events.save(update_fields=["language"])
    french_reader = UserFactory()
    digest_subscribe(user=french_reader, enabled=True)
    PortfolioFactory(owner=french_reader, name="Autre", advice_style="signals")
    assert daily_digest_task.delay(DAY.isoformat()).get() == 2
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert bodies[day_of_events.email].startswith("Your portfolios after the close of")
    assert "buy 10 KO at $54.00" in bodies[day_of_events.email]
    assert bodies[french_reader.email].startswith("Vos portefeuilles après la clôture du 21 avril 2021.")


def test_the_digest_is_sent_once_a_day_and_only_to_those_who_opted_in(day_of_events):
    daily_digest_task.delay(DAY.isoformat()).get()
    assert daily_digest_task.delay(DAY.isoformat()).get() == 0  # a retry does not send twice
    digest_subscribe(user=day_of_events, enabled=False)
    assert daily_digest_task.delay((DAY + dt.timedelta(days=1)).isoformat()).get() == 0
    assert len(mail.outbox) == 1


def test_a_closed_gate_adds_the_paused_notice_once(closed_gate, settings):
    settings.MARKET_CLOCK_DATE = DAY  # the market clock pinned to the last sample day
    user = UserFactory()
    digest_subscribe(user=user, enabled=True)
    PortfolioFactory(owner=user, name="One", advice_style="signals")
    PortfolioFactory(owner=user, name="Two", advice_style="signals")
    daily_digest_task.delay(DAY.isoformat()).get()
    body = mail.outbox[-1].body
    assert body.count("Conseils suspendus :") == 1
    assert body.count("aucune nouvelle entrée tant que les conseils fondés sur le modèle sont suspendus") == 2


def test_the_opt_in_is_set_through_the_api(investor, investor_client):
    assert investor_client.get("/api/v1/notifications/digest/").json()["daily_digest"] is False
    response = investor_client.put("/api/v1/notifications/digest/", {"daily_digest": True}, format="json")
    assert response.status_code == 200 and response.json()["daily_digest"] is True
    bad = investor_client.put("/api/v1/notifications/digest/", {"daily_digest": "yes"}, format="json")
    assert bad.status_code == 400
