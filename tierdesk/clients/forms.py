"""Forms of the staff pages. They parse input only; the services validate and write, and
`add_service_errors` puts a service's field-named ValidationError back on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery

from tierdesk.catalog.models import Segment
from tierdesk.clients.models import BillingCycle, Client
from tierdesk.core.clock import timezone_choices
from tierdesk.plans.models import PlanVersion


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach `exc` to the fields it names; errors on fields the form lacks (e.g. `status`)
    become form-wide errors so they are never lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                label = field.replace("_", " ")
                form.add_error(None, [f"{label}: {m}" for e in errors for m in e.messages])
    else:
        form.add_error(None, exc)


class BootstrapMixin:
    """Give every widget its Bootstrap 5 class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class DateInput(forms.DateInput):
    input_type = "date"


def current_versions():
    """The newest version of every active tier: what a new agreement is signed onto."""
    newest = (PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-number")
              .values("number")[:1])
    return (PlanVersion.objects.filter(plan__is_active=True, number=Subquery(newest))
            .select_related("plan").order_by("plan__rank"))


class ClientForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=150)
    segment = forms.ModelChoiceField(queryset=Segment.objects.all())
    timezone = forms.ChoiceField(choices=timezone_choices, initial="America/New_York",
                                 help_text="Where the client's SLA clocks and maintenance run.")
    users_count = forms.IntegerField(min_value=0, initial=1)
    devices_count = forms.IntegerField(min_value=0, initial=1)
    billing_email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ClientEditForm(ClientForm):
    is_active = forms.BooleanField(required=False, initial=True)


class SiteForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=100)
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    drive_minutes = forms.IntegerField(
        help_text="One-way drive time from the office, in minutes.")
    has_rmm_agent = forms.BooleanField(required=False, label="Remote-management agent installed")


class ContactForm(BootstrapMixin, forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    title = forms.CharField(max_length=100, required=False)
    can_sign = forms.BooleanField(required=False, label="May sign agreements")
    is_billing = forms.BooleanField(required=False, label="Billing contact")


PRICE_HELP = "Empty = the tier's price for the client's segment."


class AgreementTermsForm(BootstrapMixin, forms.Form):
    """The terms of a draft. Prices left empty take the tier's; a different price needs a
    reason (checked by the service)."""

    plan_version = forms.ModelChoiceField(queryset=PlanVersion.objects.none(), label="Tier")
    start_date = forms.DateField(widget=DateInput)
    end_date = forms.DateField(widget=DateInput, required=False,
                               help_text="Empty = runs for the term and renews.")
    auto_renew = forms.BooleanField(required=False, initial=True)
    term_months = forms.IntegerField(min_value=1, initial=12)
    billing_cycle = forms.ChoiceField(choices=BillingCycle.choices, initial="monthly")
    users_count = forms.IntegerField(min_value=0, required=False,
                                     help_text="Empty = the client's count.")
    devices_count = forms.IntegerField(min_value=0, required=False,
                                       help_text="Empty = the client's count.")
    base_fee = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                  help_text=PRICE_HELP)
    price_per_user = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                        help_text=PRICE_HELP)
    price_per_device = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                          help_text=PRICE_HELP)
    override_reason = forms.CharField(max_length=300, required=False,
                                      help_text="Required when a price differs from the tier's.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = current_versions()
        initial_version = self.initial.get("plan_version")
        if initial_version is not None:
            # A draft on an older version can keep it.
            pk = getattr(initial_version, "pk", initial_version)
            versions = PlanVersion.objects.filter(
                pk__in=[*versions.values_list("pk", flat=True), pk])
            versions = versions.select_related("plan").order_by("plan__rank", "-number")
        self.fields["plan_version"].queryset = versions


class AgreementCreateForm(AgreementTermsForm):
    client = forms.ModelChoiceField(queryset=Client.objects.filter(is_active=True))
    field_order = ["client", "plan_version"]


class ChangeTierForm(BootstrapMixin, forms.Form):
    plan_version = forms.ModelChoiceField(queryset=PlanVersion.objects.none(), label="New tier")
    effective_date = forms.DateField(widget=DateInput,
                                     help_text="The first day on the new tier.")
    base_fee = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                  help_text=PRICE_HELP)
    price_per_user = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                        help_text=PRICE_HELP)
    price_per_device = forms.DecimalField(max_digits=10, decimal_places=2, required=False,
                                          help_text=PRICE_HELP)
    override_reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_version"].queryset = current_versions()


class AgreementActionForm(forms.Form):
    """The reason and, for ending, the last covered day of a status change."""

    reason = forms.CharField(max_length=200, required=False)
    end_date = forms.DateField(required=False)
