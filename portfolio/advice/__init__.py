"""The product's default advice: low risk, trading only when the move pays its costs and French taxes.

- :func:`advise` — pure core (no database), what the replay measures.
- :func:`default_advice` — the same on a stored portfolio at a date (prices, risk model, tax ledger).
See docs/advice.md for what it promises and what it does not.
"""

from __future__ import annotations

from portfolio.advice.core import NOTHING_TO_DO, Advice, AdviceOrder, AdviceProfile, Holdings, advise
from portfolio.advice.service import default_advice

__all__ = ["NOTHING_TO_DO", "Advice", "AdviceOrder", "AdviceProfile", "Holdings", "advise", "default_advice"]
