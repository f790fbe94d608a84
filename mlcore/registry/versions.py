"""The model registry: artefacts with their sha256, the champion, promotion, rejection and rollback.

When to promote is decided by :mod:`mlcore.evaluation.promotion`; this module records the change.

Every status change goes through this module and writes a :class:`RegistryEvent` (who, why, numbers),
so the history of which model served when can always be reconstructed. An artefact whose file is
missing or whose sha256 differs from the one recorded at training is refused, logged, and its version
rejected: it never serves predictions.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mlcore.models import ModelVersion, RegistryEvent
from swingtrade.errors import Conflict, DomainError, NotFound, ServiceUnavailable

if TYPE_CHECKING:  # the registry stores any bundle; training, a higher layer, defines it
    from mlcore.training.scoring import ModelBundle

logger = logging.getLogger("swingtrade.mlcore.registry")

Status = ModelVersion.Status
Action = RegistryEvent.Action


class ArtefactInvalid(ServiceUnavailable):
    """The artefact file is missing or was changed after training."""


def artefact_dir() -> Path:
    path = Path(settings.MODEL_ARTIFACT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def artefact_save(bundle: ModelBundle, *, name: str) -> tuple[str, str]:
    """Write ``bundle`` with joblib under ``MODEL_ARTIFACT_DIR``; return (file name, sha256)."""
    path = artefact_dir() / f"{name}.joblib"
    joblib.dump(bundle, path, compress=3)
    return path.name, file_sha256(path)


def artefact_path(version: ModelVersion) -> Path:
    path = Path(version.artefact_path)
    return path if path.is_absolute() else artefact_dir() / path


def artefact_problem(version: ModelVersion) -> str | None:
    """Why the artefact cannot be trusted, or None when the file is there and its sha256 matches."""
    if not version.artefact_path or not version.artefact_sha256:
        return "no artefact was recorded"
    path = artefact_path(version)
    if not path.is_file():
        return f"artefact file {path.name} is missing"
    actual = file_sha256(path)
    if actual != version.artefact_sha256:
        recorded = version.artefact_sha256
        return f"artefact {path.name} sha256 {actual[:12]}… differs from the recorded {recorded[:12]}…"
    return None


def _log(
    version: ModelVersion, action: str, *, before: str, user: Any, reason: str, details: dict | None = None
) -> RegistryEvent:
    event = RegistryEvent.objects.create(
        model_version=version,
        action=action,
        from_status=before,
        to_status=version.status,
        actor=user if getattr(user, "is_authenticated", False) else None,
        reason=reason,
        details=details or {},
    )
    logger.info(
        "model registry event",
        extra={"model_version": version.pk, "action": action, "from": before, "to": version.status},
    )
    return event


def _set_status(
    version: ModelVersion, status: str, *, action: str, user: Any, reason: str, details=None
) -> None:
    before = version.status
    version.status = status
    version.status_reason = reason
    fields = ["status", "status_reason"]
    if status == Status.CHAMPION:
        version.promoted_by = user if getattr(user, "is_authenticated", False) else None
        version.promoted_at = timezone.now()
        fields += ["promoted_by", "promoted_at"]
    version.save(update_fields=fields)
    _log(version, action, before=before, user=user, reason=reason, details=details)


def record_trained(version: ModelVersion, *, user: Any) -> None:
    _log(version, Action.TRAINED, before="", user=user, reason="Trained by walk-forward; candidate.")


def load_bundle(version: ModelVersion) -> ModelBundle:
    """The fitted model of ``version``, after checking its sha256; a bad artefact is rejected and refused."""
    problem = artefact_problem(version)
    if problem is None:
        return joblib.load(artefact_path(version))
    logger.error("model artefact refused", extra={"model_version": version.pk, "problem": problem})
    with transaction.atomic():
        locked = ModelVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != Status.REJECTED:
            _set_status(locked, Status.REJECTED, action=Action.ARTEFACT_INVALID, user=None, reason=problem)
    version.refresh_from_db()
    raise ArtefactInvalid(
        f"Model version {version.pk} cannot serve: {problem}. Roll back or retrain.",
        details={"model_version": version.pk, "problem": problem},
    )


def champion() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=Status.CHAMPION).first()


def get_version(pk: int) -> ModelVersion:
    try:
        return ModelVersion.objects.get(pk=pk)
    except ModelVersion.DoesNotExist:
        raise NotFound(f"Model version {pk} does not exist.")


def _required_reason(reason: str | None, *, what: str) -> str:
    """Champion changes are always explained: a blank reason is refused before anything is locked."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(f"Give the reason for the {what}.")
    return reason


@transaction.atomic
def promote(version: ModelVersion, *, user: Any, reason: str, details: dict | None = None) -> ModelVersion:
    """Make ``version`` the champion (the previous one is retired); both changes are logged.

    Used by the automatic rule after it decided, and by administrators by hand (admin action, API).
    The artefact is verified first: a version that cannot serve never becomes champion.
    """
    reason = _required_reason(reason, what="promotion")
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == Status.CHAMPION:
        raise Conflict(f"Model version {version.pk} is already the champion.")
    problem = artefact_problem(version)
    if problem is not None:
        raise Conflict(f"Model version {version.pk} cannot be promoted: {problem}.")
    current = ModelVersion.objects.select_for_update().filter(status=Status.CHAMPION).first()
    if current is not None:
        _set_status(
            current,
            Status.RETIRED,
            action=Action.RETIRED,
            user=user,
            reason=f"Replaced by version {version.pk}: {reason}",
        )
    _set_status(
        version,
        Status.CHAMPION,
        action=Action.PROMOTED,
        user=user,
        reason=reason,
        details={"previous_champion": current.pk if current else None, **(details or {})},
    )
    return version


@transaction.atomic
def reject(version: ModelVersion, *, user: Any, reason: str, details: dict | None = None) -> ModelVersion:
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == Status.CHAMPION:
        raise Conflict("The champion cannot be rejected; roll back first.")
    _set_status(version, Status.REJECTED, action=Action.REJECTED, user=user, reason=reason, details=details)
    return version


@transaction.atomic
def rollback(*, user: Any, reason: str) -> ModelVersion:
    """Restore the most recent earlier champion whose artefact verifies; retire the current one if any.

    Also works when no champion is serving (e.g. its artefact was refused and it was rejected): the
    restored version then simply becomes the champion. Every change is logged with who and why.
    """
    reason = _required_reason(reason, what="rollback")
    current = ModelVersion.objects.select_for_update().filter(status=Status.CHAMPION).first()
    # Retired versions are former champions (only a champion is ever retired); newest promotion first.
    previous_ids = RegistryEvent.objects.filter(
        action=Action.PROMOTED, model_version__status=Status.RETIRED
    ).order_by("-created_at", "-id")
    if current is not None:
        previous_ids = previous_ids.exclude(model_version=current)
    problems: dict[int, str] = {}
    for candidate_id in dict.fromkeys(previous_ids.values_list("model_version_id", flat=True)):
        previous = ModelVersion.objects.select_for_update().get(pk=candidate_id)
        problem = artefact_problem(previous)
        if problem is None:
            break
        problems[candidate_id] = problem
    else:
        raise Conflict(
            "No earlier champion with an intact artefact to roll back to: retrain.",
            details={"refused": problems} if problems else None,
        )
    if current is not None:
        _set_status(
            current,
            Status.RETIRED,
            action=Action.ROLLED_BACK,
            user=user,
            reason=f"Rolled back to version {previous.pk}: {reason}",
        )
        restored_reason = f"Restored by rollback from version {current.pk}: {reason}"
    else:
        restored_reason = f"Restored by rollback (no champion was serving): {reason}"
    _set_status(
        previous,
        Status.CHAMPION,
        action=Action.PROMOTED,
        user=user,
        reason=restored_reason,
        details={"rollback_from": current.pk if current else None, "skipped": problems},
    )
    return previous
