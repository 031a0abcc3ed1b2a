"""Forms of the invoice pages: a billing month, a reason."""

import datetime as dt

from django import forms


class PeriodForm(forms.Form):
    """A billing period as a month (YYYY-MM); cleaned to its first day."""

    period = forms.CharField(label="Billing month", widget=forms.DateInput(
        attrs={"type": "month", "class": "form-control", "placeholder": "2026-10"}))

    def clean_period(self) -> dt.date:
        value = self.cleaned_data["period"].strip()
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("enter a month as YYYY-MM, e.g. 2026-10") from None


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=[("issued", "issued"), ("paid", "paid"), ("void", "void")])
    reason = forms.CharField(required=False, max_length=300)
