"""What every benchmark section reports: a figure, the limit it is compared to, the goal."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Result:
    """One line of `make bench`."""

    name: str
    value: float  # pyex's figure
    unit: str
    limit: float | None = None  # the raw figure (or the competitor's) from the same run
    limit_name: str = ""
    goal: str = ""  # e.g. ">= 0.75x raw" or "< 10 s"
    ok: bool | None = None  # whether the goal is met; None when there is no goal

    @property
    def ratio(self) -> float | None:
        if self.limit in (None, 0):
            return None
        return self.value / self.limit


def best_of(runs: int, measure: Callable[[], float]) -> float:
    """The best (highest) of several measurements of a rate: the least disturbed one."""
    return max(measure() for _ in range(runs))


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def rss_kb() -> int:
    """This process's resident memory in KB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
