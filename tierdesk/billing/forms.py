"""Forms of work sessions and client approvals (invoice forms may be appended below)."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from tierdesk.billing.models import SessionMode, SessionWorkType
from tierdesk.catalog.models import Service


def _local(value, tz):
    """A naive datetime typed in the form, read in the client's zone (DST-safe)."""
    return value.replace(tzinfo=ZoneInfo(tz)) if value is not None else None


class SessionKindForm(forms.Form):
    """What the work is; shared by the timer, the manual log and the preview."""

    mode = forms.ChoiceField(choices=SessionMode.choices, initial=SessionMode.REMOTE)
    work_type = forms.ChoiceField(choices=SessionWorkType.choices,
                                  initial=SessionWorkType.HELPDESK)
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False,
                                     empty_label="(no particular service)")
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, initial=15,
                                 label="Expected minutes")
    travel_minutes = forms.IntegerField(min_value=0, initial=0, required=False)

    def clean_travel_minutes(self):
        return self.cleaned_data.get("travel_minutes") or 0


class SessionLogForm(SessionKindForm):
    """A finished session entered by hand, times in the client's zone."""

    started_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type":
                                                                       "datetime-local"}),
                                     label="Started (client's local time)")
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, initial=15, label="Minutes")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, tz: str, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("started_at") is not None and data.get("minutes"):
            data["started_at"] = _local(data["started_at"].replace(tzinfo=None), self.tz)
            data["ended_at"] = data["started_at"] + timedelta(minutes=data["minutes"])
        return data


class WorkOrderFieldsMixin:
    """On a maintenance work order the work is maintenance of the work order's services:
    no work type to choose, the service picked among its own (the first by default), the
    mode from how the work is delivered."""

    def __init__(self, *args, services, mode: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["work_type"]
        field = self.fields["service"]
        field.queryset = Service.objects.filter(pk__in=[s.pk for s in services])
        if services:
            field.empty_label = None
            field.initial = services[0].pk
        if mode in SessionMode.values:
            self.fields["mode"].initial = mode

    def clean(self):
        data = super().clean()
        data["work_type"] = SessionWorkType.MAINTENANCE
        return data


class WorkOrderSessionKindForm(WorkOrderFieldsMixin, SessionKindForm):
    """The timer and the preview on a work order."""


class WorkOrderSessionLogForm(WorkOrderFieldsMixin, SessionLogForm):
    """Time on a work order entered by hand, in the client's zone."""


LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionEditForm(forms.Form):
    """Edit a session (`session_update`), or correct one of a closed period
    (corrections.session_correct: no notes, an end is required). Times are typed and
    shown in the client's zone."""

    started_at = forms.DateTimeField(widget=LOCAL_INPUT, label="Started (client's local time)")
    ended_at = forms.DateTimeField(widget=LOCAL_INPUT, required=False,
                                   label="Ended (client's local time)",
                                   help_text="Empty while the timer runs.")
    mode = forms.ChoiceField(choices=SessionMode.choices)
    work_type = forms.ChoiceField(choices=SessionWorkType.choices)
    service = forms.ModelChoiceField(queryset=Service.objects.all(), required=False,
                                     empty_label="(no particular service)")
    travel_minutes = forms.IntegerField(min_value=0, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, session, correcting: bool = False, **kwargs):
        self.tz = session.client.timezone
        zone = ZoneInfo(self.tz)
        initial = {
            "started_at": session.started_at.astimezone(zone).replace(tzinfo=None),
            "ended_at": (session.ended_at.astimezone(zone).replace(tzinfo=None)
                         if session.ended_at else None),
            "mode": session.mode, "work_type": session.work_type,
            "service": session.service_id, "travel_minutes": session.travel_minutes,
            "notes": session.notes,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if correcting:
            del self.fields["notes"]
            self.fields["ended_at"].required = True
            self.fields["ended_at"].help_text = ""

    def clean_travel_minutes(self):
        return self.cleaned_data.get("travel_minutes") or 0

    def clean(self):
        data = super().clean()
        for name in ("started_at", "ended_at"):
            if data.get(name) is not None:
                data[name] = _local(data[name].replace(tzinfo=None), self.tz)
        return data


class TimerStartForm(forms.Form):
    """Move a running timer's start, typed and shown in the client's zone (the rules are
    sessions.session_update's: not in the future, no overlap, at most 24 hours back)."""

    started_at = forms.DateTimeField(widget=LOCAL_INPUT, label="Started (client's local time)")

    def __init__(self, *args, session, **kwargs):
        self.tz = session.client.timezone
        local = session.started_at.astimezone(ZoneInfo(self.tz)).replace(tzinfo=None)
        super().__init__(*args, initial={"started_at": local}, **kwargs)

    def clean_started_at(self):
        return _local(self.cleaned_data["started_at"].replace(tzinfo=None), self.tz)


class SessionStopForm(forms.Form):
    travel_minutes = forms.IntegerField(min_value=0, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApprovalRequestForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What the work is, for the client.")
    estimate_amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class ApprovalDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the fields it names (else on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None,
                           [f"{field}: {e}" if field not in form.fields else e
                            for e in errors])
    else:
        form.add_error(None, exc.messages)
