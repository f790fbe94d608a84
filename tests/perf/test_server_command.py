"""The web server runs one command everywhere: the Dockerfile's CMD, docker-compose's web service and the
API benchmark (which starts compose's command with only ``--host``/``--port`` moved to loopback)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("CMD "))
    return json.loads(re.sub(r"\s+", " ", line.removeprefix("CMD ")))


def _compose_web() -> list[str]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]


def test_the_dockerfile_and_compose_start_the_same_server():
    assert _dockerfile_cmd() == _compose_web()


def test_the_server_is_granian_wsgi_with_threads_that_overlap_database_waits():
    command = _compose_web()
    assert command[:4] == ["granian", "--interface", "wsgi", "swingtrade.wsgi:application"]
    assert int(command[command.index("--blocking-threads") + 1]) > 1
    # A crashed worker comes back instead of leaving the container up and serving nothing.
    assert "--respawn-failed-workers" in command


def test_only_the_web_service_cuts_long_statements():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "DB_STATEMENT_TIMEOUT_MS" in services["web"]["environment"]
    assert "DB_STATEMENT_TIMEOUT_MS" not in services["worker"]["environment"]  # ingestion, training
    assert services["web"]["environment"]["DATABASE_URL"] == services["worker"]["environment"]["DATABASE_URL"]


def test_the_benchmark_starts_composes_command_with_only_the_address_moved(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # the script imports its sibling bench_postgres
    spec = importlib.util.spec_from_file_location("bench_api_script", ROOT / "bench" / "api.py")
    bench_api = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench_api)  # its dataclasses look their module up
    spec.loader.exec_module(bench_api)

    command = bench_api.server_command(8765)
    expected = _compose_web()
    expected[expected.index("--host") + 1] = "127.0.0.1"
    expected[expected.index("--port") + 1] = "8765"
    assert [Path(command[0]).name, *command[1:]] == expected
    swapped = bench_api.server_command(8765, overrides={"--workers": "2", "--backpressure": "9"})
    assert swapped[swapped.index("--workers") + 1] == "2" and swapped[-2:] == ["--backpressure", "9"]


def test_the_server_loads_every_view_before_freezing_the_collector(tmp_path):
    """What the first requests would load after ``gc.freeze()`` stays in the collector's oldest generation
    and lengthens every full collection (the API's p99, docs/architecture.md "Speed"): swingtrade.wsgi loads
    the URLconf's views, and their serializers and services, before it freezes."""
    from tests.security.processes import production_env, run_python

    code = (
        "import gc, sys\n"
        "import swingtrade.wsgi\n"
        "loaded = [m for m in ('portfolio.api.views', 'market.api.views', 'mlcore.api.views', "
        "'swingtrade.web.views') if m in sys.modules]\n"
        "print(len(loaded), gc.get_freeze_count())\n"
    )
    result = run_python(code, env=production_env(SWINGTRADE_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    loaded, frozen = map(int, result.stdout.split()[-2:])
    assert loaded == 4
    assert frozen > 100_000  # Django, the apps and every view: not just the settings
