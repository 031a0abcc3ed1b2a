"""Turning ids in a request body into objects, with a 422 naming the field when there is no
such object (a missing id in the *path* is a 404 instead, from the access helpers)."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet


def lookup(queryset: QuerySet, pk, field: str):
    """`queryset.get(pk=pk)`, or ValidationError({field: "no such …"})."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        name = queryset.model._meta.verbose_name
        raise ValidationError({field: f"no such {name}: {pk}"}) from None
