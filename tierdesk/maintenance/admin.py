"""Admin registrations of every maintenance model (read-mostly: writes belong to
services.py and generation.py; the admin is for looking and for emergencies)."""

from django.contrib import admin

from tierdesk.maintenance.models import (
    CalendarFeed,
    GenerationMark,
    Schedule,
    WorkOrder,
    WorkOrderEvidence,
)


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("title", "agreement", "kind", "rrule", "local_time", "estimated_minutes",
                    "is_daily", "is_active")
    list_filter = ("kind", "is_daily", "is_active", "delivery")
    search_fields = ("title", "agreement__client__name")
    raw_id_fields = ("agreement", "task")
    # Made by generation from the tier; the key ties work orders to it.
    readonly_fields = ("key", "kind")

    # Edits and deletions here bypass services.py: drop the agreement's generation mark,
    # which cannot see them, so the next generation run plans the agreement again.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        GenerationMark.objects.filter(agreement_id=obj.agreement_id).delete()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        GenerationMark.objects.filter(agreement_id=obj.agreement_id).delete()

    def delete_queryset(self, request, queryset):
        agreements = list(queryset.values_list("agreement_id", flat=True))
        super().delete_queryset(request, queryset)
        GenerationMark.objects.filter(agreement_id__in=agreements).delete()


class WorkOrderEvidenceInline(admin.TabularInline):
    model = WorkOrderEvidence
    extra = 0
    fields = ("original_name", "size", "sha256", "uploaded_by", "created_at", "note")
    readonly_fields = fields
    can_delete = False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "client", "kind", "due_on", "status", "assigned_to",
                    "overdue_notified_at")
    list_filter = ("status", "kind", "delivery")
    search_fields = ("title", "key", "client__name")
    date_hierarchy = "due_on"
    raw_id_fields = ("agreement", "client", "site", "schedule", "assigned_to", "completed_by")
    # Status changes go through services.py (the allowed-transitions map, audit events).
    readonly_fields = ("key", "status", "occurrence_on", "completed_at", "completed_by",
                       "overdue_notified_at")
    inlines = [WorkOrderEvidenceInline]


@admin.register(WorkOrderEvidence)
class WorkOrderEvidenceAdmin(admin.ModelAdmin):
    list_display = ("original_name", "work_order", "size", "sha256", "uploaded_by",
                    "created_at")
    search_fields = ("original_name", "sha256")
    raw_id_fields = ("work_order", "uploaded_by")
    readonly_fields = ("size", "sha256", "created_at")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "client", "rotated_at", "last_used_at")
    raw_id_fields = ("user", "client")
    # Only the secret's hash is stored; rotating (services.calendar_feed_rotate) makes one.
    readonly_fields = ("token_hash", "rotated_at", "last_used_at")
