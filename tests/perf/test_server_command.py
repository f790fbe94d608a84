"""The web server runs one command everywhere: the Dockerfile's CMD, docker-compose's web service and the
API benchmark (which starts compose's command with only ``--bind`` moved to loopback)."""

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


def test_the_server_is_gunicorn_gthread_with_keep_alive():
    command = _compose_web()
    assert command[:2] == ["gunicorn", "swingtrade.wsgi:application"]
    # More than one thread: gunicorn then runs gthread workers (one thread is the sync worker, which
    # closes every connection and served 4-5x fewer requests on the benchmark's core).
    assert int(command[command.index("--threads") + 1]) > 1


def test_the_benchmark_starts_composes_command_with_only_the_bind_moved(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # the script imports its sibling bench_postgres
    spec = importlib.util.spec_from_file_location("bench_api_script", ROOT / "bench" / "api.py")
    bench_api = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench_api)  # its dataclasses look their module up
    spec.loader.exec_module(bench_api)

    command = bench_api.gunicorn_command(8765)
    expected = _compose_web()
    expected[expected.index("--bind") + 1] = "127.0.0.1:8765"
    assert [Path(command[0]).name, *command[1:]] == expected
    swapped = bench_api.gunicorn_command(8765, overrides={"--workers": "1", "--max-requests": "9"})
    assert swapped[swapped.index("--workers") + 1] == "1" and swapped[-2:] == ["--max-requests", "9"]
