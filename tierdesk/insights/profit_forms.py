"""Forms of the cost model page and the price designer. They only render and carry the raw
values: the services (costs.py, pricing.py) validate, and their errors, which name the
field, are put back on the form (`errors_into`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from tierdesk.catalog.models import Segment, Service
from tierdesk.core.models import STAFF_ROLES, User
from tierdesk.insights.costs import COST_MODEL_FIELDS
from tierdesk.insights.models import COST_ROLES, CostModel
from tierdesk.insights.pricing import DEFAULTS
from tierdesk.plans.models import Plan, PlanVersion

SMALL = {"class": "form-control form-control-sm"}


def _amount_field(label: str, help_text: str = "", required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.TextInput(attrs={**SMALL, "inputmode": "decimal"}))


def errors_into(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, each message on the field it names."""
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class CostModelForm(forms.Form):
    """The cost model, the rate of each role and each person's own rate."""

    default_hourly_cost = _amount_field("Default loaded cost per hour", required=True)
    mileage_cost_per_drive_minute = _amount_field(
        "Mileage cost per drive minute", "Per km × 1 at an assumed 60 km/h.", required=True)
    outsourced_fee_per_ticket = _amount_field("Outsourced help desk: fee per ticket")
    outsourced_fee_per_month = _amount_field("Outsourced help desk: fee per client a month")

    def __init__(self, *args, cost_model: CostModel, role_rates: dict, person_rates: dict,
                 **kwargs):
        initial = {name: getattr(cost_model, name) for name in COST_MODEL_FIELDS}
        initial.update({f"role_{role}": rate for role, rate in role_rates.items()})
        initial.update({f"person_{pk}": rate for pk, rate in person_rates.items()})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for role in COST_ROLES:
            self.fields[f"role_{role}"] = _amount_field(
                f"{role.label} (role default)", "Empty: the default loaded cost.")
        self.people = list(User.objects.filter(role__in=STAFF_ROLES, is_active=True)
                           .order_by("role", "username"))
        for person in self.people:
            self.fields[f"person_{person.pk}"] = _amount_field(
                f"{person.get_full_name() or person.username} ({person.get_role_display()})",
                "Empty: the role's rate.")

    def service_arguments(self) -> dict:
        data = self.data
        return {
            **{name: data.get(name, "") for name in COST_MODEL_FIELDS},
            "role_rates": {role.value: data.get(f"role_{role}", "") for role in COST_ROLES},
            "person_rates": {p.pk: data.get(f"person_{p.pk}", "") for p in self.people},
        }

    def role_fields(self):
        return [self[f"role_{role}"] for role in COST_ROLES]

    def person_fields(self):
        return [self[f"person_{p.pk}"] for p in self.people]


class ToolCostForm(forms.Form):
    name = forms.CharField(label="Tool", max_length=100, required=False,
                           widget=forms.TextInput(attrs=SMALL))
    monthly_cost_per_device = _amount_field("Cost per device a month")
    plans = forms.ModelMultipleChoiceField(
        Plan.objects.order_by("rank"), required=False, label="Tiers (none = every tier)",
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm"}))
    services = forms.ModelMultipleChoiceField(
        Service.objects.order_by("kind", "position", "name"), required=False,
        label="Only where the tier covers (none = always)",
        widget=forms.SelectMultiple(attrs={"class": "form-select form-select-sm"}))


class FloorsForm(forms.Form):
    """One margin floor per tier; empty = the default."""

    def __init__(self, *args, floors: dict, default, **kwargs):
        kwargs.setdefault("initial", {f"floor_{pk}": value for pk, value in floors.items()})
        super().__init__(*args, **kwargs)
        self.plans = list(Plan.objects.order_by("rank"))
        for plan in self.plans:
            self.fields[f"floor_{plan.pk}"] = _amount_field(
                f"{plan.name} floor (%)", f"Empty: the default, {default}%.")

    def floors(self) -> dict:
        return {plan.pk: self.data.get(f"floor_{plan.pk}", "") for plan in self.plans}


class PriceDesignForm(forms.Form):
    """What-if inputs of the price designer (blank = the default shown)."""

    plan_version = forms.ModelChoiceField(
        PlanVersion.objects.select_related("plan").order_by("plan__rank", "-number"),
        label="Tier version", widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    segment = forms.ModelChoiceField(Segment.objects.order_by("position", "name"),
                                     label="Segment",
                                     widget=forms.Select(attrs={"class": "form-select "
                                                                         "form-select-sm"}))
    users = _amount_field("Users")
    devices = _amount_field("Devices")
    drive_minutes = _amount_field("Drive minutes (one way)")
    margin_target = _amount_field("Margin target (%)")
    helpdesk_sessions_per_user = _amount_field("Help-desk sessions per user a month",
                                               "Used when history is short.")
    breakfix_minutes_per_device = _amount_field("Break-fix minutes per device a month",
                                                "Used when history is short.")
    onsite_visits_per_month = _amount_field("On-site visits a month",
                                            "Used when history is short.")
    hourly_cost = _amount_field("Loaded cost per hour", "Empty: the technicians' average.")
    use_assumptions = forms.BooleanField(required=False,
                                         label="Use my assumptions even with history")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in DEFAULTS.items():
            self.fields[name].widget.attrs["placeholder"] = str(value)
