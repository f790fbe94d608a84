"""The daily digest: one e-mail per opted-in user after the close, never one per event.

It gathers, for each of the user's portfolios, the day's default advice (or why there is none), the
orders that filled, the orders whose validity ended unfilled, the protective stops the day's prices
crossed, and — once per e-mail — the notice that model-based advice is paused while the gate is closed.

It is written in the site's language (``LANGUAGE_CODE``, French), amounts in the portfolio's currency and
numbers in that language's format (``swingtrade.formatting``, the pages' own), with the French catalogue's
sentences; a refusal of a service reads in that language too (``swingtrade.errors.read_by_a_user``).
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
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portfolio.models import AdviceStyle, NotificationPreference, OrderProposal, Portfolio, Trade
from swingtrade.errors import DomainError, read_by_a_user
from swingtrade.formatting import format_money, format_percent

logger = logging.getLogger("swingtrade.portfolio.digest")
STOP_TYPES = (OrderProposal.OrderType.STOP, OrderProposal.OrderType.STOP_LIMIT)
SIDE_WORDS = {  # an order's side as the e-mail writes it
    "buy": gettext_noop("buy"),
    "sell": gettext_noop("sell"),
    "short": gettext_noop("short"),
    "cover": gettext_noop("cover"),
}
NOT_THE_MODEL = gettext_noop("The low-risk default advice does not use the model.")


def _side(side: str) -> str:
    return _(SIDE_WORDS[side]) if side in SIDE_WORDS else side


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT", use_l10n=True)


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
        """(subject, plain-text body), in the active language."""
        lines = [_("Your portfolios after the close of %(day)s.") % {"day": _day(self.day)}, ""]
        if self.paused:
            lines += [_("Advice paused: %(reason)s") % {"reason": self.paused}, ""]
        for item in self.portfolios:
            lines.append(f"== {item.name} ==")
            for title, rows in (
                (_("Advice"), item.advice),
                (_("Orders filled"), item.filled),
                (_("Orders expired unfilled"), item.expired),
                (_("Stops triggered"), item.stops),
            ):
                if rows:
                    lines.append(_("%(title)s:") % {"title": title})
                    lines += [f"  - {row}" for row in rows]
            lines.append("")
        lines.append(
            _("You receive this because you turned the daily digest on; turn it off in your settings.")
        )
        subject = settings.DIGEST_SUBJECT_PREFIX + _("Daily digest %(day)s") % {"day": self.day.isoformat()}
        return subject, "\n".join(lines)


def _advice_lines(portfolio: Portfolio, day: dt.date, gate_open: bool) -> list[str]:
    if portfolio.advice_style == AdviceStyle.SIGNALS:
        if not gate_open:
            return [_("Signals style: no new entries while model-based advice is paused.")]
        return [_("Signals style: generate proposals on the site for the model's swing entries.")]
    from portfolio.advice import default_advice
    from portfolio.advice.core import NOTHING_TO_DO

    try:
        advice = default_advice(portfolio=portfolio, as_of=day)
    except DomainError as exc:
        return [_("No advice today: %(reason)s") % {"reason": exc.message}]
    from market.models import Ticker

    # Prices in each stock's currency; fees and taxes in the portfolio's, as the advice counts them.
    currencies = dict(
        Ticker.objects.filter(symbol__in=[o.ticker for o in advice.orders]).values_list("symbol", "currency")
    )
    base = portfolio.base_currency
    if advice.nothing_to_do:
        summary = _(NOTHING_TO_DO)
    else:
        amounts = {
            "fees": format_money(advice.fees, base),
            "taxes": format_money(advice.taxes, base, signed=True),
            "after": format_percent(advice.volatility_after, 0),
            "before": format_percent(advice.volatility_before, 0),
        }
        if advice.volatility_before == 0:  # all in cash today
            summary = _(
                "Invest the cash at a volatility of %(after)s, for %(fees)s of fees and %(taxes)s of taxes."
            )
        else:
            summary = _(
                "Volatility %(after)s instead of %(before)s, for %(fees)s of fees and %(taxes)s of taxes."
            )
        summary %= amounts
    return [summary] + [
        _("%(side)s %(quantity)s %(ticker)s at about %(price)s: fees %(fees)s, taxes %(taxes)s")
        % {
            "side": _side(o.side),
            "quantity": o.quantity,
            "ticker": o.ticker,
            "price": format_money(o.price, currencies.get(o.ticker)),
            "fees": format_money(o.fees, base),
            "taxes": format_money(o.taxes, base, signed=True),
        }
        for o in advice.orders
    ]


def _stops_crossed(portfolio: Portfolio, day: dt.date) -> list[str]:
    """Accepted stop orders whose price the day's bar reached: the user should record the fill."""
    from market.models import DailyBar

    out = []
    waiting = list(
        portfolio.proposals.filter(
            status=OrderProposal.Status.ACCEPTED, order_type__in=STOP_TYPES, stop_price__isnull=False
        ).select_related("ticker")
    )
    # The day's bars of every waiting ticker in one query, not one per stop.
    bars = {
        row["ticker_id"]: row
        for row in DailyBar.objects.filter(ticker_id__in={p.ticker_id for p in waiting}, date=day).values(
            "ticker_id", "low", "high"
        )
    }
    for proposal in waiting:
        bar = bars.get(proposal.ticker_id)
        if bar is None:
            continue
        stop = float(proposal.stop_price)
        selling = proposal.side == "sell"
        if (selling and bar["low"] is not None and bar["low"] <= stop) or (
            not selling and bar["high"] is not None and bar["high"] >= stop
        ):
            out.append(
                _("%(ticker)s: stop %(stop)s reached; record the fill.")
                % {"ticker": proposal.ticker.symbol, "stop": format_money(stop, proposal.ticker.currency)}
            )
    return out


def portfolio_digest(portfolio: Portfolio, day: dt.date, *, gate_open: bool) -> PortfolioDigest:
    from market import calendar

    item = PortfolioDigest(name=portfolio.name, advice=_advice_lines(portfolio, day, gate_open))
    trades = Trade.objects.filter(portfolio=portfolio, traded_on=day, proposal__isnull=False)
    for trade in trades.select_related("ticker", "proposal"):
        text = _("%(side)s %(quantity)s %(ticker)s at %(price)s") % {
            "side": _side(trade.side),
            "quantity": trade.quantity,
            "ticker": trade.ticker.symbol,
            "price": format_money(trade.price, trade.ticker.currency),
        }
        if trade.proposal.order_type in STOP_TYPES:
            item.stops.append(_("%(order)s (stop filled)") % {"order": text})
        else:
            item.filled.append(text)
    last_session = calendar.session_on_or_before(calendar.DEFAULT_EXCHANGE, day - dt.timedelta(days=1))
    expired = portfolio.proposals.filter(
        status=OrderProposal.Status.EXPIRED, valid_until=last_session, quantity__gt=0
    ).select_related("ticker")
    item.expired = [
        _("%(side)s %(quantity)s %(ticker)s (valid until %(day)s)")
        % {
            "side": _side(p.side),
            "quantity": p.quantity,
            "ticker": p.ticker.symbol,
            "day": _day(p.valid_until),
        }
        for p in expired
    ]
    item.stops += _stops_crossed(portfolio, day)
    return item


def user_digest(user: Any, day: dt.date, *, gate_open: bool, paused: str | None) -> Digest | None:
    portfolios = list(Portfolio.objects.filter(owner=user).select_related("cost_profile"))
    if not portfolios:
        return None
    items = [portfolio_digest(p, day, gate_open=gate_open) for p in portfolios]
    return Digest(day=day, portfolios=items, paused=paused)


def digests_send(*, day: dt.date, language: str | None = None) -> int:
    """Send the digest of ``day`` to every opted-in user with an address, once; returns how many.

    Each is written in ``language`` when given, else in the language the user chose on the site
    (``User.mail_language``: the switcher's last choice, or the site's ``LANGUAGE_CODE``, French).
    """
    with read_by_a_user():
        return _digests_send(day, language)


def _digests_send(day: dt.date, language: str | None) -> int:
    from mlcore.monitoring.gate import gate_state

    gate = gate_state()
    User = get_user_model()
    recipients = User.objects.filter(notification_preference__daily_digest=True, is_active=True).exclude(
        email=""
    )
    recipients = recipients.exclude(notification_preference__last_digest_on__gte=day)
    total = recipients.count()
    sent = 0
    for done, user in enumerate(recipients.order_by("pk"), start=1):
        with translation.override(language or user.mail_language):
            paused = None if gate.is_open else f"{gate.reason_text} {_(NOT_THE_MODEL)}"
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
