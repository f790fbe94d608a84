"""The daily digest: one e-mail per opted-in user after the close, never one per event.

It gathers, for each of the user's portfolios, the day's default advice (or why there is none), the
orders that filled, the orders whose validity ended unfilled, the protective stops the day's prices
crossed, and — once per e-mail — the notice that model-based advice is paused while the gate is closed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from portfolio.models import AdviceStyle, NotificationPreference, OrderProposal, Portfolio, Trade
from swingtrade.errors import DomainError

logger = logging.getLogger("swingtrade.portfolio.digest")
STOP_TYPES = (OrderProposal.OrderType.STOP, OrderProposal.OrderType.STOP_LIMIT)


@dataclass
class PortfolioDigest:
    name: str
    advice: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    stops: list[str] = field(default_factory=list)


@dataclass
class Digest:
    day: dt.date
    portfolios: list[PortfolioDigest]
    paused: str | None = None

    def render(self) -> tuple[str, str]:
        """(subject, plain-text body)."""
        lines = [f"Your portfolios after the close of {self.day:%A %d %B %Y}.", ""]
        if self.paused:
            lines += [f"Advice paused: {self.paused}", ""]
        for item in self.portfolios:
            lines.append(f"== {item.name} ==")
            for title, rows in (
                ("Advice", item.advice),
                ("Orders filled", item.filled),
                ("Orders expired unfilled", item.expired),
                ("Stops triggered", item.stops),
            ):
                if rows:
                    lines.append(f"{title}:")
                    lines += [f"  - {row}" for row in rows]
            lines.append("")
        lines.append("You receive this because you turned the daily digest on; turn it off in your settings.")
        subject = f"{settings.DIGEST_SUBJECT_PREFIX}Daily digest {self.day.isoformat()}"
        return subject, "\n".join(lines)


def _advice_lines(portfolio: Portfolio, day: dt.date, gate_open: bool) -> list[str]:
    if portfolio.advice_style == AdviceStyle.SIGNALS:
        if not gate_open:
            return ["Signals style: no new entries while model-based advice is paused."]
        return ["Signals style: generate proposals on the site for the model's swing entries."]
    from portfolio.advice import default_advice

    try:
        advice = default_advice(portfolio=portfolio, as_of=day)
    except DomainError as exc:
        return [f"No advice today: {exc.message}"]
    return [advice.summary] + [
        f"{o.side} {o.quantity} {o.ticker} at about {o.price:,.2f}: fees {o.fees:,.2f}, taxes {o.taxes:+,.2f}"
        for o in advice.orders
    ]


def _stops_crossed(portfolio: Portfolio, day: dt.date) -> list[str]:
    """Accepted stop orders whose price the day's bar reached: the user should record the fill."""
    from market.models import DailyBar

    out = []
    waiting = portfolio.proposals.filter(
        status=OrderProposal.Status.ACCEPTED, order_type__in=STOP_TYPES, stop_price__isnull=False
    ).select_related("ticker")
    for proposal in waiting:
        bar = DailyBar.objects.filter(ticker=proposal.ticker, date=day).values("low", "high").first()
        if bar is None:
            continue
        stop = float(proposal.stop_price)
        selling = proposal.side == "sell"
        if (selling and bar["low"] is not None and bar["low"] <= stop) or (
            not selling and bar["high"] is not None and bar["high"] >= stop
        ):
            out.append(f"{proposal.ticker.symbol}: stop {stop:,.2f} reached; record the fill.")
    return out


def portfolio_digest(portfolio: Portfolio, day: dt.date, *, gate_open: bool) -> PortfolioDigest:
    from market import calendar

    item = PortfolioDigest(name=portfolio.name, advice=_advice_lines(portfolio, day, gate_open))
    trades = Trade.objects.filter(portfolio=portfolio, traded_on=day, proposal__isnull=False)
    for trade in trades.select_related("ticker", "proposal"):
        text = f"{trade.side} {trade.quantity} {trade.ticker.symbol} at {trade.price:,.2f}"
        if trade.proposal.order_type in STOP_TYPES:
            item.stops.append(f"{text} (stop filled)")
        else:
            item.filled.append(text)
    last_session = calendar.session_on_or_before(calendar.DEFAULT_EXCHANGE, day - dt.timedelta(days=1))
    expired = portfolio.proposals.filter(
        status=OrderProposal.Status.EXPIRED, valid_until=last_session, quantity__gt=0
    ).select_related("ticker")
    item.expired = [f"{p.side} {p.quantity} {p.ticker.symbol} (valid until {p.valid_until})" for p in expired]
    item.stops += _stops_crossed(portfolio, day)
    return item


def user_digest(user: Any, day: dt.date, *, gate_open: bool, paused: str | None) -> Digest | None:
    portfolios = list(Portfolio.objects.filter(owner=user).select_related("cost_profile"))
    if not portfolios:
        return None
    items = [portfolio_digest(p, day, gate_open=gate_open) for p in portfolios]
    return Digest(day=day, portfolios=items, paused=paused)


def digests_send(*, day: dt.date) -> int:
    """Send the digest of ``day`` to every opted-in user with an address, once; returns how many."""
    from mlcore.monitoring.gate import gate_state

    gate = gate_state()
    paused = None if gate.is_open else f"{gate.reason} The low-risk default advice does not use the model."
    User = get_user_model()
    recipients = User.objects.filter(notification_preference__daily_digest=True, is_active=True).exclude(
        email=""
    )
    recipients = recipients.exclude(notification_preference__last_digest_on__gte=day)
    total = recipients.count()
    sent = 0
    for done, user in enumerate(recipients.order_by("pk"), start=1):
        digest = user_digest(user, day, gate_open=gate.is_open, paused=paused)
        if digest is not None:
            subject, body = digest.render()
            with transaction.atomic():
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                NotificationPreference.objects.filter(user=user).update(last_digest_on=day)
            sent += 1
        logger.info("digest progress", extra={"done": done, "total": total, "sent": sent})
    return sent


def digest_subscribe(*, user: Any, enabled: bool) -> NotificationPreference:
    """Turn the daily digest on or off for ``user`` (creates the preference on first use)."""
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    preference.daily_digest = enabled
    preference.save(update_fields=["daily_digest"])
    return preference
