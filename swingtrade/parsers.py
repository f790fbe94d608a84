"""The API's JSON parser: DRF's, plus a refusal of over-deep nesting and NUL characters (issue 12).

Its own module because DRF reads ``DEFAULT_PARSER_CLASSES`` while ``rest_framework.views`` is imported,
which swingtrade/api.py itself imports.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: Deepest nesting of arrays/objects a JSON body may have: no endpoint takes more than a few levels.
MAX_JSON_DEPTH = 32


def _json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iterative: a hostile body cannot exhaust the stack)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _holds_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus the two inputs the database or the interpreter cannot take.

    ``[`` × 100,000 exhausts Python's recursion limit inside ``json.loads`` (a RecursionError, not a
    ValueError, so DRF let it through as a 500); a NUL character is refused by PostgreSQL text columns.
    Both are the client's fault: 400 with the usual error body.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        if _json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        if _holds_nul(data):
            raise ParseError("Text may not contain NUL (\\u0000) characters.")
        return data
