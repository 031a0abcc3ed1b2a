"""Catalog schemas: services, segments (with their requirements), maintenance tasks."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema


class ServiceOut(Schema):
    id: int
    slug: str
    name: str
    kind: str = Field(description="strategic or tactical")
    description: str
    default_delivery: str = Field(description="remote or onsite")
    position: int
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ServiceIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    slug: str | None = Field(None, max_length=60, description="derived from the name if empty")
    kind: str = Field(description="strategic or tactical")
    description: str = ""
    default_delivery: str = "remote"
    position: int = Field(0, ge=0)
    is_active: bool = True


class ServicePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    slug: str | None = Field(None, max_length=60)
    kind: str | None = None
    description: str | None = None
    default_delivery: str | None = None
    position: int | None = Field(None, ge=0)
    is_active: bool | None = None


class RequirementOut(Schema):
    id: int
    title: str
    description: str
    service_id: int
    minimum_level: str


class RequirementIn(Schema):
    title: str = Field(min_length=1, max_length=150)
    service_id: int
    minimum_level: str = Field("maintained", description="monitored, maintained or supported")
    description: str = ""


class SegmentOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    price_factor: Decimal
    position: int
    requirements: list[RequirementOut]

    @staticmethod
    def resolve_requirements(obj):
        return list(obj.requirements.all())


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    slug: str | None = Field(None, max_length=60)
    description: str = ""
    price_factor: Decimal = Field(Decimal("1.00"), gt=0, max_digits=5, decimal_places=2)
    position: int = Field(0, ge=0)


class SegmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    slug: str | None = Field(None, max_length=60)
    description: str | None = None
    price_factor: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=2)
    position: int | None = Field(None, ge=0)


class TaskOut(Schema):
    id: int
    service_id: int
    title: str
    rrule: str = Field(description="RFC 5545 recurrence, e.g. FREQ=WEEKLY;BYDAY=MO")
    frequency: str
    estimated_minutes: int
    delivery: str
    checklist: list[str]
    segment_ids: list[int] = Field(description="empty = every segment")
    is_audit: bool
    is_active: bool

    @staticmethod
    def resolve_segment_ids(obj):
        return sorted(segment.pk for segment in obj.segments.all())


class TaskIn(Schema):
    service_id: int
    title: str = Field(min_length=1, max_length=150)
    rrule: str = Field(max_length=200)
    estimated_minutes: int = Field(ge=1)
    delivery: str = "remote"
    checklist: list[str] = []
    segment_ids: list[int] = []
    is_audit: bool = False
    is_active: bool = True


class TaskPatch(Schema):
    service_id: int | None = None
    title: str | None = Field(None, min_length=1, max_length=150)
    rrule: str | None = Field(None, max_length=200)
    estimated_minutes: int | None = Field(None, ge=1)
    delivery: str | None = None
    checklist: list[str] | None = None
    segment_ids: list[int] | None = None
    is_audit: bool | None = None
    is_active: bool | None = None
