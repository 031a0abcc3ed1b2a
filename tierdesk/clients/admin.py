"""Admin for clients, sites, contacts and agreements. Agreement status and stamps are
read-only here: status changes only through clients/lifecycle.py."""

from django.contrib import admin

from tierdesk.clients.models import Agreement, Client, Contact, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "segment", "timezone", "users_count", "devices_count", "is_active"]
    list_filter = ["segment", "is_active"]
    search_fields = ["name", "billing_email", "phone"]
    list_select_related = ["segment"]
    inlines = [SiteInline, ContactInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "drive_minutes", "has_rmm_agent"]
    list_filter = ["has_rmm_agent"]
    search_fields = ["name", "client__name", "address"]
    list_select_related = ["client"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "email", "phone", "can_sign", "user"]
    list_filter = ["can_sign", "is_billing"]
    search_fields = ["name", "email", "phone", "client__name"]
    list_select_related = ["client", "user"]
    raw_id_fields = ["user"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["pk", "client", "plan_version", "status", "start_date", "end_date"]
    list_filter = ["status", "billing_cycle", "plan_version__plan"]
    search_fields = ["client__name"]
    list_select_related = ["client", "plan_version__plan"]
    raw_id_fields = ["client", "plan_version", "replaces", "feasibility_acknowledged_by"]
    readonly_fields = ["status", "sent_at", "signed_at", "activated_at", "ended_at",
                       "feasibility_warnings", "feasibility_acknowledged_by",
                       "feasibility_acknowledged_at", "created_at", "updated_at"]
