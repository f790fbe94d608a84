"""Domain errors raised by services; the API maps each to its HTTP status with the message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the service refuses for a reason the caller can act on."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


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
