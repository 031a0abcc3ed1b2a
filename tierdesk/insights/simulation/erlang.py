"""Closed forms for the M/M/c queue (Poisson arrivals, exponential work, c servers, FCFS),
against which the simulation is validated and which give a quick first answer.

``offered_load`` is arrival rate x mean work time (in erlangs, e.g. 6 an hour x 40 minutes
= 4); a stable queue needs ``offered_load < servers``. Rates and times share one unit.
"""

from __future__ import annotations

import math


def _check(servers: int, offered_load: float) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers: must be a positive integer, got {servers!r}")
    if not math.isfinite(offered_load) or offered_load < 0:
        raise ValueError(f"offered_load: must be a non-negative number, got {offered_load!r}")


def erlang_b(servers: int, offered_load: float) -> float:
    """The blocking probability of M/M/c/c, by the stable recursion
    ``B(k) = a B(k-1) / (k + a B(k-1))`` (no factorials, no overflow)."""
    _check(servers, offered_load)
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that an arrival waits in M/M/c (1.0 when the queue is unstable)."""
    _check(servers, offered_load)
    if offered_load >= servers:
        return 1.0
    b = erlang_b(servers, offered_load)
    return servers * b / (servers - offered_load * (1 - b))


def _rates(arrival_rate: float, mean_service: float, servers: int) -> tuple[float, float]:
    if not (math.isfinite(arrival_rate) and arrival_rate > 0):
        raise ValueError(f"arrival_rate: must be positive, got {arrival_rate!r}")
    if not (math.isfinite(mean_service) and mean_service > 0):
        raise ValueError(f"mean_service: must be positive, got {mean_service!r}")
    load = arrival_rate * mean_service
    _check(servers, load)
    if load >= servers:
        raise ValueError(f"offered load {load:g} needs more than {servers} servers: "
                         "the queue grows without bound")
    return load, servers / mean_service - arrival_rate


def mmc_mean_wait(arrival_rate: float, mean_service: float, servers: int) -> float:
    """The mean wait before service, ``C(c, a) / (c mu - lambda)``, in the time unit used."""
    load, drain = _rates(arrival_rate, mean_service, servers)
    return erlang_c(servers, load) / drain


def mmc_wait_within(arrival_rate: float, mean_service: float, servers: int,
                    within: float) -> float:
    """The share of arrivals that wait at most ``within``: ``1 - C e^{-(c mu - lambda) t}``
    (the classic service-level formula)."""
    load, drain = _rates(arrival_rate, mean_service, servers)
    if within < 0:
        raise ValueError(f"within: must not be negative, got {within!r}")
    return 1 - erlang_c(servers, load) * math.exp(-drain * within)


def mmc_utilisation(arrival_rate: float, mean_service: float, servers: int) -> float:
    """The share of time each server is busy, ``lambda / (c mu)``."""
    load, _ = _rates(arrival_rate, mean_service, servers)
    return load / servers
