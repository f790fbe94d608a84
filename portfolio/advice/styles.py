"""What each advice style has been measured to do, shown beside the choice (never a promise)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

from portfolio.models import AdviceStyle

# Measured, not assumed: out of sample 2014-01 … 2021-04 on the S&P 500 file, decile long/short every
# 5 days net of the French online costs (bench/model.py, table in docs/model.md). Update with the bench.
SIGNALS_MEASURED = gettext_noop(
    "Measured: the model's long/short signals lost money after costs — net Sharpe −0.71 (ridge) and "
    "−0.47 (gradient boosting) on average over start days, 2014–2021 (bench/model.py, docs/model.md)."
)
# The replay of this advice on the 504-ticker file at 10,000,000 (where 1/N holds every name), all five start
# days, the half no rule was set on (bench/halves.py, table in docs/advice.md). Update with the replay.
LOW_RISK_MEASURED = gettext_noop(
    "Measured by the replay on 504 S&P 500 stocks, 2018–2021, a period no rule was set on, against "
    "equal weights rebalanced monthly, after costs and the French tax: a volatility 18 to 20 percent "
    "lower, about a sixth of its tax, a lower turnover and about the same Sharpe ratio (0.60–0.74 "
    "against 0.68–0.69); in the 2020 crash it still lost 35–37 percent, against 39. The stocks are "
    "today's index members, which flatters every past return (docs/advice.md)."
)


def measured_result(style: str) -> str:
    return gettext(SIGNALS_MEASURED if style == AdviceStyle.SIGNALS else LOW_RISK_MEASURED)
