"""The agreement document: everything `documents/agreement.html` prints, gathered in one
context, and its rendering to PDF.

One template serves the staff HTML page, the portal, the signing page and the PDF, so the
client reads exactly what it signs. Only tiers whose channels include the hotline get the
hotline number: a Silver client must not find a number it is not entitled to call.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from tierdesk.clients.models import Agreement, Contact
from tierdesk.clients.pricing import price_overrides, tier_price
from tierdesk.core import pdf
from tierdesk.core.money import format_money, round_money
from tierdesk.core.msp import msp_identity
from tierdesk.plans.models import Channel, TargetKind, WorkType

TEMPLATE = "documents/agreement.html"


@dataclass(frozen=True)
class SignatureEvidence:
    """What the signing page captured, printed in the signature section of the signed PDF."""

    typed_name: str
    contact: Contact
    signed_at: datetime
    ip_address: str | None
    user_agent: str


def minutes_label(minutes: int | None) -> str:
    """120 → "2 hours", 90 → "1 hour 30 minutes", 15 → "15 minutes"."""
    if minutes is None:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def money(value) -> str:
    return format_money(value, settings.CURRENCY)


def helpdesk_allowance_text(version) -> str:
    """"2 remote sessions of 15 minutes a month; further sessions $35.00 each" or "Unlimited"."""
    if version.helpdesk_unlimited:
        return "Unlimited remote help-desk sessions"
    sessions = version.helpdesk_sessions
    noun = "session" if sessions == 1 else "sessions"
    text = (f"{sessions} remote {noun} of {version.helpdesk_session_minutes} minutes a month; "
            f"further sessions {money(version.overage_session_price)} each")
    return text


def _target_rows(version) -> list[dict]:
    rows = []
    for target in version.targets.all():
        if target.kind == TargetKind.SAME_DAY:
            cutoff = target.same_day_cutoff
            first = "Same business day"
            if cutoff:
                first += f" (requests after {cutoff:%H:%M}: next business day)"
        else:
            first = minutes_label(target.first_response_minutes)
        counted = ("around the clock" if target.kind == TargetKind.WALL
                   else f"within coverage hours ({version.hours_label})")
        rows.append({
            "priority": target.get_priority_display(),
            "first_response": first,
            "onsite": minutes_label(target.onsite_minutes) if target.onsite_minutes else "—",
            "resolution": (minutes_label(target.resolution_minutes)
                           if target.resolution_minutes else "—"),
            "counted": counted,
        })
    return rows


def _billing_rows(version) -> list[dict]:
    rows = []
    for rule in version.billing.all():
        rate = rule.hourly_rate if rule.hourly_rate is not None else version.hourly_rate
        if not rule.billable:
            price = "Included"
        elif rule.work_type in (WorkType.HARDWARE, WorkType.SOFTWARE):
            # Goods are resold, not charged by the hour; labour to install them is.
            price = (f"cost + {version.hardware_markup_percent}%; "
                     f"labour {money(rate)} an hour")
        else:
            price = f"{money(rate)} an hour"
        rows.append({
            "work_type": rule.get_work_type_display(),
            "billable": rule.billable,
            "rate": price,
            "note": rule.note,
        })
    return rows


def _fee_lines(agreement: Agreement) -> dict:
    users_total = round_money(agreement.price_per_user * agreement.users_count)
    devices_total = round_money(agreement.price_per_device * agreement.devices_count)
    total = round_money(agreement.base_fee) + users_total + devices_total
    default = tier_price(plan_version=agreement.plan_version, segment=agreement.client.segment)
    overridden = price_overrides(default=default, given={
        "base_fee": agreement.base_fee,
        "price_per_user": agreement.price_per_user,
        "price_per_device": agreement.price_per_device,
    })
    labels = {"base_fee": "base fee", "price_per_user": "price per user",
              "price_per_device": "price per device"}
    return {
        "base_fee": money(agreement.base_fee),
        "users_count": agreement.users_count,
        "price_per_user": money(agreement.price_per_user),
        "users_total": money(users_total),
        "devices_count": agreement.devices_count,
        "price_per_device": money(agreement.price_per_device),
        "devices_total": money(devices_total),
        "monthly_total": money(total),
        "overrides": [
            f"{labels[name]}: {money(given)} instead of the tier's {money(tier)}"
            for name, (tier, given) in overridden.items()
        ],
        "override_reason": agreement.override_reason,
    }


def _signature_context(agreement: Agreement, signature: SignatureEvidence | None) -> dict | None:
    if signature is None:
        return None
    utc = signature.signed_at.astimezone(ZoneInfo("UTC"))
    local = signature.signed_at.astimezone(ZoneInfo(agreement.client.timezone))
    return {
        "typed_name": signature.typed_name,
        "contact": signature.contact,
        # Formatted here: the template's date filter would convert both back to the
        # server's zone.
        "signed_at_utc": f"{utc:%Y-%m-%d %H:%M:%S} UTC",
        "signed_at_local": f"{local:%Y-%m-%d %H:%M:%S %Z (UTC%z)}",
        "client_timezone": agreement.client.timezone,
        "ip_address": signature.ip_address or "unknown",
        "user_agent": signature.user_agent or "unknown",
    }


def agreement_document_context(agreement: Agreement, *,
                               signature: SignatureEvidence | None = None) -> dict:
    """Everything the agreement template prints, formatted (money with the currency)."""
    version = agreement.plan_version
    channel_names = dict(Channel.choices)
    channels = [channel_names.get(c, c) for c in version.channels]
    msp = msp_identity()
    return {
        "agreement": agreement,
        "client": agreement.client,
        "sites": list(agreement.client.sites.all()),
        "version": version,
        "tier_name": version.plan.name,
        "msp": msp,
        "channels": channels,
        "has_hotline": version.has_hotline,
        # The number itself is only handed to the template when the tier includes it.
        "hotline": msp.hotline if version.has_hotline else "",
        "coverage": list(version.coverage.select_related("service")),
        "targets": _target_rows(version),
        "allowance": helpdesk_allowance_text(version),
        "billing": _billing_rows(version),
        "hourly_rate": money(version.hourly_rate),
        "after_hours_multiplier": version.after_hours_multiplier,
        "onsite_trip_fee": money(version.onsite_trip_fee),
        "hardware_markup_percent": version.hardware_markup_percent,
        "fees": _fee_lines(agreement),
        "signature": _signature_context(agreement, signature),
        "currency": settings.CURRENCY,
    }


def agreement_pdf(agreement: Agreement, *, signature: SignatureEvidence | None = None) -> bytes:
    """The agreement as PDF bytes; raises core.pdf.PdfRenderError when it cannot render."""
    context = agreement_document_context(agreement, signature=signature) | {"for_pdf": True}
    # Looked up on the module at call time so tests can make rendering fail.
    return pdf.render_pdf(TEMPLATE, context)
