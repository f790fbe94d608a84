"""No market rule reads the wall clock: every "today" of market/, mlcore/ and portfolio/ is market.clock's.

An AST scan of every module of those apps (migrations excepted) for ``date.today()``,
``datetime.now()/utcnow()/today()`` and ``timezone.now()/localdate()/localtime()``. A read is allowed
only where it is record keeping, not a market rule:

- its value lands directly in a field, keyword or dict key named ``*_at`` (``finished_at=timezone.now()``,
  ``job.started_at = timezone.now()``, ``{"trained_at": ...}``): a timestamp of when something happened;
- or its module and function are in ``ALLOWED`` below, each with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("market", "mlcore", "portfolio")
WALL_CLOCK_CALLS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
}
# (module path, enclosing function) → why reading the wall clock there is not a market rule.
ALLOWED = {
    # The clock itself: its live mode is the one wall-clock read of market logic.
    ("market/clock.py", "_wall_clock"): "the market clock's live mode",
    # A file name for a model artefact: unique per save, says nothing about markets.
    ("mlcore/training/services.py", "train_scored"): "artefact file name stamp",
    # Ingestion runs stuck in "running" longer than two task time limits are marked failed: worker
    # health, measured in real elapsed time.
    ("market/ingest/__init__.py", "fail_interrupted_runs"): "stuck-run cut-off in real elapsed time",
    # The revision rows' ``changed_at``, passed as a raw SQL parameter.
    ("market/ingest/writers.py", "_merge_stage"): "changed_at of bar revisions",
    # Alerts are de-duplicated over a window of real hours (operators' inbox, not the market).
    ("mlcore/monitoring/alerts.py", "*"): "alert de-duplication window in real hours",
    # An admin's gate override lasts N real hours from the moment it is granted; the gate reads the
    # wall clock only to know whether such an override is still active.
    ("mlcore/monitoring/gate.py", "gate_override_create"): "override lifetime in real hours",
    ("mlcore/monitoring/gate.py", "gate_state"): "override lifetime in real hours",
    # A cached ranking lives no longer than an active override (real hours).
    ("mlcore/serving/cache.py", "_seconds_until"): "override lifetime in real hours",
    ("mlcore/monitoring/models.py", "is_active"): "override lifetime in real hours",
    ("mlcore/monitoring/selectors.py", "active_override"): "override lifetime in real hours",
}


def _is_wall_clock(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
    if owner_name == "timezone" and func.attr in ("localdate", "localtime") and (call.args or call.keywords):
        return False  # converting a given moment to local time reads no clock
    return (owner_name, func.attr) in WALL_CLOCK_CALLS


def _timestamp_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _record_keeping(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
    """True when the call's value is stored straight into a ``*_at`` field, keyword or key."""
    node: ast.AST = call
    parent = parents.get(node)
    # ``now().isoformat()``, ``now() - delta``: still the same timestamp.
    while isinstance(parent, ast.Attribute | ast.BinOp) or (
        isinstance(parent, ast.Call) and parent.func is node
    ):
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        return (parent.arg or "").endswith("_at")
    if isinstance(parent, ast.Tuple) and isinstance(parents.get(parent), ast.Assign):
        assign = parents[parent]
        position = parent.elts.index(node)
        return any(
            isinstance(t, ast.Tuple)
            and len(t.elts) == len(parent.elts)
            and (_timestamp_name(t.elts[position]) or "").endswith("_at")
            for t in assign.targets
        )
    if isinstance(parent, ast.Assign | ast.AnnAssign):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return any((_timestamp_name(t) or "").endswith("_at") for t in targets)
    if isinstance(parent, ast.Dict):
        for key, value in zip(parent.keys, parent.values, strict=True):
            if value is node:
                return (_timestamp_name(key) or "").endswith("_at")
    return False


def _enclosing_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
    return "<module>"


def wall_clock_reads(source: str, path: str) -> list[str]:
    """``path:line function`` of every wall-clock read that is neither record keeping nor allowed."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_wall_clock(node)):
            continue
        function = _enclosing_function(node, parents)
        if (path, function) in ALLOWED or (path, "*") in ALLOWED or _record_keeping(node, parents):
            continue
        found.append((node.lineno, f"{path}:{node.lineno} in {function}()"))
    return [text for _, text in sorted(found)]


def _modules():
    for app in APPS:
        for file in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in file.parts:
                yield file


def test_no_market_rule_reads_the_wall_clock():
    offenders = []
    for file in _modules():
        offenders += wall_clock_reads(file.read_text(), file.relative_to(ROOT).as_posix())
    assert not offenders, "Ask market.clock for the market date instead:\n" + "\n".join(offenders)


def test_the_scan_finds_a_market_rule_on_the_wall_clock():
    source = (
        "import datetime as dt\nfrom django.utils import timezone\n"
        "def is_expired(p):\n    return p.valid_until < timezone.localdate()\n"
        "def as_of():\n    return dt.date.today()\n"
        "def local(moment):\n    return timezone.localdate(moment)\n"
    )
    assert wall_clock_reads(source, "portfolio/x.py") == [
        "portfolio/x.py:4 in is_expired()",
        "portfolio/x.py:6 in as_of()",
    ]


def test_the_scan_lets_record_keeping_timestamps_through():
    source = (
        "from django.utils import timezone\n"
        "def finish(run, job):\n"
        "    run.finished_at = timezone.now()\n"
        "    job.status, job.started_at = 'running', timezone.now()\n"
        "    Row.objects.update(revoked_at=timezone.now())\n"
        "    meta = {'trained_at': timezone.now().isoformat()}\n"
    )
    assert wall_clock_reads(source, "mlcore/x.py") == []
