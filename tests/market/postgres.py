"""The mark of tests that only mean something on PostgreSQL (COPY, DDL in transactions, real commits).

``make test`` runs them in a second pass against PostgreSQL whenever it answers on 127.0.0.1:5432 and
``DATABASE_URL`` is unset; on CI (``CI`` set, as ``.ci/run`` does) they run and fail instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.db import connection

SKIP_UNLESS_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="PostgreSQL path: set DATABASE_URL (make test does when PostgreSQL answers)",
)
#: For a module's ``pytestmark``.
POSTGRESQL_ONLY = [pytest.mark.postgres, SKIP_UNLESS_POSTGRESQL]


def postgresql_only(test: Callable) -> Callable:
    """Decorator: the ``postgres`` mark, and skipped on another database (except on CI)."""
    return pytest.mark.postgres(SKIP_UNLESS_POSTGRESQL(test))
