"""Admin registrations of every desk model (read-mostly: writes belong to services.py)."""

from django.contrib import admin

from tierdesk.desk.models import (
    Attachment,
    HelpdeskRoute,
    InboundMessage,
    OnCallMember,
    OnCallRotation,
    OutsourcedTicket,
    OutsourcingPartner,
    PartnerWebhook,
    SlaNotice,
    Ticket,
    TicketEntry,
    TicketPause,
)


class TicketEntryInline(admin.TabularInline):
    model = TicketEntry
    extra = 0
    fields = ("created_at", "kind", "author_user", "author_contact", "channel", "body")
    readonly_fields = fields
    show_change_link = True


class TicketPauseInline(admin.TabularInline):
    model = TicketPause
    extra = 0
    readonly_fields = ("started_at", "ended_at", "reason")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("reference", "subject", "client", "priority", "status", "assignee",
                    "urgency_due_at", "outside_entitlement")
    list_filter = ("status", "priority", "channel", "outside_entitlement",
                   "first_response_breached", "resolution_breached")
    search_fields = ("reference", "subject", "client__name", "requester")
    raw_id_fields = ("client", "agreement", "plan_version", "contact", "site", "assignee")
    readonly_fields = ("reference", "opened_at", "sla_calendar", "sla_targets",
                       "first_response_due_at", "onsite_due_at", "resolution_due_at",
                       "sla_check_at", "urgency_due_at")
    inlines = [TicketPauseInline, TicketEntryInline]
    show_full_result_count = False  # no COUNT(*) over a million tickets per page


@admin.register(TicketEntry)
class TicketEntryAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "created_at", "author_user", "author_contact")
    list_filter = ("kind",)
    search_fields = ("ticket__reference", "message_id")
    raw_id_fields = ("ticket", "author_user", "author_contact", "inbound")


@admin.register(TicketPause)
class TicketPauseAdmin(admin.ModelAdmin):
    list_display = ("ticket", "started_at", "ended_at", "reason")
    raw_id_fields = ("ticket",)


@admin.register(SlaNotice)
class SlaNoticeAdmin(admin.ModelAdmin):
    list_display = ("ticket", "target", "threshold", "created_at")
    list_filter = ("target", "threshold")
    raw_id_fields = ("ticket",)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("source", "dedupe_key", "sender", "status", "received_at", "ticket")
    list_filter = ("source", "status")
    search_fields = ("dedupe_key", "sender", "summary")
    raw_id_fields = ("ticket",)
    exclude = ("raw",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "ticket", "content_type", "size", "created_at")
    raw_id_fields = ("ticket", "entry")


class OnCallMemberInline(admin.TabularInline):
    model = OnCallMember
    extra = 1
    raw_id_fields = ("user",)


@admin.register(OnCallRotation)
class OnCallRotationAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at", "shift_days", "is_active")
    inlines = [OnCallMemberInline]


# Outsourcing (writes go through desk/outsourcing.py; the admin is for looking).

@admin.register(OutsourcingPartner)
class OutsourcingPartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "webhook_url", "fee_per_ticket", "fee_per_month",
                    "is_active")
    exclude = ("webhook_secret",)


@admin.register(HelpdeskRoute)
class HelpdeskRouteAdmin(admin.ModelAdmin):
    list_display = ("plan", "partner")


@admin.register(OutsourcedTicket)
class OutsourcedTicketAdmin(admin.ModelAdmin):
    list_display = ("ticket", "partner", "routed_at", "first_response_due_at",
                    "resolution_due_at", "fee")
    raw_id_fields = ("ticket",)
    readonly_fields = ("partner_calendar", "partner_targets", "fee")


@admin.register(PartnerWebhook)
class PartnerWebhookAdmin(admin.ModelAdmin):
    list_display = ("pk", "url", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status",)
    readonly_fields = ("body",)
