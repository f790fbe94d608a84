"""Where one API call spends its CPU: the endpoint called in-process through Django's WSGI handler.

    python bench/api_profile.py [--path /api/v1/auth/me/] [--calls 2000] [--database-url URL] [--user NAME]

Production settings (``DEBUG`` off, the middleware stack and JSON request log as served), the bench
database of ``bench/api.py`` by default and its ``bench_investor``; no HTTP server, so the figure is
Django's and DRF's share alone. Prints the CPU per call (``time.process_time``, after a warm-up) and the
``--top`` functions by cumulative time under cProfile (which slows every call, so compare shares, not
times). The request log goes to the ``--log`` file, not the terminal.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://swingtrade:swingtrade@127.0.0.1:5432/swingtrade_bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/api/v1/auth/me/")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--user", default="bench_investor", help="created when missing")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--log", type=Path, default=Path(os.devnull))
    parser.add_argument("--queries", action="store_true", help="also print the SQL of one call")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, …")
    args = parser.parse_args()
    if args.calls < 1:
        print("--calls must be at least 1", file=sys.stderr)
        return 2
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "JWT_SIGNING_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "swingtrade.settings.production",
        }
    )
    sys.path.insert(0, str(ROOT))
    log = args.log.open("w")
    sys.stdout = log  # the JSON request log's handler writes to stdout
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework_simplejwt.tokens import RefreshToken

    user, _ = get_user_model().objects.get_or_create(username=args.user)
    token = str(RefreshToken.for_user(user).access_token)
    app = WSGIHandler()

    def call() -> str:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": args.path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "HTTP_AUTHORIZATION": f"Bearer {token}", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_X_FORWARDED_PROTO": "https",  # as the proxy (production settings redirect plain HTTP)
        }  # fmt: skip
        status: list[str] = []
        b"".join(app(environ, lambda s, headers, *exc: status.append(s)))
        return status[0]

    first = call()
    if not first.startswith("2"):
        print(f"{args.path} answered {first}", file=sys.stderr)
        return 1
    if args.queries:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            call()
        print(f"{len(captured)} queries:", file=sys.__stdout__)
        for query in captured:
            print(f"  {query['sql']}", file=sys.__stdout__)
    gc.freeze()  # as swingtrade/wsgi.py does once the application is loaded
    for _ in range(min(args.calls, 200)):
        call()
    started = time.process_time()
    for _ in range(args.calls):
        call()
    cpu_ms = (time.process_time() - started) / args.calls * 1000
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.calls):
        call()
    profile.disable()
    out = sys.__stdout__
    print(f"{args.path}: {cpu_ms:.2f} ms of CPU per call in-process ({args.calls} calls, {first})", file=out)
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
