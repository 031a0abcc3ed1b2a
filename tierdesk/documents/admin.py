"""Admin for signing links and signed documents: read-only evidence.

Links are created only by `agreement_send_for_signature` (the token is shown once and never
stored), and a signed document is evidence: no one adds, edits or deletes one here.
"""

from django.contrib import admin

from tierdesk.documents.models import SignedDocument, SigningLink


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SigningLink)
class SigningLinkAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "contact", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = ("used_at", "revoked_at")
    search_fields = ("agreement__client__name", "contact__name", "contact__email")
    readonly_fields = ("agreement", "contact", "token_sha256", "created_at", "created_by",
                       "expires_at", "used_at", "revoked_at")


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "signer_name", "signer", "signed_at", "ip_address", "sha256")
    search_fields = ("agreement__client__name", "signer_name", "sha256")
    date_hierarchy = "signed_at"
    readonly_fields = ("agreement", "link", "signer", "signer_name", "signed_at", "ip_address",
                       "user_agent", "pdf", "sha256", "signed_length", "file_sha256")
