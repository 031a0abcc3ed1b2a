"""Filters of the maintenance-task list: by service, frequency, segment, audit flag, text."""

import django_filters
from django.db.models import Q

from tierdesk.catalog.models import MaintenanceTask, Segment, Service

FREQUENCY_CHOICES = [
    ("DAILY", "Daily"), ("WEEKLY", "Weekly"), ("MONTHLY", "Monthly"),
    ("QUARTERLY", "Quarterly"), ("YEARLY", "Yearly"),
]
# Quarterly is stored as FREQ=MONTHLY;INTERVAL=3 (see MaintenanceTask.frequency).
_QUARTERLY = r"INTERVAL=3(;|$)"


class MaintenanceTaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search")
    service = django_filters.ModelChoiceFilter(queryset=Service.objects.all())
    frequency = django_filters.ChoiceFilter(
        choices=FREQUENCY_CHOICES, method="filter_frequency", label="Frequency"
    )
    segment = django_filters.ModelChoiceFilter(
        queryset=Segment.objects.all(), method="filter_segment",
        label="Applies to segment",
    )
    is_audit = django_filters.BooleanFilter(label="Audit task")

    class Meta:
        model = MaintenanceTask
        fields = ["q", "service", "frequency", "segment", "is_audit"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(checklist__icontains=value))

    def filter_frequency(self, queryset, name, value):
        if value == "QUARTERLY":
            return queryset.filter(rrule__icontains="FREQ=MONTHLY", rrule__iregex=_QUARTERLY)
        queryset = queryset.filter(rrule__icontains=f"FREQ={value}")
        if value == "MONTHLY":
            queryset = queryset.exclude(rrule__iregex=_QUARTERLY)
        return queryset

    def filter_segment(self, queryset, name, value):
        # A task with no segments applies to every segment, so it matches any segment.
        return queryset.filter(Q(segments=value) | Q(segments__isnull=True)).distinct()
