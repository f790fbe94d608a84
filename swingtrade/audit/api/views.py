from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.generics import ListAPIView

from swingtrade.accounts.permissions import IsAdmin
from swingtrade.audit.api.serializers import AuditEventSerializer
from swingtrade.audit.models import AuditEvent

FILTERS = ("action", "object_type", "object_id", "actor", "request_id")


class AuditEventListView(ListAPIView):
    """Administrators: every audited write, newest first; filter by ``action``, ``object_type``, ``actor``…"""

    permission_classes = [IsAdmin]
    serializer_class = AuditEventSerializer

    def get_queryset(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.all()
        for name in FILTERS:
            value = self.request.query_params.get(name)
            if value:
                events = events.filter(**{name: value})
        return events
