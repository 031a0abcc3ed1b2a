"""What opening a ticket needs from a plan version — channels, channel instructions, coverage
hours and each priority's response target — kept per process, so opening a ticket does not
read the version and its targets again for every ticket.

Why a cache is safe here: a plan version that any agreement refers to is frozen.
plans.services.plan_version_save creates version N+1 instead of editing N as soon as N has
an agreement, and ticket_open only ever reaches a version through the client's agreement.
The one way a version's terms change is the designer's in-place edit of a version that NO
agreement uses (not yet, or no longer: a draft agreement can be deleted, after which its
version is editable again). That edit saves the version row, which moves its `updated_at`
(TimeStampedModel, auto_now), and does so in the same transaction as the target rows.

So the key is (version id, `updated_at`), read in the same statement as the agreement:
an edited version is a new key, never a stale hit. The key also holds where a database
reuses ids (SQLite test databases roll back and hand out the same id again; the new row
has another `updated_at`).

What the key cannot see: raw UPDATEs that bypass PlanVersion.save (`queryset.update()` on a
version or its ResponseTarget rows). Nothing in tierdesk does that to a version in use;
a test that does it and then opens a ticket calls `clear()`.

Values are immutable (frozen dataclasses, a frozenset, the hours as JSON text): every
caller gets its own hours dict, so a ticket that changes its snapshot cannot change the
cache. The cache is bounded (LRU); a miss costs two small queries.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from tierdesk.plans.models import PlanVersion, ResponseTarget

MAX_VERSIONS = 256


@dataclass(frozen=True)
class TargetTerms:
    """A ResponseTarget's fields, as clocks.target_snapshot reads them."""

    kind: str
    first_response_minutes: int | None
    same_day_cutoff: dt.time | None
    onsite_minutes: int | None
    resolution_minutes: int | None


@dataclass(frozen=True)
class VersionTerms:
    """The part of a plan version that ticket opening reads."""

    version_id: int
    channels: frozenset[str]
    channel_instructions: str
    hours_json: str
    targets: tuple[tuple[str, TargetTerms], ...]

    @property
    def hours(self) -> dict:
        """A fresh copy of the coverage hours (the ticket's `sla_calendar` snapshot)."""
        return json.loads(self.hours_json)

    def target(self, priority: str) -> TargetTerms | None:
        for name, terms in self.targets:
            if name == priority:
                return terms
        return None


_TARGET_FIELDS = ("kind", "first_response_minutes", "same_day_cutoff", "onsite_minutes",
                  "resolution_minutes")


@lru_cache(maxsize=MAX_VERSIONS)
def _load(version_id: int, updated_at: dt.datetime) -> VersionTerms | None:
    row = (PlanVersion.objects.filter(pk=version_id, updated_at=updated_at)
           .values("channels", "channel_instructions", "hours").first())
    if row is None:
        # Edited (or deleted) since the caller read `updated_at`: nothing to cache under
        # this key. lru_cache would keep the None, so raise instead and let the caller read.
        raise LookupError(version_id)
    targets = tuple(
        (t["priority"], TargetTerms(**{f: t[f] for f in _TARGET_FIELDS}))
        for t in ResponseTarget.objects.filter(version_id=version_id)
        .order_by("priority").values("priority", *_TARGET_FIELDS)
    )
    return VersionTerms(
        version_id=version_id, channels=frozenset(row["channels"] or ()),
        channel_instructions=row["channel_instructions"],
        hours_json=json.dumps(row["hours"]), targets=targets,
    )


def version_terms(version_id: int, updated_at: dt.datetime) -> VersionTerms:
    """The terms of the plan version `version_id` whose row has `updated_at` (read with
    the agreement that refers to it). Call it only for a version reached through an
    agreement: see the module docstring for why those are frozen."""
    try:
        return _load(version_id, updated_at)
    except LookupError:
        # The version changed between the two reads (only possible while no agreement
        # uses it): serve what is stored now, uncached.
        version = PlanVersion.objects.get(pk=version_id)
        return _load.__wrapped__(version.pk, version.updated_at)


def clear() -> None:
    """Forget every cached version (tests that change a version with a raw UPDATE)."""
    _load.cache_clear()
