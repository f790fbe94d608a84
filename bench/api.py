"""API benchmark: the web server as docker-compose starts it (granian), driven by wrk, on the market file.

    python bench/api.py [--data PATH] [--duration 10] [--connections 12] [--database-url URL]

Needs PostgreSQL, Redis and ``wrk`` (Debian: ``apt-get install -y wrk``; the script installs nothing).
Steps:

1. creates its own database (default ``postgres://swingtrade:swingtrade@127.0.0.1:5432/swingtrade_bench``
   or ``BENCH_DATABASE_URL``; the name must contain "bench"), migrates it and loads ``PATH`` (default the
   504-ticker file) unless a run with the same file fingerprint (sha256) is already stored;
2. trains the set-up champion if none serves (``mlcore.serving.first_champion.first_model_ensure``: the
   default ridge walk-forward, seconds) and stores its predictions for the latest date;
3. creates the investor ``bench_investor`` with the demo portfolio (five positions bought at real closes)
   and its order proposals for the latest date, and ``bench_optimiser`` with its own demo portfolio for
   the mixed load (both portfolios made afresh every run, so every run measures the same state);
4. starts docker-compose.yml's web command (granian; only ``--host``/``--port`` changed, to loopback),
   production settings, ``DEBUG`` off, Redis db 5 as cache, pinned to core 0 (``taskset -c 0``);
5. drives each endpoint with ``wrk`` pinned to core 1 (``bench/wrk/auth.lua`` adds the JWT): a 2 s
   warm-up, then ``--duration`` seconds measured; prints req/s, p50/p95/p99, errors (non-2xx + socket
   errors), the ratio to the trivial endpoint (``/api/v1/auth/me/``) and the issue's targets;
6. then (unless ``--no-mixed``) the trivial endpoint again while one more client posts to the optimiser
   back to back: how long a slow request holds the fast ones up (what the thread count decides).

The machine's load average at the start and at the end is printed: on a shared machine other work
competes for both cores and lowers every figure. So is the host's own speed (a fixed pure-Python loop
on core 0): the same code served 1,150-1,325 req/s on one host and 200 on a slower one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from bench_postgres import ensure_database  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "sp500_daily_2013_2021.csv.gz"
if not DEFAULT_DATA.exists():  # a git worktree sits one level deeper than the main checkout
    DEFAULT_DATA = ROOT.parent.parent / "shared" / "data" / "sp500_daily_2013_2021.csv.gz"
DEFAULT_URL = "postgres://swingtrade:swingtrade@127.0.0.1:5432/swingtrade_bench"
REDIS_URL = "redis://127.0.0.1:6379/5"
LUA = ROOT / "bench" / "wrk" / "auth.lua"
INVESTOR = "bench_investor"
OPTIMISER_INVESTOR = "bench_optimiser"
WARMUP_SECONDS = 2
OPTIMISER_TIMEOUT_SECONDS = 60
# The host's own speed, so runs on different machines can be told apart: a fixed pure-Python loop on
# the server's core (10**7 integer additions: 1.2-1.8 s on the Firecracker host of 2026-12-02).
HOST_PROBE = """
import time
started = time.process_time()
total = 0
for i in range(10**7):
    total += i
print(time.process_time() - started)
"""


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    min_ratio: float | None  # of the trivial endpoint's req/s
    max_p99_ms: float | None
    min_rps: float | None = None


@dataclass(frozen=True)
class Result:
    endpoint: Endpoint
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    kb_per_request: float
    cpu_ms: float  # the server's own CPU (main process + workers) per request: independent of the load


def server_command(port: int, *, overrides: dict[str, str] | None = None) -> list[str]:
    """docker-compose.yml's web command (what production runs) listening on loopback's ``port``.

    ``overrides`` replaces (or adds) options such as ``{"--workers": "2"}``: how other configurations
    are compared with the one compose runs (the table's header names the command that ran).
    """
    import yaml  # PyYAML: a development dependency, like this script

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = list(compose["services"]["web"]["command"])
    for option, value in {"--host": "127.0.0.1", "--port": str(port), **(overrides or {})}.items():
        if option in command:
            command[command.index(option) + 1] = value
        else:
            command += [option, value]
    # The same program, from this interpreter's environment (the image has it on its PATH).
    command[0] = str(Path(sys.executable).parent / command[0])
    return command


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Prepared:
    token: str  # the measured investor's JWT
    portfolio_id: int
    symbol: str
    optimiser_token: str  # the mixed load's second investor
    optimiser_portfolio_id: int


def prepare(data: Path) -> Prepared:
    """Data, champion, predictions, the investors, their portfolios and the day's proposals."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    from market.ingest import ingest_frame
    from market.models import IngestionRun
    from market.sources import csv_file
    from mlcore.serving import predict
    from mlcore.serving.first_champion import first_model_ensure
    from portfolio import services as portfolio_services
    from portfolio.demo import DEMO_HOLDINGS, demo_portfolio_ensure
    from portfolio.models import OrderProposal, Portfolio
    from swingtrade.accounts import roles
    from swingtrade.accounts import services as account_services

    call_command("migrate", verbosity=0)
    digest = fingerprint(data)
    loaded = IngestionRun.objects.filter(
        params__bench_fingerprint=digest,
        status__in=[IngestionRun.Status.SUCCEEDED, IngestionRun.Status.PARTIAL],
    ).exists()
    if loaded:
        print(f"data: {data.name} already loaded (sha256 {digest[:12]}…)", file=sys.stderr)
    else:
        print(f"data: loading {data.name} …", file=sys.stderr)
        started = time.perf_counter()
        run = ingest_frame(
            frame=csv_file.read_csv(data.read_bytes()), source="csv", params={"bench_fingerprint": digest}
        )
        print(f"data: {run.inserted:,} bars in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    started = time.perf_counter()
    champion = first_model_ensure()
    frame, _, data_date = predict.predictions_for(version=champion)
    print(
        f"model: champion {champion.pk} ({champion.algorithm}), {len(frame)} predictions for {data_date} "
        f"({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )

    def investor(username: str):
        """The user and a demo portfolio made afresh: five positions bought at real closes, no proposal,
        no optimiser run — whatever an earlier run left (or deleted: emptying the tickers of this
        database cascades to positions)."""
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = account_services.user_create(
                username=username, password=secrets.token_urlsafe(16), role=roles.INVESTOR
            )
        Portfolio.objects.filter(owner=user).delete()
        portfolio = demo_portfolio_ensure(owner=user)
        positions = portfolio.positions.count() if portfolio is not None else 0
        if positions != len(DEMO_HOLDINGS):
            raise SystemExit(
                f"{username}'s demo portfolio has {positions} of its {len(DEMO_HOLDINGS)} positions: "
                "the loaded data lacks their closes"
            )
        return user, portfolio

    user, portfolio = investor(INVESTOR)
    # Every run measures the same list: the day's proposals of the same demo portfolio.
    portfolio_services.order_proposals_create(portfolio=portfolio)
    proposals = OrderProposal.objects.filter(portfolio=portfolio).count()
    print(
        f"investor: portfolio {portfolio.pk}, {portfolio.positions.count()} positions, {proposals} proposals",
        file=sys.stderr,
    )
    # The mixed load's optimiser writes a run and its proposals each call: another investor's portfolio,
    # made afresh too, so neither the measured list nor the optimiser's work grows.
    other, optimised = investor(OPTIMISER_INVESTOR)
    cache.clear()  # Redis db 5 is the bench's own: start every run cold
    return Prepared(
        token=str(AccessToken.for_user(user)),
        portfolio_id=portfolio.pk,
        symbol="AAPL",
        optimiser_token=str(AccessToken.for_user(other)),
        optimiser_portfolio_id=optimised.pk,
    )


def endpoints(portfolio_id: int, symbol: str) -> list[Endpoint]:
    return [
        Endpoint("trivial: auth/me", "/api/v1/auth/me/", None, 20, min_rps=500),
        Endpoint("rankings (top 20 buys + sells)", "/api/v1/rankings/?limit=20", 0.5, 50),
        Endpoint("portfolio detail", f"/api/v1/portfolios/{portfolio_id}/", None, None),
        Endpoint("portfolio valuation", f"/api/v1/portfolios/{portfolio_id}/valuation/", 0.3, 100),
        Endpoint("proposals list", f"/api/v1/portfolios/{portfolio_id}/proposals/", 0.3, 100),
        Endpoint("bars, one page (default)", f"/api/v1/tickers/{symbol}/bars/", 0.3, 100),
        Endpoint(
            "bars, one year window",
            f"/api/v1/tickers/{symbol}/bars/?start=2020-01-01&end=2020-12-31",
            None,
            None,
        ),
    ]


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (a 503 of an optional part still means it serves)
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer /healthz within 60 s")


def drive(url: str, *, seconds: int, connections: int, env: dict[str, str], timeout_s: int = 5) -> dict:
    command = [
        "taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", f"{timeout_s}s",
        "-s", str(LUA), url,
    ]  # fmt: skip
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + timeout_s + 30, check=True
    )
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def host_speed_seconds() -> float:
    """CPU seconds of :data:`HOST_PROBE` on core 0: the same code reads 2-6x apart on different hosts
    (and within an hour on a shared one), and this puts a figure on it beside the load average."""
    out = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", HOST_PROBE],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout)


def server_cpu_seconds(master: int) -> float:
    """User + system CPU of the server's main process and its workers so far (``/proc``, Linux)."""
    pids = [master]
    for task in Path(f"/proc/{master}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just exited
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(
    endpoint: Endpoint, base: str, *, seconds: int, connections: int, env: dict, master: int
) -> Result:
    url = base + endpoint.path
    drive(url, seconds=WARMUP_SECONDS, connections=connections, env=env)
    cpu_before = server_cpu_seconds(master)
    raw = drive(url, seconds=seconds, connections=connections, env=env)
    cpu = server_cpu_seconds(master) - cpu_before
    return _result(endpoint, raw, cpu_ms=cpu / max(raw["requests"], 1) * 1000)


def _result(endpoint: Endpoint, raw: dict, *, cpu_ms: float) -> Result:
    duration = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return Result(
        endpoint=endpoint,
        rps=raw["requests"] / duration,
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
        errors=raw["non2xx"] + socket_errors,
        kb_per_request=raw["bytes"] / max(raw["requests"], 1) / 1024,
        cpu_ms=cpu_ms,
    )


def measure_mixed(
    base: str, prepared: Prepared, *, seconds: int, connections: int, env: dict, master: int
) -> list[Result]:
    """The trivial endpoint under the usual load while one more client posts to the optimiser back to
    back (cvxpy, hundreds of ms a call): how much a slow request holds the fast ones up, which the
    server's thread count decides (docs/architecture.md, "Speed")."""
    trivial = Endpoint("trivial, beside the optimiser", "/api/v1/auth/me/", None, None)
    optimiser = Endpoint(
        "optimiser (POST), 1 client",
        f"/api/v1/portfolios/{prepared.optimiser_portfolio_id}/optimize/",
        None,
        None,
    )
    slow_env = {**env, "BENCH_BODY": "{}", "BENCH_TOKEN": prepared.optimiser_token}
    cpu_before = server_cpu_seconds(master)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The optimiser starts first and stops last, so it runs through the whole measured window.
        # Its own timeout: one call took 3.5-4.6 s on the host of 2026-12-01 and 11.7 s on a slower one,
        # where wrk's 5 s counted it as an error (the server's statement timeout is 30 s).
        slow = pool.submit(
            drive,
            base + optimiser.path,
            seconds=seconds + 2,
            connections=1,
            env=slow_env,
            timeout_s=OPTIMISER_TIMEOUT_SECONDS,
        )
        time.sleep(1)
        fast_raw = drive(base + trivial.path, seconds=seconds, connections=connections, env=env)
        slow_raw = slow.result()
    cpu_ms = (server_cpu_seconds(master) - cpu_before) * 1000
    served = max(fast_raw["requests"] + slow_raw["requests"], 1)
    return [
        _result(trivial, fast_raw, cpu_ms=cpu_ms / served),
        _result(optimiser, slow_raw, cpu_ms=cpu_ms / served),
    ]


def verdict(result: Result, trivial_rps: float) -> tuple[str, str]:
    e = result.endpoint
    parts, ok = [], result.errors == 0
    if e.min_rps is not None:
        parts.append(f">= {e.min_rps:g} req/s")
        ok &= result.rps >= e.min_rps
    if e.min_ratio is not None:
        parts.append(f">= {e.min_ratio:g}x")
        ok &= result.rps >= e.min_ratio * trivial_rps
    if e.max_p99_ms is not None:
        parts.append(f"p99 <= {e.max_p99_ms:g} ms")
        ok &= result.p99_ms <= e.max_p99_ms
    if not parts:
        return "— (no target; 0 errors)", "pass" if ok else "FAIL"
    parts.append("0 errors")
    return ", ".join(parts), "pass" if ok else "FAIL"


def print_table(results: list[Result], *, header: str) -> None:
    trivial = results[0].rps
    rows = [
        (
            "endpoint",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "KB/req",
            "CPU ms/req",
            "ratio",
            "target",
            "",
        )
    ]
    for r in results:
        target, passed = verdict(r, trivial)
        rows.append(
            (
                r.endpoint.name,
                f"{r.rps:,.0f}" if r.rps >= 10 else f"{r.rps:.2f}",
                f"{r.p50_ms:.1f}",
                f"{r.p95_ms:.1f}",
                f"{r.p99_ms:.1f}",
                str(r.errors),
                f"{r.kb_per_request:.1f}",
                f"{r.cpu_ms:.2f}",
                f"{r.rps / trivial:.2f}x",
                target,
                passed,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"\n{header}\n")
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per endpoint")
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", help="instead of compose's --workers (to compare configurations)")
    parser.add_argument(
        "--threads", help="instead of compose's --blocking-threads (to compare configurations)"
    )
    parser.add_argument(
        "--only", default="", help="comma-separated words: measure only the endpoints named so (+ trivial)"
    )
    parser.add_argument(
        "--no-mixed", action="store_true", help="skip the trivial endpoint measured beside the optimiser"
    )
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        print("wrk is missing; install it with: apt-get update && apt-get install -y wrk", file=sys.stderr)
        return 2
    if (os.cpu_count() or 1) < 2:
        print("needs two cores: the server is pinned to core 0 and wrk to core 1", file=sys.stderr)
        return 2
    name = urlparse(args.database_url).path.lstrip("/")
    if not args.database_url.startswith("postgres") or "bench" not in name:
        print(f"refusing database {name!r}: its name must contain 'bench'", file=sys.stderr)
        return 2
    if not args.data.exists():
        print(f"no data file at {args.data}", file=sys.stderr)
        return 2
    load_start = os.getloadavg()
    host_probe_s = host_speed_seconds()
    ensure_database(args.database_url)

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "true",  # no worker here: set-up tasks run in this process
        "SECRET_KEY": secrets.token_urlsafe(64),
        "JWT_SIGNING_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "MODEL_ARTIFACT_DIR": str(ROOT / "var" / "bench-models"),
    }
    os.environ.update({**env, "DJANGO_SETTINGS_MODULE": "swingtrade.settings.base", "LOG_LEVEL": "WARNING"})
    sys.path.insert(0, str(ROOT))
    prepared = prepare(args.data)

    # As compose's web service: production settings and its statement timeout. No GRANIAN_* variable of
    # the caller's shell: e.g. GRANIAN_BACKPRESSURE=2 caps the *connections* served, so 10 of wrk's 12 wait
    # unaccepted, uncounted, and the latency printed is that of the other two (seen: p99 2.5 ms).
    server_env = {
        **{name: value for name, value in env.items() if not name.startswith("GRANIAN_")},
        "DJANGO_SETTINGS_MODULE": "swingtrade.settings.production",
        "DB_STATEMENT_TIMEOUT_MS": "30000",
    }
    asked = (("--workers", args.workers), ("--blocking-threads", args.threads))
    overrides = {option: value for option, value in asked if value}
    command = ["taskset", "-c", "0", *server_command(args.port, overrides=overrides)]
    log_dir = Path(tempfile.mkdtemp(prefix="swingtrade-bench-api-"))
    log = (log_dir / "server.log").open("w")
    print(f"server: {' '.join(command)} (log {log.name})", file=sys.stderr)
    server = subprocess.Popen(command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{args.port}"
    results: list[Result] = []
    try:
        wait_ready(base, server)
        wrk_env = {**os.environ, "BENCH_TOKEN": prepared.token}
        chosen = [
            e
            for i, e in enumerate(endpoints(prepared.portfolio_id, prepared.symbol))
            if i == 0 or not args.only or any(word in e.name for word in args.only.split(","))
        ]
        for endpoint in chosen:
            result = measure(
                endpoint,
                base,
                seconds=args.duration,
                connections=args.connections,
                env=wrk_env,
                master=server.pid,
            )
            print(f"  {endpoint.name}: {result.rps:,.0f} req/s, p99 {result.p99_ms:.1f} ms", file=sys.stderr)
            results.append(result)
        if not args.no_mixed:
            mixed = measure_mixed(
                base,
                prepared,
                seconds=args.duration,
                connections=args.connections,
                env=wrk_env,
                master=server.pid,
            )
            for result in mixed:
                print(
                    f"  {result.endpoint.name}: {result.rps:,.1f} req/s, p99 {result.p99_ms:.1f} ms",
                    file=sys.stderr,
                )
            results += mixed
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    load_end = os.getloadavg()
    header = (
        f"API benchmark — {args.data.name}; server `{' '.join(command[3:])}` on core 0, wrk on core 1, "
        f"{args.connections} connections, {args.duration} s per endpoint after {WARMUP_SECONDS} s warm-up\n"
        f"load average at start {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f}, "
        f"at end {load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f} (1 / 5 / 15 min, 2 cores); "
        f"host speed: 10**7 Python additions on core 0 took {host_probe_s:.2f} s of CPU\n"
        "CPU ms/req: the server's own CPU per request (PostgreSQL and Redis not included), from /proc; "
        "1000 / CPU ms bounds the req/s of one free core"
    )
    print_table(results, header=header)
    return 0 if all(verdict(r, results[0].rps)[1] == "pass" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
