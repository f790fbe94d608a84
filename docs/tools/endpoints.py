"""The REST API's endpoint table for docs/cahier-des-charges.md, generated from the code.

Source: the OpenAPI schema (drf-spectacular, served at ``/api/v1/schema/``) when the project installs
it, otherwise Django's URL resolver; both read "who may call" from each view's permission classes.

``python docs/tools/endpoints.py`` prints the Markdown table; ``--write`` replaces the block between
the ``<!-- BEGIN endpoints -->`` / ``<!-- END endpoints -->`` markers of the cahier des charges;
``--check`` exits 1 when that block differs from what the code gives now (tests/docs does the same).
Each row: HTTP methods, path, view, and who may call it (read from the view's permission classes).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "cahier-des-charges.md"
BEGIN, END = "<!-- BEGIN endpoints -->", "<!-- END endpoints -->"
API_PREFIX = "/api/v1/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Who may call, in French, per permission class name (the classes of swingtrade/accounts/permissions.py
# and DRF's). Several classes on one view all apply; the most restrictive wins.
WHO = {
    "AllowAny": (0, "public (sans jeton)"),
    "IsAuthenticated": (1, "tout utilisateur connecté"),
    "IsInvestor": (1, "tout utilisateur connecté"),
    "ReadAuthenticatedWriteAdmin": (2, "lecture : connecté ; écriture : admin"),
    "IsOwner": (3, "propriétaire seulement (sinon 404)"),
    "IsAnalyst": (4, "analyste, admin"),
    "IsAdmin": (5, "admin"),
}


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.test")
    import django

    django.setup()


def _route(prefix: str, pattern) -> str:
    text = prefix + str(pattern.pattern)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)  # router regexes: (?P<pk>[^/.]+)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.replace("^", "").replace("$", "").replace("\\.", ".")


def _walk(resolver, prefix: str = "/"):
    from django.urls import URLPattern, URLResolver

    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, _route(prefix, entry))
        elif isinstance(entry, URLPattern):
            yield _route(prefix, entry), entry.callback


def _methods_and_class(callback) -> tuple[list[str], type | None]:
    actions = getattr(callback, "actions", None)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if actions:
        methods = [m for m in HTTP_METHODS if m in actions]
    elif view_class is not None:
        methods = [m for m in HTTP_METHODS if hasattr(view_class, m)]
    else:
        methods = ["get"]
    return [m.upper() for m in methods], view_class


def _who(view_class: type | None) -> str:
    if view_class is None:
        return "—"
    classes = getattr(view_class, "permission_classes", None)
    if classes is None:
        return "—"
    if not classes:
        return WHO["AllowAny"][1]
    ranked = [WHO.get(c.__name__, (1, c.__name__)) for c in classes]
    return max(ranked)[1]


def uses_openapi() -> bool:
    _setup_django()
    from django.apps import apps

    return apps.is_installed("drf_spectacular")


def _openapi_rows() -> list[tuple[str, str, str, str]]:
    """(methods, path, view, who) per path of the OpenAPI schema, the view found by resolving the path."""
    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    # drf-spectacular prints its guesses about plain APIViews on stderr; the table does not depend on them.
    with contextlib.redirect_stderr(io.StringIO()):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    rows = []
    for path, item in schema["paths"].items():
        methods = [m.upper() for m in HTTP_METHODS if m in item]
        probe = re.sub(r"\{[^}]+\}", "1", path)  # every path parameter here is an id or a symbol
        callback = resolve(probe).func
        _methods, view_class = _methods_and_class(callback)
        name = view_class.__name__ if view_class is not None else callback.__name__
        rows.append((" ".join(methods), path, name, _who(view_class)))
    return sorted(set(rows), key=lambda r: (r[1], r[0]))


def endpoint_rows() -> list[tuple[str, str, str, str]]:
    """(methods, path, view, who) for every route under /api/v1/, sorted by path."""
    if uses_openapi():
        return _openapi_rows()
    return resolver_rows()


def resolver_rows() -> list[tuple[str, str, str, str]]:
    """The same rows read from Django's URL resolver."""
    _setup_django()
    from django.urls import get_resolver

    rows = []
    for path, callback in _walk(get_resolver()):
        if not path.startswith(API_PREFIX):
            continue
        methods, view_class = _methods_and_class(callback)
        name = view_class.__name__ if view_class is not None else callback.__name__
        actions = getattr(callback, "actions", None)
        if actions:
            name += " (" + ", ".join(sorted(set(actions.values()))) + ")"
        rows.append((" ".join(methods), path, name, _who(view_class)))
    return sorted(set(rows), key=lambda r: (r[1], r[0]))


def endpoint_table() -> str:
    lines = ["| méthodes | chemin | vue | qui peut appeler |", "| --- | --- | --- | --- |"]
    lines += [f"| {m} | `{p}` | `{v}` | {w} |" for m, p, v, w in endpoint_rows()]
    return "\n".join(lines)


def documented_table(text: str) -> str:
    """The table currently between the markers of ``text``."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="update docs/cahier-des-charges.md")
    group.add_argument("--check", action="store_true", help="exit 1 when the documented table is stale")
    args = parser.parse_args(argv)
    table = endpoint_table()
    if args.write or args.check:
        text = DOC.read_text(encoding="utf-8")
        if args.check:
            if documented_table(text) != table:
                print(f"{DOC} lists other endpoints than the code: run {__file__} --write", file=sys.stderr)
                return 1
            print("endpoint table up to date")
            return 0
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")
        print(f"wrote {len(table.splitlines()) - 2} endpoints into {DOC}")
        return 0
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
