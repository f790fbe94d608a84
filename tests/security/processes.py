"""Run Python or manage.py in a fresh process with a clean environment, as a server or worker would start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def strong_key() -> str:
    return secrets.token_urlsafe(64)


def production_env(**extra: str) -> dict[str, str]:
    """What a deployment sets: strong keys, a public host; SQLite in memory stands in for PostgreSQL."""
    return {
        "DJANGO_SETTINGS_MODULE": "swingtrade.settings.production",
        "SECRET_KEY": strong_key(),
        "JWT_SIGNING_KEY": strong_key(),
        "ALLOWED_HOSTS": "swingtrade.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        **extra,
    }


def run_python(code: str, *, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=timeout
    )
