"""Agreement documents and their electronic signatures."""

from django.conf import settings
from django.db import models

from tierdesk.clients.models import Agreement, Contact


class SigningLink(models.Model):
    """A single-use, expiring invitation for one contact to sign one agreement.

    Only the SHA-256 of the token is stored, so a database dump cannot be used to sign;
    a forged token simply matches no row.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signing_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Signing link for {self.agreement} to {self.contact.name}"


class SignedDocument(models.Model):
    """The exact agreement PDF a contact signed, stored once and never changed, with the
    evidence of the signature.

    The stored file is the signed PDF (its first `signed_length` bytes, whose SHA-256 is
    `sha256`) followed by one PDF incremental update that prints that hash on the pages.
    Appending never rewrites the signed bytes, so the hash printed on the document can be
    checked against the document itself. `file_sha256` covers the whole stored file,
    stamp included, so tampering with the stamp is detected too.
    """

    agreement = models.OneToOneField(
        Agreement, on_delete=models.PROTECT, related_name="signed_document"
    )
    link = models.OneToOneField(SigningLink, on_delete=models.PROTECT, related_name="document")
    signer = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=150, help_text="The name the signer typed.")
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    pdf = models.FileField(upload_to="agreements/signed/")
    sha256 = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the signed PDF (before the stamp)."
    )
    signed_length = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Length in bytes of the signed PDF inside the file."
    )
    file_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the stored file, stamp included."
    )

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.agreement} signed by {self.signer_name}"
