"""Signals other apps listen to (mlcore recomputes predictions when new prices land)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent with ``sender=IngestionRun`` and ``run=<the run>`` after the commit of a run that wrote rows.
ingestion_succeeded = Signal()
