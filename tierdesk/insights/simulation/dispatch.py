"""The dispatcher: who works on which ticket, and when.

Rule: a free technician who may work now and has the needed skill takes the waiting
ticket with the earliest due time (ties: the earlier arrival). A technician may work inside
their own hours; out of them, one who is on call takes tickets of 24x7 tiers only. Among
several free technicians an arriving ticket goes to one in hours before one on call, and
to the one idle longest. Work is never interrupted: a ticket started before the close is
finished after it (overtime).

Two implementations give the same assignments:

* ``dispatch_pool`` - every technician always available, same skills, and due times in
  arrival order, so earliest-due is first-come-first-served: the multi-server recursion
  ``start = max(arrival, earliest free time)`` over a heap of free times, one
  ``heapreplace`` per ticket. Each technician is recovered afterwards from which earlier
  finish time each ticket took over (vectorised).
* ``dispatch_general`` - an event loop over arrivals and availability changes (both known
  in advance, merged into one sorted stream; see ``availability.py``) and finishes (a
  heap); waiting tickets sit in four heaps keyed by due time, one per class (skill x
  24x7), and free technicians in two sets (in hours; out of hours on call).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from .availability import CLOSE, ON_CALL, OPEN, Wakes


@dataclass
class Assignment:
    """Who took each ticket: ``start`` (NaN when never started), ``tech`` (-1) and whether
    the technician took it on call (out of their hours)."""

    start: np.ndarray
    tech: np.ndarray
    on_call: np.ndarray


def dispatch_pool(arrival: np.ndarray, occupancy: np.ndarray, servers: int) -> Assignment:
    """First come, first served over ``servers`` interchangeable, always available
    technicians (see the module docstring)."""
    n = len(arrival)
    heap = [0.0] * servers
    replace = heapq.heapreplace
    # The hot loop: one comparison and one C-level heapreplace per ticket. The popped value
    # is the free time of the technician who takes the ticket.
    popped = np.array(
        [replace(heap, (a if a > (free := heap[0]) else free) + w)
         for a, w in zip(arrival.tolist(), occupancy.tolist(), strict=True)]
    )
    start = np.maximum(arrival, popped) if n else np.empty(0)
    return Assignment(start, _pool_technicians(popped, start + occupancy, servers),
                      np.zeros(n, dtype=bool))


def _pool_technicians(popped: np.ndarray, finish: np.ndarray, servers: int) -> np.ndarray:
    """Which technician took each ticket in ``dispatch_pool``.

    The first ``servers`` tickets pop the initial zeros (technicians 0, 1, ...); every later
    ticket pops the finish time of an earlier ticket and so inherits its technician. The
    heap's minimum never decreases, so ``popped`` is sorted and each finish time is found
    in it by one ``searchsorted``; the parent links are then followed by pointer jumping
    (log n numpy passes). Equal finish times would make the links ambiguous: replay then.
    """
    n = len(popped)
    if n <= servers:
        return np.arange(n)
    later = popped[servers:]
    child = np.searchsorted(later, finish)
    found = child < len(later)
    found[found] = later[child[found]] == finish[found]
    if (int(found.sum()) != len(later) or np.any(np.diff(later) == 0)
            or np.bincount(child[found]).max(initial=0) > 1):
        return _pool_technicians_slow(popped, finish, servers)
    parent = np.arange(n)
    parent[child[found] + servers] = np.flatnonzero(found)
    while True:
        grand = parent[parent]
        if not (grand >= servers).any():
            return grand
        if np.array_equal(grand, parent):
            return grand
        parent = grand


def _pool_technicians_slow(popped: np.ndarray, finish: np.ndarray, servers: int) -> np.ndarray:
    """The same by replaying the heap with technician numbers (ties in finish times)."""
    heap = [(0.0, i) for i in range(servers)]
    tech = np.empty(len(popped), dtype=np.int64)
    for k, f in enumerate(finish.tolist()):
        _, t = heapq.heapreplace(heap, (f, heap[0][1]))
        tech[k] = t
    return tech


ARRIVE = 4  # after the wake kinds: at one instant, availability changes apply first


def dispatch_general(*, arrival: np.ndarray, qclass: np.ndarray, occupancy: np.ndarray,
                     urgency: np.ndarray, wakes: Wakes, serves_in: list[tuple[int, ...]],
                     serves_on_call: list[tuple[int, ...]], limit: float) -> Assignment:
    """The event loop (see the module docstring). Stops when every ticket has started or at
    ``limit`` (tickets still waiting then are left unstarted).

    Arrivals and availability changes are both known in advance, so they are merged into
    one sorted stream up front; only finishes need a heap. At one instant finishes come
    first, then availability changes, then arrivals.
    """
    n, n_tech = len(arrival), len(serves_in)
    times = np.concatenate((wakes.times, arrival))
    kinds = np.concatenate((wakes.kinds, np.full(n, ARRIVE, dtype=np.int64)))
    refs = np.concatenate((wakes.techs, np.arange(n)))
    order = np.lexsort((kinds, times))  # stable: wakes keep their order at equal instants
    qcl, occ, urg = qclass.tolist(), occupancy.tolist(), urgency.tolist()
    start = [float("nan")] * n
    tech_of = [-1] * n
    by_call = [False] * n
    in_q = [[q in qs for q in range(4)] for qs in serves_in]
    call_q = [[q in qs for q in range(4)] for qs in serves_on_call]
    in_hours = [False] * n_tech
    on_call = [False] * n_tech
    busy = [False] * n_tech
    idle_since = [0.0] * n_tech
    # Free technicians who may work now: in their hours (any class they have the skill
    # for), or out of them and on call (24x7 classes only).
    ready: set[int] = set()
    standby: set[int] = set()
    queues: list[list[tuple[float, int]]] = [[], [], [], []]
    finishes: list[tuple[float, int]] = []
    push, pop = heapq.heappush, heapq.heappop
    inf = float("inf")
    waiting = 0
    remaining = n

    def take(tech: int, t: float) -> bool:
        """Give the free ``tech`` the most urgent ticket it may take now, if any."""
        if in_hours[tech]:
            serves, called = in_q[tech], False
        elif on_call[tech]:
            serves, called = call_q[tech], True
        else:
            return False
        best = None
        best_q = -1
        for q in range(4):
            if serves[q] and queues[q]:
                head = queues[q][0]
                if best is None or head < best:
                    best, best_q = head, q
        if best is None:
            return False
        pop(queues[best_q])
        k = best[1]
        start[k] = t
        tech_of[k] = tech
        by_call[k] = called
        busy[tech] = True
        ready.discard(tech)
        standby.discard(tech)
        push(finishes, (t + occ[k], tech))
        return True

    def settle(tech: int) -> None:
        """Put the free ``tech`` in the set its hours and on-call state allow."""
        if in_hours[tech]:
            standby.discard(tech)
            ready.add(tech)
        else:
            ready.discard(tech)
            if on_call[tech]:
                standby.add(tech)
            else:
                standby.discard(tech)

    def finish_until(t: float) -> None:
        nonlocal waiting
        while finishes and finishes[0][0] <= t:
            done, tech = pop(finishes)
            busy[tech] = False
            idle_since[tech] = done
            if waiting and take(tech, done):
                waiting -= 1
            else:
                settle(tech)

    for t, kind, ref in zip(times[order].tolist(), kinds[order].tolist(),
                            refs[order].tolist(), strict=True):
        if not remaining and not waiting:
            break
        if finishes and finishes[0][0] <= t:
            finish_until(t)
        if kind == ARRIVE:
            remaining -= 1
            q = qcl[ref]
            best, best_idle = -1, inf
            for tech in ready:
                if in_q[tech][q] and idle_since[tech] < best_idle:
                    best, best_idle = tech, idle_since[tech]
            called = False
            if best < 0 and q & 1 and standby:
                for tech in standby:
                    if call_q[tech][q] and idle_since[tech] < best_idle:
                        best, best_idle = tech, idle_since[tech]
                called = best >= 0
            if best < 0:
                push(queues[q], (urg[ref], ref))
                waiting += 1
                continue
            start[ref] = t
            tech_of[ref] = best
            by_call[ref] = called
            busy[best] = True
            (standby if called else ready).discard(best)
            push(finishes, (t + occ[ref], best))
            continue
        if kind == OPEN:
            in_hours[ref] = True
        elif kind == CLOSE:
            in_hours[ref] = False
        elif kind == ON_CALL:
            on_call[ref] = True
        else:  # OFF_CALL
            on_call[ref] = False
        if not busy[ref]:
            if waiting and (kind == OPEN or kind == ON_CALL) and take(ref, t):
                waiting -= 1
            else:
                settle(ref)
    # No more arrivals or availability changes before the limit: finishing technicians
    # may still take what waits.
    if waiting:
        finish_until(limit)
    return Assignment(np.asarray(start, dtype=float), np.asarray(tech_of, dtype=np.int64),
                      np.asarray(by_call, dtype=bool))
