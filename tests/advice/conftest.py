# The real monitoring gate, closed by stale data (trains the 12-ticker champion), for the digest's notice.
from tests.mlcore.conftest import champion, closed_gate, fast_training  # noqa: F401

# The optimiser tests' fixed views of the 12 sample tickers (the optimiser needs predictions).
from tests.portfolio.test_optimize_service import predictions  # noqa: F401
