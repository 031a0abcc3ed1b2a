"""The admin shows signing links and signed documents but never changes or deletes them."""

from django.contrib import admin

from tierdesk.documents.models import SignedDocument, SigningLink


def test_links_and_signed_documents_are_registered_read_only(rf, personas):
    request = rf.get("/")
    request.user = personas.owner
    for model in (SigningLink, SignedDocument):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
