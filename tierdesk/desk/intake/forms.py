"""Forms of the on-call roster page."""

from django import forms

from tierdesk.core.models import STAFF_ROLES, User


class RotationCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    starts_at = forms.DateTimeField(
        help_text="When the first shift starts (UTC), e.g. 2026-05-04 08:00",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    shift_days = forms.IntegerField(min_value=1, max_value=365, initial=7,
                                    help_text="Length of each member's turn, in days.")


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none())
    phone = forms.CharField(max_length=40, help_text="The number the hotline forwards to, "
                                                     "e.g. +1 207 555 0123.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (User.objects.filter(role__in=STAFF_ROLES, is_active=True)
                                        .order_by("username"))


class MemberPhoneForm(forms.Form):
    phone = forms.CharField(max_length=40)
