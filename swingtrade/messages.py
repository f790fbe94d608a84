"""English sentences stored in the database, read in the active language.

Services write their reasons (a rejected price row, a monitoring verdict, an alert's subject) as English
sentences: the record stays readable by operators, logs and the API whatever the reader's language. Each
such sentence is built from a template marked with ``gettext_noop`` (``"Latest bar %(bar)s is ..."``);
:func:`translated` recognises which template wrote a stored sentence, recovers its parameters and renders
the template's translation with them. A parameter that is itself a templated phrase is translated too,
and one that is a plain number, percentage or ISO date is written the language's way (``-0,0500``,
``40 %``, ``14/04/2021`` in French), with the decimals it was stored with. A sentence no template wrote
(older records, free text) is shown as stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cache

from django.utils import formats, translation
from django.utils.translation import gettext

from swingtrade.formatting import NARROW_NBSP, format_number

_FIELD = re.compile(r"%\((\w+)\)s")
_NUMBER = re.compile(r"(?P<number>[-−+]?\d+(?:\.(?P<decimals>\d+))?)(?P<percent>%?)\Z")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _localised(value: str) -> str:
    """A stored number, percentage or ISO date as the active language writes it; anything else as is."""
    if (translation.get_language() or "en").startswith("en"):
        return value  # the record's own language and form
    if _ISO_DATE.match(value):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    match = _NUMBER.match(value)
    if match is None:
        return value
    decimals = len(match["decimals"] or "")
    number = match["number"]
    text = format_number(float(number.replace("−", "-")), decimals, signed=number.startswith("+"))
    return f"{text}{NARROW_NBSP}%" if match["percent"] else text


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
            params = {
                name: _localised(translated(value, templates)) for name, value in match.groupdict().items()
            }
            return gettext(template) % params
    return text
