"""Benchmark helpers: time a callable, report p50/p95 next to a bare baseline from the same run.

Figures are printed as ratios against the baseline so they mean something on any machine.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Timing:
    name: str
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(name: str, fn: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(name, samples)


def report(title: str, measured: Timing, baselines: list[Timing]) -> None:
    """Print one block: the measured figure and each baseline, with ratios measured / baseline."""
    print(f"\n## {title}")
    print(f"  {'':38} {'p50 (ms)':>10} {'p95 (ms)':>10}")
    for timing in [measured, *baselines]:
        print(f"  {timing.name:38} {timing.p50 * 1000:10.2f} {timing.p95 * 1000:10.2f}")
    for base in baselines:
        print(
            f"  ratio {measured.name} / {base.name}: p50 ×{measured.p50 / base.p50:.1f}, "
            f"p95 ×{measured.p95 / base.p95:.1f}"
        )


def capture_sql(fn: Callable[[], object]) -> list[tuple[str, tuple]]:
    """Every statement `fn` runs on the default database, with its parameters."""
    from django.db import connection

    captured: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return captured


def replay(statements: list[tuple[str, tuple]]) -> Callable[[], None]:
    """A callable running `statements` again through a raw cursor: what the database alone costs."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run
