"""Admin for tiers. A version an agreement uses is frozen: the admin shows it read-only (its
rows too), matching plans.services, which never edits such a version in place. Editing tiers
belongs in the tier designer; the admin is for inspection and repairs of unused versions."""

from django.contrib import admin

from tierdesk.plans.models import BillingRule, CoveredService, Plan, PlanVersion, ResponseTarget


def _frozen(obj) -> bool:
    version = obj.version if isinstance(obj, (CoveredService, ResponseTarget, BillingRule)) else obj
    return bool(version and version.pk and version.agreements.exists())


class _FrozenInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class CoveredServiceInline(_FrozenInline):
    model = CoveredService


class ResponseTargetInline(_FrozenInline):
    model = ResponseTarget


class BillingRuleInline(_FrozenInline):
    model = BillingRule


class PlanVersionInline(admin.TabularInline):
    model = PlanVersion
    fields = ("number", "change_note", "base_fee", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "rank", "is_active", "slug")
    search_fields = ("name", "slug")
    inlines = [PlanVersionInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "plan", "number", "base_fee", "helpdesk_sessions", "created_at")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [CoveredServiceInline, ResponseTargetInline, BillingRuleInline]

    def has_change_permission(self, request, obj=None):
        return not (obj and _frozen(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and _frozen(obj)) and super().has_delete_permission(request, obj)


class _RowAdmin(admin.ModelAdmin):
    list_select_related = ("version__plan",)
    list_filter = ("version__plan",)

    def has_change_permission(self, request, obj=None):
        return not (obj and _frozen(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and _frozen(obj)) and super().has_delete_permission(request, obj)


@admin.register(CoveredService)
class CoveredServiceAdmin(_RowAdmin):
    list_display = ("version", "service", "level")


@admin.register(ResponseTarget)
class ResponseTargetAdmin(_RowAdmin):
    list_display = ("version", "priority", "kind", "first_response_minutes", "onsite_minutes",
                    "resolution_minutes")


@admin.register(BillingRule)
class BillingRuleAdmin(_RowAdmin):
    list_display = ("version", "work_type", "billable", "hourly_rate")
