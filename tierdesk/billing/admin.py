"""Admin registrations of every billing model (the invoice engineer may refine theirs)."""

from django.contrib import admin

from tierdesk.billing import models


@admin.register(models.WorkSession)
class WorkSessionAdmin(admin.ModelAdmin):
    list_display = ("started_at", "client", "technician", "minutes", "classification",
                    "amount", "period_start")
    list_filter = ("classification", "work_type", "mode")
    search_fields = ("client__name", "reason", "notes")
    raw_id_fields = ("ticket", "client", "agreement", "technician", "invoiced_line")
    # Classification is written only by billing/classification.py.
    readonly_fields = ("classification", "reason", "allowance_units", "overage_units",
                       "billable_minutes", "after_hours_minutes", "rate", "amount",
                       "period_start", "classified_at")


@admin.register(models.AllowanceLedger)
class AllowanceLedgerAdmin(admin.ModelAdmin):
    list_display = ("agreement", "period_start", "sessions_included", "sessions_used")
    raw_id_fields = ("agreement",)
    readonly_fields = ("sessions_used",)


@admin.register(models.ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):
    list_display = ("client", "estimate_amount", "state", "requested_at", "decided_at")
    list_filter = ("state",)
    raw_id_fields = ("client", "ticket", "item", "requested_by", "decided_by")
    readonly_fields = ("token_sha256",)


for model in (models.BillableItem, models.Invoice, models.InvoiceLine,
              models.InvoiceSequence, models.InvoiceRun):
    admin.site.register(model)
