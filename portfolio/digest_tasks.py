"""Celery beat task of the daily digest (its own module; registered by ``PortfolioConfig.ready``)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError

from portfolio import digest

logger = logging.getLogger("swingtrade.portfolio.tasks")


@shared_task(
    name="portfolio.daily_digest",
    autoretry_for=(ConnectionError, TimeoutError, OperationalError),
    retry_backoff=True,
    max_retries=3,
)
def daily_digest_task(day: str | None = None) -> int:
    """E-mail the digest of ``day`` (ISO; default: the last closed session) to every opted-in user.

    A retry after a partial run sends only to those not yet served that day (``last_digest_on``).
    """
    from market import clock

    session = dt.date.fromisoformat(day) if day else clock.last_closed_session()
    sent = digest.digests_send(day=session)
    logger.info("daily digest sent", extra={"day": session.isoformat(), "sent": sent})
    return sent
