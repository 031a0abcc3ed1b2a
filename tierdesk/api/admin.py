from django.contrib import admin

from tierdesk.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners on the API tokens page (the raw token is shown
    only there, once); the admin lists them and nothing more."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
