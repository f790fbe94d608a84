"""English sentences stored in the database, read in the active language.

Services write their reasons (a rejected price row, a monitoring verdict, an alert's subject) as English
sentences: the record stays readable by operators, logs and the API whatever the reader's language. Each
such sentence is built from a template marked with ``gettext_noop`` (``"Latest bar %(bar)s is ..."``);
:func:`translated` recognises which template wrote a stored sentence, recovers its parameters and renders
the template's translation with them. A parameter that is itself a templated phrase is translated too.
A sentence no template wrote (older records, free text) is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from django.utils.translation import gettext

_FIELD = re.compile(r"%\((\w+)\)s")


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """The regular expression matching what ``template % params`` produces, a group per parameter."""
    parts = _FIELD.split(template)  # literal, name, literal, name, …, literal
    regex = "".join(
        re.escape(part.replace("%%", "%")) if i % 2 == 0 else f"(?P<{part}>.+?)"
        for i, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.DOTALL)


def translated(text: str, templates: Sequence[str]) -> str:
    """``text`` in the active language if one of ``templates`` wrote it, else ``text`` unchanged."""
    for template in templates:
        match = _pattern(template).match(text)
        if match is not None:
            params = {name: translated(value, templates) for name, value in match.groupdict().items()}
            return gettext(template) % params
    return text
