from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tierdesk.core.models import AuditEvent, User


@admin.register(User)
class TierdeskUserAdmin(UserAdmin):
    list_display = ["username", "email", "role", "is_active", "must_change_password"]
    list_filter = ["role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("tierdesk", {"fields": ("role", "must_change_password")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "message"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
