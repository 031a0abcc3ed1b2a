"""Everything received from outside, stored raw before it is processed."""

from django.db import models


class InboundSource(models.TextChoices):
    EMAIL = "email", "E-mail"
    VOICE = "voice", "Voice webhook"
    RMM = "rmm", "Monitoring webhook"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Received, not yet processed"
    TICKETED = "ticketed", "Opened a ticket"
    THREADED = "threaded", "Added to a ticket"
    FOLDED = "folded", "Folded into an open alert ticket"
    HELD = "held", "Held for triage"
    RECORDED = "recorded", "Recorded, not answered (auto-reply, bounce, resolved alert)"
    REJECTED = "rejected", "Rejected"


class InboundMessage(models.Model):
    """One e-mail, voice-webhook call or monitoring alert exactly as it arrived.

    Stored before anything else happens, then processed idempotently: `dedupe_key` (the
    Message-ID, CallSid or alert id) is unique per source, so a redelivery finds the stored
    row instead of creating a second ticket. `status` and `reason` record what processing
    did — a message is never silently dropped.
    """

    source = models.CharField(max_length=10, choices=InboundSource.choices)
    dedupe_key = models.CharField(max_length=300)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    sender = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=InboundStatus.choices,
                              default=InboundStatus.RECEIVED, db_index=True)
    reason = models.TextField(blank=True)
    ticket = models.ForeignKey("desk.Ticket", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="inbound_messages")
    received_at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "dedupe_key"], name="inbound_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.dedupe_key[:60]}"


class Attachment(models.Model):
    """A file that came with a message, stored under the data directory."""

    ticket = models.ForeignKey("desk.Ticket", on_delete=models.CASCADE,
                               related_name="attachments")
    entry = models.ForeignKey("desk.TicketEntry", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename
