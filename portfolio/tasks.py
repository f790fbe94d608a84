"""Celery tasks of the portfolio app: take ids and ISO dates, call a service, retry on transient errors."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import OperationalError

from portfolio import services
from portfolio.models import Portfolio

logger = logging.getLogger("swingtrade.portfolio.tasks")
TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OperationalError)


@shared_task(
    name="portfolio.order_proposals_create",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def order_proposals_create_task(portfolio_id: int, as_of: str | None = None) -> list[int]:
    portfolio = Portfolio.objects.select_related("cost_profile").get(pk=portfolio_id)
    day = dt.date.fromisoformat(as_of) if as_of else None
    return [p.pk for p in services.order_proposals_create(portfolio=portfolio, as_of=day)]


@shared_task(
    name="portfolio.proposals_expire", autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3
)
def proposals_expire_task() -> int:
    count = services.proposals_expire()
    logger.info("expired order proposals", extra={"count": count})
    return count
