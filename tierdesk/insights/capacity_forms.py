"""Forms of the capacity pages: they parse input only; roster.py and scenarios.py check it
and name the field at fault."""

from __future__ import annotations

from django import forms

from tierdesk.clients.forms import BootstrapMixin
from tierdesk.insights import capacity, scenarios


class ScenarioForm(BootstrapMixin, forms.Form):
    """Horizon, seeds, margin and the presets to run next to "as today"."""

    weeks = forms.IntegerField(initial=12, help_text="Weeks to simulate (at most 104).")
    seeds = forms.IntegerField(initial=scenarios.DEFAULT_SEEDS,
                               help_text="Runs per scenario, each with its own random tickets "
                                         f"(1–{scenarios.MAX_SEEDS}); more runs, "
                                         "narrower intervals.")
    margin = forms.IntegerField(initial=scenarios.DEFAULT_MARGIN, label="Margin (%)",
                                help_text="Share of working hours to keep free: above "
                                          "100% − margin the roster counts as over-extended.")
    more_clients = forms.BooleanField(required=False, label="Sign more clients")
    more_clients_count = forms.IntegerField(required=False, initial=20, label="How many")
    more_clients_tier = forms.ChoiceField(required=False, label="Of tier")
    lose_technician = forms.ChoiceField(required=False, label="Lose one technician")
    outsource_helpdesk = forms.BooleanField(required=False,
                                            label="Outsource end-user help desk")
    outsource_tier = forms.ChoiceField(required=False, label="Help desk of")
    add_on_call = forms.BooleanField(required=False, label="Add an on-call rotation")
    on_call_members = forms.MultipleChoiceField(required=False, label="Taking turns",
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tiers: list[str], technicians: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        tier_choices = [(t, t) for t in tiers if t != capacity.NO_AGREEMENT]
        self.fields["more_clients_tier"].choices = tier_choices
        self.fields["outsource_tier"].choices = [("", "All tiers"), *tier_choices]
        self.fields["lose_technician"].choices = [("", "— nobody —"), *technicians]
        self.fields["on_call_members"].choices = technicians
        self.fields["on_call_members"].widget.attrs["class"] = "form-check-input"

    def presets(self) -> list[dict]:
        data = self.cleaned_data
        out = []
        if data.get("more_clients"):
            out.append({"kind": "more_clients", "count": data.get("more_clients_count"),
                        "tier": data.get("more_clients_tier")})
        if data.get("lose_technician"):
            out.append({"kind": "lose_technician", "technician": data["lose_technician"]})
        if data.get("outsource_helpdesk"):
            out.append({"kind": "outsource_helpdesk", "tier": data.get("outsource_tier", "")})
        if data.get("add_on_call"):
            out.append({"kind": "add_on_call", "members": data.get("on_call_members") or []})
        return out


class AssumptionsForm(BootstrapMixin, forms.Form):
    """What the owner expects when there is no history: per tier, clients, tickets per
    client a month, mean work minutes, on-site share; and the help-desk share overall."""

    helpdesk_percent = forms.FloatField(initial=60, min_value=0, max_value=100,
                                        label="Help-desk share (%)",
                                        help_text="Of all tickets, the end-user help desk.")

    def __init__(self, *args, tiers: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = [t for t in tiers if t["name"] != capacity.NO_AGREEMENT]
        for i, tier in enumerate(self.tiers):
            name = tier["name"]
            self.fields[f"clients_{i}"] = forms.IntegerField(
                min_value=0, initial=tier["clients"], label=f"{name}: clients")
            self.fields[f"tickets_{i}"] = forms.FloatField(
                min_value=0, initial=2, label=f"{name}: tickets per client a month")
            self.fields[f"work_{i}"] = forms.FloatField(
                min_value=1, initial=30, label=f"{name}: mean work minutes")
            self.fields[f"onsite_{i}"] = forms.FloatField(
                min_value=0, max_value=100, initial=10, label=f"{name}: on-site share (%)")
            for key in ("clients", "tickets", "work", "onsite"):
                self.fields[f"{key}_{i}"].widget.attrs["class"] = "form-control form-control-sm"

    def rows(self):
        """The per-tier fields, one row per tier (for the template)."""
        return [(tier["name"], [self[f"{k}_{i}"] for k in ("clients", "tickets", "work",
                                                          "onsite")])
                for i, tier in enumerate(self.tiers)]

    def assumptions(self) -> dict:
        data = self.cleaned_data
        return {
            "helpdesk_percent": data["helpdesk_percent"],
            "tiers": {tier["name"]: {"clients": data[f"clients_{i}"],
                                     "tickets_per_client_month": data[f"tickets_{i}"],
                                     "work_minutes": data[f"work_{i}"],
                                     "onsite_percent": data[f"onsite_{i}"]}
                      for i, tier in enumerate(self.tiers)},
        }


class TechnicianProfileForm(BootstrapMixin, forms.Form):
    """One staff member's roster profile."""

    hours = forms.JSONField(widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="Working hours as a calendar (the tiers' format).")
    remote = forms.BooleanField(required=False)
    onsite = forms.BooleanField(required=False, label="On-site")
    is_active = forms.BooleanField(required=False, label="Counts in the roster")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each row of the roster table is its own form: the inputs sit in table cells and
        # point at their <form> by id.
        for field in self.fields.values():
            field.widget.attrs["form"] = f"form-{self.prefix}"
        self.fields["hours"].widget.attrs["class"] = "form-control form-control-sm font-monospace"
