from django.contrib import admin

from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "default_delivery", "position", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class SegmentRequirementInline(admin.TabularInline):
    model = SegmentRequirement
    extra = 0
    fields = ["title", "service", "minimum_level", "description"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "price_factor", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SegmentRequirementInline]


@admin.register(SegmentRequirement)
class SegmentRequirementAdmin(admin.ModelAdmin):
    list_display = ["title", "segment", "service", "minimum_level"]
    list_filter = ["segment", "minimum_level"]
    search_fields = ["title"]


@admin.register(MaintenanceTask)
class MaintenanceTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "service", "rrule", "estimated_minutes", "delivery", "is_audit",
                    "is_active"]
    list_filter = ["service", "delivery", "is_audit", "is_active", "segments"]
    search_fields = ["title"]
    filter_horizontal = ["segments"]
