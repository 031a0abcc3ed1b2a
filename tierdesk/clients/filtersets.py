"""Filters of the client and agreement lists (django-filter)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from tierdesk.catalog.models import Segment
from tierdesk.clients.models import Agreement, AgreementStatus, Client
from tierdesk.plans.models import Plan

# What an unset filter reads as (django-filter's default is a row of dashes).
ANY = "Any"
YES_NO_ANY = forms.Select(choices=[("", ANY), ("true", "Yes"), ("false", "No")],
                          attrs={"class": "form-select form-select-sm"})


class ClientFilterSet(django_filters.FilterSet):
    """Search by name, e-mail or phone; filter by segment, current tier and clients having
    an agreement in a status (e.g. sent). Expects the annotated selectors.client_list."""

    q = django_filters.CharFilter(method="search", label="Search")
    segment = django_filters.ModelChoiceFilter(queryset=Segment.objects.all(), empty_label=ANY)
    tier = django_filters.ModelChoiceFilter(
        queryset=Plan.objects.all(), field_name="current_plan_id", label="Current tier",
        method="filter_tier", empty_label=ANY,
    )
    status = django_filters.ChoiceFilter(
        choices=AgreementStatus.choices, method="filter_status", label="Has an agreement",
        empty_label=ANY,
    )
    is_active = django_filters.BooleanFilter(label="Active client", widget=YES_NO_ANY)
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("segment__name", "segment"), ("current_tier", "tier"),
                ("current_status", "status"), ("created_at", "created")),
    )

    class Meta:
        model = Client
        fields = ["q", "segment", "tier", "status", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(billing_email__icontains=value)
            | Q(phone__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(Agreement.objects.filter(client=OuterRef("pk"), status=value)))

    def filter_tier(self, queryset, name, value):
        return queryset.filter(current_plan_id=value.pk) if value else queryset


class AgreementFilterSet(django_filters.FilterSet):
    """Search by client name; filter by status, tier and client."""

    q = django_filters.CharFilter(field_name="client__name", lookup_expr="icontains",
                                  label="Client")
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices, empty_label=ANY)
    tier = django_filters.ModelChoiceFilter(queryset=Plan.objects.all(),
                                            field_name="plan_version__plan", label="Tier",
                                            empty_label=ANY)
    ordering = django_filters.OrderingFilter(
        fields=(("start_date", "start"), ("client__name", "client"),
                ("plan_version__plan__rank", "tier"), ("status", "status")),
        label="Sort by", empty_label="Newest start first",
    )

    class Meta:
        model = Agreement
        fields = ["q", "status", "tier"]
