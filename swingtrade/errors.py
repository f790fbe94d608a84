"""Domain errors raised by services; the API maps each to its HTTP status with the message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# True while a request is being answered (set by swingtrade.web.i18n.SiteLocaleMiddleware): a refusal is then
# read in the request's language. Elsewhere (commands, Celery tasks, logs) it stays in English, the language
# of the code and the operators — even though Django leaves ``LANGUAGE_CODE`` active after ``migrate``.
in_request: ContextVar[bool] = ContextVar("in_request", default=False)


@contextmanager
def read_by_a_user() -> Iterator[None]:
    """Messages read inside are for a user outside a request (the daily digest's e-mail): translated into
    the active language, as on a page."""
    token = in_request.set(True)
    try:
        yield
    finally:
        in_request.reset(token)


def _translated(text: str) -> str:
    """``text`` (an English message marked with ``gettext_noop``) in the language of the current request."""
    if not in_request.get():
        return text
    from django.utils.translation import gettext

    return gettext(text)


class Phrase(str):
    """A word or phrase of a message's ``params`` that is itself translated (a field's label)."""


class DomainError(Exception):
    """A request the service refuses for a reason the caller can act on.

    ``message`` is English; with ``params`` it is a ``%(name)s`` template marked for translation
    (``gettext_noop``), translated when read, so the same refusal reads in French on a page and in
    English in the API, a log or a command.
    """

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, details: Any = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self._message = message
        self._params = params
        self.details = details

    @property
    def message(self) -> str:
        text = _translated(self._message)
        if self._params is None:
            return text
        return text % {k: _translated(v) if isinstance(v, Phrase) else v for k, v in self._params.items()}

    @message.setter
    def message(self, value: str) -> None:
        self._message, self._params = value, None

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Unprocessable(DomainError):
    """Well-formed input that has no valid answer (e.g. an infeasible optimisation)."""

    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(DomainError):
    """A required part is not fit to answer (e.g. the model gate is closed)."""

    status_code = 503
    code = "unavailable"
