"""Paused intervals (a ticket waiting on the client, say): validation and merging."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .instants import require_aware, to_us


def merge_pauses(paused: Iterable[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    """Validate ``(start, end)`` pairs and return their union as sorted epoch-µs pairs.

    Overlapping or touching pauses merge, so overlapping time is counted once. Empty pauses
    (start == end) are dropped; a pause that ends before it starts is an error.
    """
    pairs: list[tuple[int, int]] = []
    for index, pair in enumerate(paused):
        try:
            start, end = pair
        except (TypeError, ValueError):
            raise ValueError(f"paused[{index}] must be a (start, end) pair, got {pair!r}") from None
        start_us = to_us(require_aware(start, f"paused[{index}] start"))
        end_us = to_us(require_aware(end, f"paused[{index}] end"))
        if end_us < start_us:
            raise ValueError(
                f"paused[{index}]: end {end.isoformat()} is before start {start.isoformat()}"
            )
        if end_us > start_us:
            pairs.append((start_us, end_us))
    pairs.sort()
    merged: list[tuple[int, int]] = []
    for start_us, end_us in pairs:
        if merged and start_us <= merged[-1][1]:
            if end_us > merged[-1][1]:
                merged[-1] = (merged[-1][0], end_us)
        else:
            merged.append((start_us, end_us))
    return merged
