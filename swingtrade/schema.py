"""The OpenAPI 3 description of the API (drf-spectacular), served with Swagger UI and ReDoc offline
(swingtrade/schema_views.py).

A post-processing hook gives every operation the project's JSON error body for the statuses any endpoint
can answer (bad input, authentication, role, unknown object, too large, throttled/locked out, an
unavailable database or broker); :class:`AutoSchema` appends to every operation's description the roles
that may call it, read from its permission classes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme

ERROR_BODY = {
    "type": "object",
    "description": "The project's error body: a sentence, a code, and per-field messages for invalid input.",
    "properties": {
        "detail": {"type": "string", "example": "Invalid input — quantity: Ensure this value is at least 1."},
        "code": {"type": "string", "example": "invalid"},
        "errors": {"type": "object", "additionalProperties": True},
        "retry_after": {"type": "integer", "description": "Seconds, on a lockout."},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}
ERROR_STATUSES = {
    "400": "Invalid input (fields under `errors`), malformed or over-deep JSON, NUL characters.",
    "401": "No or invalid credentials (JWT bearer token or session).",
    "403": "The caller's role does not allow this endpoint.",
    "404": "No such object, or it belongs to another investor.",
    "405": "Method not allowed on this endpoint.",
    "409": "Conflicts with the current state (e.g. a duplicate name).",
    "413": "Request body over the upload limit.",
    "415": "Unsupported media type.",
    "422": "Well-formed input without a valid answer (e.g. an infeasible optimisation).",
    "429": "Throttled, or logins locked out for this account and address (see Retry-After).",
    "503": "The model gate is closed, or the database or task broker is unavailable: try again.",
}
ROLE_OF_PERMISSION = {
    "AllowAny": "anyone, anonymous included",
    "IsAuthenticated": "investor, analyst, admin",
    "IsInvestor": "investor, analyst, admin",
    "IsAnalyst": "analyst, admin",
    "IsAdmin": "admin",
    "ReadAuthenticatedWriteAdmin": "reads: investor, analyst, admin; writes: admin",
    "IsOwner": "the owner only",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ERROR_BODY
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result


class CachedUserJWTScheme(SimpleJWTScheme):
    """The bearer JWT scheme for the project's cached-user JWT authentication (swingtrade.authentication):
    the same tokens as simplejwt's, so the same security scheme."""

    target_class = "swingtrade.authentication.CachedUserJWTAuthentication"


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, with the roles allowed to call each operation appended to its description."""

    def get_description(self) -> str:
        names = [p.__name__ for p in getattr(self.view, "permission_classes", [])]
        roles = "; ".join(ROLE_OF_PERMISSION[n] for n in names if n in ROLE_OF_PERMISSION)
        description = super().get_description() or ""
        return f"{description}\n\n**Roles:** {roles or 'investor, analyst, admin'}.".strip()


__all__ = ["AutoSchema", "add_error_responses"]
