"""Forms of the tier designer. The form only parses what the owner typed into an
`Entitlements`; `plans.services` validates it, and its errors (keyed by entitlement field)
are put back on the matching form fields by `TierDesignerForm.add_service_errors`.

Row fields are named like the service's error keys: "coverage.<service id>",
"targets.p1.first_response_minutes", "billing.break_fix.hourly_rate".
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from tierdesk.plans.entitlements import Billing, Entitlements, Target
from tierdesk.plans.models import (
    AuditFrequency,
    Channel,
    CoverageLevel,
    Priority,
    SessionCounting,
    TargetKind,
    TravelBilling,
    WorkType,
)

WEEKDAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
            ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"))
WHOLE_DAY = [["00:00", "24:00"]]
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")
_SCALAR_TEXT = ("summary", "channel_instructions", "exclusions", "hours_label")
_SCALAR_NUMBERS = (
    "helpdesk_sessions", "helpdesk_session_minutes", "overage_session_price", "hourly_rate",
    "after_hours_multiplier", "onsite_trip_fee", "hardware_markup_percent", "base_fee",
    "price_per_user", "price_per_device", "approval_threshold",
)
_STEPS = ("first_response_minutes", "onsite_minutes", "resolution_minutes")


def _money(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2, **kwargs)


def _small(widget_class=forms.TextInput, **attrs):
    return widget_class(attrs={"class": "form-control form-control-sm", **attrs})


class TierDesignerForm(forms.Form):
    """Every entitlement of a tier on one page. Build with `services` (the catalog services
    to offer in the coverage table) and `entitlements` (the values to start from)."""

    expected_number = forms.IntegerField(required=False, widget=forms.HiddenInput)
    change_note = forms.CharField(required=False, max_length=200, label="What changed and why")

    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="One paragraph for the comparison sheet.")
    channels = forms.MultipleChoiceField(choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    channel_instructions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Told to a client who asks through a channel the tier does not include.")

    hours_24x7 = forms.BooleanField(required=False, label="24x7 (ignores the weekdays below)")
    hours_tz = forms.CharField(label="Time zone", max_length=64,
                               help_text='IANA name, e.g. "America/New_York".')
    holidays = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Closed dates, YYYY-MM-DD, separated by commas or new lines.")
    holiday_country = forms.CharField(required=False, max_length=2,
                                      help_text='Also close on public holidays of, e.g., "US".')
    holiday_subdiv = forms.CharField(required=False, max_length=10, label="Holiday region",
                                     help_text='e.g. "NY" (optional).')
    hours_label = forms.CharField(required=False, max_length=100,
                                  help_text="Empty: written from the hours.")

    helpdesk_sessions = forms.IntegerField(
        required=False, label="Help-desk sessions a month",
        help_text="Empty = unlimited; 0 = every session billed.")
    helpdesk_session_minutes = forms.IntegerField(label="Minutes per session")
    session_counting = forms.ChoiceField(choices=SessionCounting.choices)
    overage_session_price = _money("Price of an extra session")

    scheduled_maintenance = forms.BooleanField(required=False)
    network_audits = forms.ChoiceField(choices=AuditFrequency.choices)

    hourly_rate = _money("Standard hourly rate")
    after_hours_multiplier = forms.DecimalField(max_digits=4, decimal_places=2)
    onsite_trip_fee = _money("On-site trip fee")
    hardware_markup_percent = forms.DecimalField(max_digits=5, decimal_places=2,
                                                 label="Hardware markup %")
    travel_billing = forms.ChoiceField(choices=TravelBilling.choices,
                                       label="Travel on billable visits")
    approval_threshold = _money(
        "Client approval above", required=False,
        help_text="Out-of-scope work expected to cost more needs an approved estimate; "
                  "empty = never.")

    base_fee = _money("Base fee a month")
    price_per_user = _money("Per user a month")
    price_per_device = _money("Per device a month")
    exclusions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="What the tier never covers, printed on the agreement.")

    def __init__(self, data=None, *, services, entitlements: Entitlements | None = None,
                 expected_number: int | None = None, **kwargs):
        self.services = list(services)
        initial = kwargs.pop("initial", {}) or {}
        if entitlements is not None:
            initial = {**self.initial_from(entitlements), **initial}
        initial["expected_number"] = expected_number
        super().__init__(data, initial=initial, **kwargs)
        for name in _SCALAR_NUMBERS:
            self.fields[name].widget.attrs.setdefault("class", "form-control form-control-sm")
        for day, label in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                required=False, label=label, widget=_small(placeholder="closed"))
        level_choices = [("", "Not covered"), *CoverageLevel.choices]
        for service in self.services:
            self.fields[f"coverage.{service.pk}"] = forms.ChoiceField(
                required=False, choices=level_choices, label=service.name,
                widget=_small(forms.Select))
        kind_choices = [("", "No promise"), *TargetKind.choices]
        for priority in Priority:
            p = priority.value
            self.fields[f"targets.{p}.kind"] = forms.ChoiceField(
                required=False, choices=kind_choices, widget=_small(forms.Select))
            for step in _STEPS:
                self.fields[f"targets.{p}.{step}"] = forms.IntegerField(
                    required=False, widget=_small(forms.NumberInput))
            self.fields[f"targets.{p}.same_day_cutoff"] = forms.TimeField(
                required=False, widget=_small(forms.TimeInput, type="time"))
        state_choices = [("", "No rule (billed, standard rate)"),
                         ("included", "Included"), ("billed", "Billed")]
        for work_type in WorkType:
            w = work_type.value
            self.fields[f"billing.{w}.billable"] = forms.ChoiceField(
                required=False, choices=state_choices, widget=_small(forms.Select))
            self.fields[f"billing.{w}.hourly_rate"] = _money(
                "Rate", required=False, widget=_small(forms.NumberInput, step="0.01"))
            self.fields[f"billing.{w}.note"] = forms.CharField(
                required=False, max_length=200, widget=_small())

    # -- building initial values and reading them back --------------------------------------

    @staticmethod
    def initial_from(ent: Entitlements) -> dict:
        hours = ent.hours or {}
        days = hours.get("hours") or {}
        initial = {name: getattr(ent, name) for name in (*_SCALAR_TEXT, *_SCALAR_NUMBERS)}
        initial |= {
            "channels": list(ent.channels),
            "session_counting": ent.session_counting,
            "travel_billing": ent.travel_billing,
            "scheduled_maintenance": ent.scheduled_maintenance,
            "network_audits": ent.network_audits,
            "hours_24x7": all(days.get(day) == WHOLE_DAY for day, _ in WEEKDAYS),
            "hours_tz": hours.get("tz", ""),
            "holidays": ", ".join(hours.get("holidays") or []),
            "holiday_country": hours.get("holiday_country") or "",
            "holiday_subdiv": hours.get("holiday_subdiv") or "",
        }
        for day, _ in WEEKDAYS:
            initial[f"hours_{day}"] = ", ".join(f"{a}-{b}" for a, b in days.get(day) or [])
        for sid, level in ent.coverage.items():
            initial[f"coverage.{sid}"] = level
        for p, target in ent.targets.items():
            initial[f"targets.{p}.kind"] = target.kind
            initial[f"targets.{p}.same_day_cutoff"] = target.same_day_cutoff
            for step in _STEPS:
                initial[f"targets.{p}.{step}"] = getattr(target, step)
        for w, rule in ent.billing.items():
            initial[f"billing.{w}.billable"] = "billed" if rule.billable else "included"
            initial[f"billing.{w}.hourly_rate"] = rule.hourly_rate
            initial[f"billing.{w}.note"] = rule.note
        return initial

    def clean(self):
        data = super().clean()
        for day, _ in WEEKDAYS:
            try:
                data[f"hours_{day}"] = _parse_intervals(data.get(f"hours_{day}") or "")
            except ValidationError as exc:
                self.add_error(f"hours_{day}", exc)
        return data

    def to_entitlements(self) -> Entitlements:
        """The Entitlements the owner entered (call after is_valid())."""
        d = self.cleaned_data
        hours = {
            "tz": d["hours_tz"].strip(),
            "hours": {day: WHOLE_DAY if d["hours_24x7"] else d[f"hours_{day}"]
                      for day, _ in WEEKDAYS},
            "holidays": [h for h in re.split(r"[\s,;]+", d["holidays"]) if h],
        }
        if d["holiday_country"].strip():
            hours["holiday_country"] = d["holiday_country"].strip().upper()
            if d["holiday_subdiv"].strip():
                hours["holiday_subdiv"] = d["holiday_subdiv"].strip().upper()
        targets = {}
        for priority in Priority.values:
            kind = d[f"targets.{priority}.kind"]
            if kind:
                targets[priority] = Target(
                    kind=kind, same_day_cutoff=d[f"targets.{priority}.same_day_cutoff"],
                    **{step: d[f"targets.{priority}.{step}"] for step in _STEPS})
        billing = {}
        for w in WorkType.values:
            state = d[f"billing.{w}.billable"]
            if state:
                billing[w] = Billing(billable=state == "billed",
                                     hourly_rate=d[f"billing.{w}.hourly_rate"],
                                     note=d[f"billing.{w}.note"].strip())
        return Entitlements(
            **{name: d[name] for name in (*_SCALAR_TEXT, *_SCALAR_NUMBERS)},
            channels=d["channels"], hours=hours, session_counting=d["session_counting"],
            travel_billing=d["travel_billing"], scheduled_maintenance=d["scheduled_maintenance"],
            network_audits=d["network_audits"],
            coverage={s.pk: d[f"coverage.{s.pk}"] for s in self.services
                      if d[f"coverage.{s.pk}"]},
            targets=targets, billing=billing,
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (else on the form)."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for key, messages in exc.message_dict.items():
            for message in messages:
                field = self._field_for(key, message)
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
                elif field in self.fields:
                    self.errors[field].append(message)
                else:
                    self.add_error(None, message if key == "__all__" else f"{key}: {message}")

    def _field_for(self, key: str, message: str) -> str:
        if key == "hours":
            head = message.split(":", 1)[0]
            if head == "tz":
                return "hours_tz"
            if head.startswith("hours.") and head[6:9] in dict(WEEKDAYS):
                return f"hours_{head[6:9]}"
            if head in ("holidays", "holiday_country", "holiday_subdiv"):
                return head
            return "hours_mon" if head == "hours" else key
        if key.startswith("billing.") and key.endswith(".billable"):
            return key
        return key

    # -- rows for the template ----------------------------------------------------------------

    def hours_rows(self):
        return [self[f"hours_{day}"] for day, _ in WEEKDAYS]

    def coverage_rows(self):
        return [(service, self[f"coverage.{service.pk}"]) for service in self.services]

    def target_rows(self):
        return [
            (priority.label, self[f"targets.{priority.value}.kind"],
             [self[f"targets.{priority.value}.{step}"] for step in _STEPS],
             self[f"targets.{priority.value}.same_day_cutoff"])
            for priority in Priority
        ]

    def billing_rows(self):
        return [
            (work_type.label, self[f"billing.{work_type.value}.billable"],
             self[f"billing.{work_type.value}.hourly_rate"],
             self[f"billing.{work_type.value}.note"])
            for work_type in WorkType
        ]


class PlanCreateForm(TierDesignerForm):
    """The designer plus the new tier's name and place on the ladder."""

    name = forms.CharField(max_length=60)
    rank = forms.IntegerField(min_value=0, help_text="Position on the ladder, lowest first.")


class PlanRenameForm(forms.Form):
    name = forms.CharField(max_length=60)
    rank = forms.IntegerField(min_value=0)


def _parse_intervals(text: str) -> list[list[str]]:
    """ "08:00-12:00, 13:00-18:00" -> [["08:00", "12:00"], ["13:00", "18:00"]]."""
    intervals = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = _INTERVAL.match(part)
        if not match:
            raise ValidationError(f'"{part}" is not an interval like 08:00-18:00')
        h1, m1, h2, m2 = match.groups()
        intervals.append([f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}"])
    return intervals
