"""Endpoints and commands quoted in README.md and docs/*.md exist in the code."""

from __future__ import annotations

import re

import pytest
from django.core.management import get_commands

from tests.docs.conftest import DOCS, ROOT, load_tool

DOCUMENTS = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def quoted_code(text: str) -> list[str]:
    """Every fenced block and inline code span of a Markdown text."""
    fenced = re.findall(r"```.*?```", text, flags=re.S)
    rest = re.sub(r"```.*?```", "", text, flags=re.S)
    return fenced + re.findall(r"`([^`\n]+)`", rest)


def quoted(pattern: str) -> set[tuple[str, str]]:
    found = set()
    for doc in DOCUMENTS:
        for code in quoted_code(doc.read_text(encoding="utf-8")):
            found |= {(doc.name, match) for match in re.findall(pattern, code, flags=re.M)}
    return found


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:", text, flags=re.M))


def test_the_documented_endpoint_table_is_what_the_url_resolver_gives():
    tool = load_tool("endpoints")
    text = (DOCS / "cahier-des-charges.md").read_text(encoding="utf-8")
    assert tool.documented_table(text) == tool.endpoint_table(), "run: python docs/tools/endpoints.py --write"


def test_the_endpoint_table_lists_the_api_routes():
    rows = load_tool("endpoints").endpoint_rows()
    paths = {path for _methods, path, _view, _who in rows}
    assert "/api/v1/rankings/" in paths
    assert "/api/v1/portfolios/{portfolio_id}/proposals/{proposal_id}/accept/" in paths
    assert all(path.startswith("/api/v1/") and "(?P" not in path for path in paths)


def test_every_quoted_management_command_exists():
    commands = get_commands()
    quotes = quoted(r"manage\.py\s+([a-z_]+)")
    assert quotes, "the docs quote management commands"
    missing = {(doc, name) for doc, name in quotes if name not in commands}
    assert not missing


def test_every_quoted_bench_and_docs_tool_script_exists():
    quotes = quoted(r"python\s+((?:bench|docs/tools)/[\w/]+\.py)")
    assert any(path.startswith("bench/") for _doc, path in quotes)
    missing = {(doc, path) for doc, path in quotes if not (ROOT / path).is_file()}
    assert not missing


def test_every_quoted_make_target_exists():
    targets = makefile_targets()
    quotes = quoted(r"(?:^|[ \t(])make[ \t]+([a-z][\w-]*)")
    assert quotes
    missing = {(doc, target) for doc, target in quotes if target not in targets}
    assert not missing


def test_the_openapi_schema_describes_every_api_route():
    tool = load_tool("endpoints")
    if not tool.uses_openapi():
        pytest.skip("no OpenAPI schema in this project (drf-spectacular not installed)")

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    def served_by_the_api(path: str) -> bool:
        # the schema's own pages describe the API, and the catch-all answers unknown paths with a JSON 404
        return not path.startswith("/api/v1/schema/") and ".*" not in path

    documented = {(m, shape(p)) for m, p, _v, _w in tool.endpoint_rows()}
    routed = {(m, shape(p)) for m, p, _v, _w in tool.resolver_rows() if served_by_the_api(p)}
    assert documented == routed


def test_every_repository_path_quoted_in_the_cahier_and_runbooks_exists():
    quoted_paths = set()
    for name in ("cahier-des-charges.md", "runbook.md", "runbook.fr.md"):
        for code in quoted_code((DOCS / name).read_text(encoding="utf-8")):
            if re.fullmatch(r"[a-z_]+/[\w./-]+", code) and not code.startswith("../"):
                quoted_paths.add((name, code))
    assert quoted_paths
    missing = {(doc, p) for doc, p in quoted_paths if not ((ROOT / p).exists() or (DOCS / p).exists())}
    assert not missing
