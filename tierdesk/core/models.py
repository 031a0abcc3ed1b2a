"""Core models: the base model every table shares, users with roles, and the audit trail."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base: every row knows when it was created and last changed (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    DISPATCHER = "dispatcher", "Dispatcher"
    TECHNICIAN = "technician", "Technician"
    BILLING = "billing", "Billing"
    CONTACT = "contact", "Client contact"


#: Roles of the MSP's own people, as opposed to its clients' contacts.
STAFF_ROLES = frozenset({Role.OWNER, Role.DISPATCHER, Role.TECHNICIAN, Role.BILLING})


class User(AbstractUser):
    """A person who can log in: one of the MSP's staff, or a client's contact.

    The role decides what the person may see and do (see core/permissions.py). A client
    contact reaches data only through the access helpers of each app, which scope every
    query to the contact's own client. `must_change_password` forces a new password at the
    next login (set for generated passwords).
    """

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]

    @property
    def is_msp_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_client_contact(self) -> bool:
        return self.is_active and self.role == Role.CONTACT

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles


class AuditEvent(models.Model):
    """One row of the audit trail: who did what to which object, when, and what changed.

    Written only by explicit calls in each app's events.py (never by signals), inside the
    same transaction as the change it records, so the trail never claims a change that was
    rolled back. `changes` maps a field name to [old, new] as JSON-safe values.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=60, db_index=True)
    # Looked up together, through the (object_type, object_id) index below: each index
    # more is written by every audited change.
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
