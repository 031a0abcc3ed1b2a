"""Value-report schemas. The report's figures are its stored snapshot, as JSON: money is
a decimal string ("125.00"), percentages numbers or null when nothing was measured."""

from datetime import date, datetime

from ninja import Field, Schema


class ValueReportOut(Schema):
    id: int
    client_id: int
    client_name: str = Field(description="the client's name")
    month: date = Field(description="the first day of the reported month")
    tier: str = Field(description="the tier in force at the end of the month")
    fee: str = Field(description="the month's recurring fee, prorated by agreement days")
    generated_at: datetime
    emailed_at: datetime | None

    @staticmethod
    def resolve_client_name(obj) -> str:
        return obj.client.name

    @staticmethod
    def resolve_tier(obj) -> str:
        return (obj.data.get("tier") or {}).get("name", "")

    @staticmethod
    def resolve_fee(obj) -> str:
        return obj.data.get("fee", "0.00")


class ValueReportDetailOut(ValueReportOut):
    data: dict = Field(description=(
        "the snapshot: maintenance, alerts, tickets, sla (per target), time (minutes and "
        "sessions by classification, effective_hourly), billing (invoices with their "
        "lines' reasons, charged work by reason), next_tier (null on the top tier)"))
