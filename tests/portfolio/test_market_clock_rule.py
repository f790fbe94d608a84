"""No market rule of the portfolio app reads the wall clock: "today" comes from ``market.clock``."""

from __future__ import annotations

import re
from pathlib import Path

PORTFOLIO = Path(__file__).resolve().parents[2] / "portfolio"
WALL_CLOCK = re.compile(r"timezone\.localdate|date\.today\(|datetime\.now\(|timezone\.now\(")
# Record timestamps are not market rules: when a user decided is the wall clock's business.
RECORD_TIMESTAMPS = {
    ("services/proposals.py", "locked.decided_at = timezone.now()"),
    # When a replay run finished (or failed): a record of the run, not a market date.
    ("replay/services.py", "run.finished_at = timezone.now()"),
    ("replay/services.py", "finished_at=timezone.now()"),
}


def test_no_portfolio_module_reads_the_wall_clock_for_a_market_rule():
    offending = []
    for path in sorted(PORTFOLIO.rglob("*.py")):
        relative = path.relative_to(PORTFOLIO).as_posix()
        if relative.startswith("migrations/"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if WALL_CLOCK.search(line) and not any(
                relative == name and snippet in line for name, snippet in RECORD_TIMESTAMPS
            ):
                offending.append(f"portfolio/{relative}:{number}: {line.strip()}")
    assert not offending, "read market.clock instead:\n" + "\n".join(offending)
