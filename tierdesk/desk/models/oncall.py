"""A simple on-call roster: who answers the hotline now."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class OnCallRotation(models.Model):
    """Members take turns of `shift_days` days each, in position order, starting at
    `starts_at` (UTC). The hotline rings the member on call at the time of the call."""

    name = models.CharField(max_length=100, unique=True)
    starts_at = models.DateTimeField()
    shift_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class OnCallMember(models.Model):
    """A technician in a rotation, with the phone number the hotline forwards to."""

    rotation = models.ForeignKey(OnCallRotation, on_delete=models.CASCADE,
                                 related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    phone = models.CharField(max_length=40, help_text="E.164, e.g. +12075550123")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="oncall_position")
        ]

    def __str__(self) -> str:
        return f"{self.rotation}: {self.user} ({self.phone})"
