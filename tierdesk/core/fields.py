"""Model fields tierdesk needs beyond Django's own."""

import json

from django import forms
from django.db import models


class JSONTextField(models.TextField):
    """JSON stored as plain text, for large values no query looks inside.

    PostgreSQL's jsonb parses and re-encodes every value written: for the checklists of
    maintenance work orders (~40 MB for 1,000 agreements' month) that cost more than the
    rest of the generation run together. Python sees the decoded value, as with JSONField.
    """

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super(models.TextField, self).formfield(
            **{"form_class": forms.JSONField, **kwargs})
