"""Forms of the maintenance staff pages: they parse input only; services validate and
write (and name the field when they refuse)."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from tierdesk.clients.forms import BootstrapMixin
from tierdesk.desk.forms import QuickSelect
from tierdesk.desk.selectors import workers
from tierdesk.maintenance.models import WorkOrderKind, WorkOrderStatus

WHO_CHOICES = [("all", "Everyone's"), ("mine", "Mine"), ("unassigned", "Unassigned")]


class BoardFilterForm(forms.Form):
    """The board's filters (GET): whose, which kind, overdue only."""

    who = forms.ChoiceField(choices=WHO_CHOICES, required=False, label="Assigned")
    kind = forms.ChoiceField(choices=[("", "Any kind"), *WorkOrderKind.choices],
                             required=False, label="Kind")
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("who", "kind"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def values(self) -> dict:
        """The filters to apply; anything invalid falls back to "everything"."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"who": data.get("who") or "all", "kind": data.get("kind") or "",
                "overdue_only": bool(data.get("overdue"))}


class ItemTickForm(forms.Form):
    """Tick or untick one checklist item (`done` is the new state)."""

    item = forms.CharField(max_length=60)
    done = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=300)


class EvidenceForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label="File")
    note = forms.CharField(required=False, max_length=300, label="Note")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TIERDESK_EVIDENCE_MAX_BYTES
        # Refused before it is read into memory; the service checks again.
        if upload.size > limit:
            raise forms.ValidationError(f"{upload.name} is {filesizeformat(upload.size)}; "
                                        f"the limit is {filesizeformat(limit)}")
        return upload


class CompleteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label="Completion note",
                           help_text="Required when an item is not ticked: say why.")
    findings = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               label="Audit findings")


class AssignForm(BootstrapMixin, forms.Form):
    """Who does the work order (plain choices, one query, as the desk's AssignForm)."""

    technician = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                        widget=QuickSelect, label="Technician")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].choices = [("", "Unassigned")] + [
            (pk, f"{first} {last}".strip() or username)
            for pk, username, first, last in workers().values_list(
                "id", "username", "first_name", "last_name")
        ]

    def clean_technician(self):
        pk = self.cleaned_data["technician"]
        return workers().get(pk=pk) if pk else None


class TransitionForm(BootstrapMixin, forms.Form):
    """Mark a work order missed or cancel it (managers)."""

    to = forms.ChoiceField(choices=[(WorkOrderStatus.MISSED, "Missed"),
                                    (WorkOrderStatus.CANCELLED, "Cancelled")])
    reason = forms.CharField(required=False, max_length=500, label="Reason")


class ScheduleForm(BootstrapMixin, forms.Form):
    """A schedule's recurrence, local time and estimate. Minutes are parsed as a whole
    number only: `schedule_update` says what a valid estimate is."""

    rrule = forms.CharField(max_length=200, label="Recurrence (RRULE)",
                            help_text="e.g. FREQ=WEEKLY;BYDAY=MO — at most daily")
    local_time = forms.TimeField(label="Local time",
                                 widget=forms.TimeInput(attrs={"type": "time"},
                                                        format="%H:%M"),
                                 help_text="In the client's time zone.")
    estimated_minutes = forms.IntegerField(label="Estimated minutes")
