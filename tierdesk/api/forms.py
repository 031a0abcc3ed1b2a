"""The form of the API tokens page."""

from django import forms

from tierdesk.api.models import TokenScope


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “billing export”.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices, initial=TokenScope.READ,
        help_text="Read tokens may only GET. Write tokens may change what your role allows.",
    )
