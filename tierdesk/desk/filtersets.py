"""Filters of the staff queue (django-filter)."""

import django_filters
from django import forms

from tierdesk.clients.models import Client
from tierdesk.desk.forms import QuickSelect
from tierdesk.desk.models import Ticket, TicketStatus
from tierdesk.desk.selectors import BREACHED, open_only, workers
from tierdesk.plans.models import Plan, PlanVersion, Priority

ANY = "Any"
YES_NO_ANY = QuickSelect(choices=[("", ANY), ("true", "Yes"), ("false", "No")])


class TicketFilterSet(django_filters.FilterSet):
    """Client, tier, status, priority, assignee, breached, outside entitlement, no agreement.
    Without a status filter the queue shows open tickets only."""

    client = django_filters.ModelChoiceFilter(queryset=Client.objects.only("id", "name"),
                                              empty_label=ANY)
    tier = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(), method="filter_tier",
                                            empty_label=ANY, label="Tier")
    status = django_filters.ChoiceFilter(choices=TicketStatus.choices, method="filter_status",
                                         empty_label="Open (any)")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label=ANY)
    assignee = django_filters.ModelChoiceFilter(queryset=workers(), empty_label=ANY,
                                                null_label="Unassigned", null_value="none")
    breached = django_filters.BooleanFilter(method="filter_breached", widget=YES_NO_ANY,
                                            label="Breached")
    outside_entitlement = django_filters.BooleanFilter(widget=YES_NO_ANY,
                                                       label="Outside entitlement")
    no_agreement = django_filters.BooleanFilter(field_name="agreement", lookup_expr="isnull",
                                                widget=YES_NO_ANY, label="No agreement")

    class Meta:
        model = Ticket
        fields = ["client", "tier", "status", "priority", "assignee", "breached",
                  "outside_entitlement", "no_agreement"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = QuickSelect(choices=field.choices)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = open_only(queryset)
        return super().filter_queryset(queryset)

    def filter_tier(self, queryset, name, value):
        # By version ids rather than a join, so the queue query stays on desk_ticket.
        if not value:
            return queryset
        return queryset.filter(plan_version_id__in=list(
            PlanVersion.objects.filter(plan=value).values_list("id", flat=True)))

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value) if value else queryset

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(BREACHED) if value else queryset.exclude(BREACHED)
