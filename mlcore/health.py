"""Health check of the serving model, registered on ``/healthz`` from ``MlcoreConfig.ready``."""

from __future__ import annotations

from swingtrade.health import CheckResult


def check_champion() -> CheckResult:
    from mlcore.registry import versions as registry

    version = registry.champion()
    if version is None:
        return CheckResult(False, {"detail": "no champion model; rankings answer 503"})
    problem = registry.artefact_problem(version)
    detail = {
        "model_version": version.pk,
        "algorithm": version.algorithm,
        "trained_until": str(version.train_end),
    }
    if problem:
        return CheckResult(False, {**detail, "detail": problem})
    return CheckResult(True, detail)
