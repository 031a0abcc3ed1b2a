"""Dispatch rules of the simulation: earliest due first, skills, longest idle, in hours
before on call (no database). Tickets are laid out by hand and fed to the event loop."""

import math

import numpy as np

from tierdesk.insights.simulation.availability import (
    Hours,
    skill_classes,
    wake_events,
)
from tierdesk.insights.simulation.dispatch import dispatch_general, dispatch_pool

INF = math.inf
LIMIT = 10_000.0
REMOTE, REMOTE_24x7, ONSITE, ONSITE_24x7 = 0, 1, 2, 3


def dispatch(tickets, *, hours=None, skills=None, on_call=None, techs=1):
    """tickets: (arrival, class, work, due) rows; hours: per technician (open, close)."""
    hours = hours or [[(0.0, LIMIT)]] * (len(skills) if skills else techs)
    skills = skills or [("remote", "onsite")] * len(hours)
    laid_out = [Hours.of(np.array([o for o, _ in h], dtype=float),
                         np.array([c for _, c in h], dtype=float)) for h in hours]
    calls = np.zeros((1, len(hours)), dtype=bool)
    for tech in on_call or ():
        calls[0, tech] = True
    classes = [skill_classes(s) for s in skills]
    rows = np.array(tickets, dtype=float)
    return dispatch_general(
        arrival=rows[:, 0], qclass=rows[:, 1].astype(np.int64), occupancy=rows[:, 2],
        urgency=rows[:, 3], wakes=wake_events(laid_out, calls, int(LIMIT)),
        serves_in=[c[0] for c in classes], serves_on_call=[c[1] for c in classes],
        limit=LIMIT)


def test_a_free_technician_takes_the_waiting_ticket_with_the_earliest_due_time():
    a = dispatch([(0, REMOTE, 100, INF),     # keeps the only technician busy until 100
                  (10, REMOTE, 50, 900),     # waits, due later
                  (20, REMOTE, 50, 300)])    # waits, due sooner: goes first
    assert a.start.tolist() == [0, 150, 100]


def test_equal_due_times_are_served_in_arrival_order():
    a = dispatch([(0, REMOTE, 100, INF), (10, REMOTE, 10, 500), (20, REMOTE, 10, 500)])
    assert a.start.tolist() == [0, 100, 110]


def test_a_visit_waits_for_a_technician_with_the_onsite_skill():
    a = dispatch([(0, ONSITE, 100, INF), (10, ONSITE, 10, INF), (20, REMOTE, 10, INF)],
                 skills=[("remote",), ("remote", "onsite")])
    # The remote-only technician 0 is free all along but cannot drive out.
    assert a.tech.tolist() == [1, 1, 0]
    assert a.start.tolist() == [0, 100, 20]


def test_a_ticket_nobody_can_take_is_left_unstarted():
    a = dispatch([(0, ONSITE, 10, INF), (5, REMOTE, 10, INF)], skills=[("remote",)])
    assert math.isnan(a.start[0]) and a.tech[0] == -1
    assert a.start[1] == 5


def test_an_arriving_ticket_goes_to_the_technician_idle_longest():
    a = dispatch([(0, REMOTE, 50, INF),    # tech 0, free again at 50
                  (1, REMOTE, 10, INF),    # tech 1, free again at 11
                  (100, REMOTE, 5, INF)],  # both idle: tech 1 has been idle longer
                 techs=2)
    assert a.tech.tolist() == [0, 1, 1]


def test_technicians_work_only_in_their_hours():
    a = dispatch([(0, REMOTE, 30, INF), (500, REMOTE, 30, INF)],
                 hours=[[(100, 200), (600, 700)]])
    assert a.start.tolist() == [100, 600]
    assert not a.on_call.any()


def test_work_started_before_the_close_is_finished_after_it():
    a = dispatch([(150, REMOTE, 100, INF), (160, REMOTE, 10, INF)],
                 hours=[[(100, 200), (600, 700)]])
    # The first runs to 250 (overtime); the second waits for the next opening.
    assert a.start.tolist() == [150, 600]


def test_on_call_technicians_take_only_24x7_tickets_out_of_hours():
    a = dispatch([(300, REMOTE, 10, INF), (310, REMOTE_24x7, 10, INF)],
                 hours=[[(100, 200), (600, 700)]], on_call=[0])
    assert a.start.tolist() == [600, 310]
    assert a.on_call.tolist() == [False, True]


def test_a_technician_in_hours_is_preferred_to_one_on_call():
    a = dispatch([(300, REMOTE_24x7, 10, INF)],
                 hours=[[(0, 1000)], [(100, 200)]], on_call=[1])
    assert a.tech.tolist() == [0] and not a.on_call[0]


def test_nobody_on_call_leaves_24x7_tickets_to_the_next_shift():
    a = dispatch([(300, ONSITE_24x7, 10, INF)], hours=[[(100, 200), (600, 700)]])
    assert a.start.tolist() == [600]


def test_the_pool_recursion_is_first_come_first_served_with_the_longest_idle_first():
    arrival = np.array([0.0, 1.0, 2.0, 3.0, 50.0])
    work = np.array([10.0, 100.0, 5.0, 5.0, 5.0])
    a = dispatch_pool(arrival, work, 2)
    assert a.start.tolist() == [0, 1, 10, 15, 50]
    assert a.tech.tolist() == [0, 1, 0, 0, 0]
    general = dispatch([(t, REMOTE, w, INF) for t, w in zip(arrival, work, strict=True)],
                       techs=2)
    assert general.start.tolist() == a.start.tolist()
    assert general.tech.tolist() == a.tech.tolist()
