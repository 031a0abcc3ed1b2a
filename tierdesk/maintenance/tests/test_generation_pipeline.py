"""Generation over many chunks: on PostgreSQL the chunks' work orders are written by a
second thread while the next chunk is planned. It must write exactly what chunk-by-chunk
generation inside one transaction writes, and a writer's error must reach the caller.

These tests commit (transactional database): the writer's connection sees only committed
rows. On SQLite the chunks are always written in turn, so there they pin that path.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from tierdesk.clients.factories import ClientFactory
from tierdesk.maintenance import generation
from tierdesk.maintenance.factories import active_agreement, load_tiers
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import GenerationMark, WorkOrder

TODAY = dt.date(2026, 3, 2)
SEGMENTS = ("small-business", "medical", "mixed-mac-pc", "finance", "non-profit")


@pytest.fixture
def five_agreements(transactional_db, monkeypatch):
    """Five agreements on Gold and Platinum over several segments and zones, generated two
    agreements to a chunk (three chunks)."""
    tiers = load_tiers()
    monkeypatch.setattr(generation, "CHUNK", 2)
    zones = ("America/New_York", "America/Denver", "Europe/London")
    for i, segment in enumerate(SEGMENTS):
        client = ClientFactory(name=f"Pipeline client {i}", timezone=zones[i % len(zones)])
        active_agreement(client=client, version=tiers["platinum" if i % 2 else "gold"],
                         start=dt.date(2025, 11, 3) + dt.timedelta(days=9 * i),
                         segment_slug=segment)


def _work_orders() -> list[tuple]:
    return sorted(WorkOrder.objects.values_list(
        "agreement_id", "key", "due_on", "scheduled_at", "due_at", "checklist", "status"))


def _writer_threads(monkeypatch) -> list[str]:
    names: list[str] = []
    write = generation._write_chunk

    def recorded(writes, result):
        names.append(threading.current_thread().name)
        return write(writes, result)

    monkeypatch.setattr(generation, "_write_chunk", recorded)
    return names


def test_pipelined_generation_writes_what_generation_in_turn_writes(five_agreements,
                                                                    monkeypatch):
    threads = _writer_threads(monkeypatch)
    first = workorders_generate(today=TODAY, horizon_days=30)
    pipelined = _work_orders()
    assert first.agreements == 5 and first.created == len(pipelined) > 100
    assert GenerationMark.objects.count() == 5
    if connection.vendor == "postgresql":
        assert len(threads) == 3 and all(n.startswith("workorders") for n in threads)
    else:
        assert threads == [threading.current_thread().name] * 3

    WorkOrder.objects.all().delete()
    GenerationMark.objects.all().delete()
    with transaction.atomic():  # a caller's transaction: written in turn, on this thread
        again = workorders_generate(today=TODAY, horizon_days=30)
    assert threads[3:] == [threading.current_thread().name] * 3
    assert again.created == first.created
    assert _work_orders() == pipelined  # daily lists' items in the same order too
    assert workorders_generate(today=TODAY, horizon_days=30).created == 0


def test_a_failing_chunk_write_reaches_the_caller_and_keeps_the_chunks_before_it(
        five_agreements, monkeypatch):
    write = generation._write_chunk
    calls = []

    def fails_second(writes, result):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return write(writes, result)

    monkeypatch.setattr(generation, "_write_chunk", fails_second)
    with pytest.raises(RuntimeError, match="disk full"):
        workorders_generate(today=TODAY, horizon_days=30)
    assert GenerationMark.objects.count() in (2, 4)  # the first chunk, maybe the third
    written = set(WorkOrder.objects.values_list("agreement_id", flat=True))
    assert written == set(GenerationMark.objects.values_list("agreement_id", flat=True))

    monkeypatch.setattr(generation, "_write_chunk", write)
    workorders_generate(today=TODAY, horizon_days=30)
    assert GenerationMark.objects.count() == 5
    keys = list(WorkOrder.objects.values_list("agreement_id", "key"))
    assert len(keys) == len(set(keys))
