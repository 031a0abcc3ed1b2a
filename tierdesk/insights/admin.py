"""Admin registrations of insights."""

from django.contrib import admin

from tierdesk.insights import models


@admin.register(models.ValueReport)
class ValueReportAdmin(admin.ModelAdmin):
    list_display = ("month", "client", "generated_at", "emailed_at")
    list_filter = ("month",)
    search_fields = ("client__name",)
    raw_id_fields = ("client",)
    # The snapshot is written only by insights.services.value_reports_generate.
    readonly_fields = ("data", "generated_at", "emailed_at", "emailed_to")


@admin.register(models.TechnicianProfile)
class TechnicianProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "remote", "onsite", "is_active")
    list_filter = ("is_active",)


@admin.register(models.ScenarioRun)
class ScenarioRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "created_by", "status", "weeks", "seeds")
    list_filter = ("status",)
    # Written only by insights.scenarios (queued with its inputs, results by the task).
    readonly_fields = ("inputs", "results", "error", "started_at", "finished_at")
