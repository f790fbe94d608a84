"""Template context: the prediction gate, for the banner of ``templates/_gate_banner.html``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mlcore.monitoring import gate


def prediction_gate(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"prediction_gate": gate.gate_state()}
