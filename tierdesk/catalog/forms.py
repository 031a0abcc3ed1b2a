"""Forms of the catalog pages. They parse input only; catalog/services.py validates the whole
row and the view puts its field-named errors back on the form."""

from django import forms
from django.forms.models import fields_for_model, model_to_dict

from tierdesk.catalog.models import (
    COVERAGE_LEVELS,
    MaintenanceTask,
    Segment,
    SegmentRequirement,
    Service,
)
from tierdesk.catalog.services import (
    REQUIREMENT_FIELDS,
    SEGMENT_FIELDS,
    SERVICE_FIELDS,
    TASK_FIELDS,
)


class _CatalogForm(forms.Form):
    """A plain form with the model's fields, styled for Bootstrap.

    Plain rather than ModelForm on purpose: a ModelForm writes the input onto the instance
    while validating, so the service could no longer tell what changed for the audit trail.
    """

    model = None
    field_names: tuple[str, ...] = ()

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = model_to_dict(instance, fields=self.field_names)
        super().__init__(*args, **kwargs)
        declared = dict(self.fields)
        self.fields = fields_for_model(self.model, fields=self.field_names)
        self.fields.update(declared)
        self.order_fields(self.field_names)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                pass
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ServiceForm(_CatalogForm):
    model = Service
    field_names = SERVICE_FIELDS


class SegmentForm(_CatalogForm):
    model = Segment
    field_names = SEGMENT_FIELDS


class SegmentRequirementForm(_CatalogForm):
    model = SegmentRequirement
    field_names = REQUIREMENT_FIELDS

    minimum_level = forms.ChoiceField(
        choices=[(level, level.title()) for level in COVERAGE_LEVELS],
        help_text="Met when a tier covers the service at this level or better.",
    )


class MaintenanceTaskForm(_CatalogForm):
    model = MaintenanceTask
    field_names = (*TASK_FIELDS, "segments")

    checklist = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One step per line.",
    )
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for a task every client needs.",
    )

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            initial = model_to_dict(instance, fields=TASK_FIELDS)
            initial["checklist"] = "\n".join(instance.checklist)
            initial["segments"] = list(instance.segments.all())
            kwargs["initial"] = initial
        super().__init__(*args, instance=instance, **kwargs)
        self.fields["rrule"].widget.attrs["placeholder"] = "FREQ=WEEKLY;BYDAY=MO"

    def clean_checklist(self) -> list[str]:
        # Blank lines are layout in a textarea, not empty steps.
        return [line.strip() for line in self.cleaned_data["checklist"].splitlines()
                if line.strip()]
