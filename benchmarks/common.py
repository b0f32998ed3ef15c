"""Benchmark helpers: time a page (or job) and its honest baseline taking turns, and collect one result row
per operation for the closing table.

The baseline of a page is **its own SQL**: every statement the page ran, captured once and replayed through
a raw cursor, plus plain string building of the rows it fetched (what a hand-written page would do with
them). Page and baseline are timed taking turns (a, b, a, b…) so a machine whose load changes during the run
weighs on both alike; ratios of medians are what compare across machines.

Adding a benchmark = one function calling `compare(...)` (it prints its block and records its row) and, if
it is a new module, a `benchmarks/bench_<name>.py` with `run(*, scale)`; `make bench` prints every row in
the closing table "operation | ours | baseline | ratio | budget | met" and exits non-zero when one is missed.
"""

import html
import io
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIN_REPEAT = 5
#: A comparison takes turns until each side has run at least `repeat` times AND the turns have taken
#: MIN_SECONDS (at most MAX_REPEAT turns): five turns of a 20 ms page are a tenth of a second, and on a
#: shared two-core machine the median of five moved the filtered prospect list between 2.4× and 3.0× from
#: one run to the next. A slow operation (an import, a report) stops at its `repeat`.
MIN_SECONDS = 3.0
MAX_REPEAT = 100


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

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)


@dataclass
class Budget:
    """What an operation must meet: a ratio to its baseline, an absolute median, a number of queries, a
    memory growth. Any of them may be None (not budgeted). `databases`: the databases the budget is judged
    on, where the issue that set it names them (None: every database); elsewhere the row is measured and
    printed, not judged."""

    ratio: float | None = None
    ms: float | None = None
    queries: int | None = None
    mb: float | None = None
    databases: tuple[str, ...] | None = None

    def __str__(self) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"≤ {self.ratio:g}×")
        if self.ms is not None:
            parts.append(f"≤ {self.ms:g} ms")
        if self.queries is not None:
            parts.append(f"≤ {self.queries} queries")
        if self.mb is not None:
            parts.append(f"≤ {self.mb:g} MB growth")
        if parts and self.databases:
            parts.append(f"on {self.where}")
        return ", ".join(parts) or "—"

    @property
    def where(self) -> str:
        """The databases the budget is judged on, as the table names them (« PostgreSQL »)."""
        return " and ".join(DATABASE_NAMES.get(name, name) for name in self.databases or ())


#: How the closing table names a database (Django's vendor names).
DATABASE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


@dataclass
class Result:
    operation: str
    ours: Timing
    baseline: Timing | None
    budget: Budget = field(default_factory=Budget)
    queries: int | None = None
    #: Memory growth in MB, when measured.
    mb: float | None = None
    #: A figure measured some other way, shown instead of the median when set.
    note: str = ""
    #: The database it was measured on (Django's vendor name).
    database: str = field(default_factory=lambda: _vendor())

    @property
    def judged(self) -> bool:
        """Whether the budget applies on the database measured."""
        return self.budget.databases is None or self.database in self.budget.databases

    @property
    def ratio(self) -> float | None:
        return self.ours.p50 / self.baseline.p50 if self.baseline and self.baseline.p50 else None

    @property
    def met(self) -> bool:
        if self.budget.ratio is not None and (self.ratio is None or self.ratio > self.budget.ratio):
            return False
        if self.budget.ms is not None and self.ours.p50 * 1000 > self.budget.ms:
            return False
        if self.budget.mb is not None and (self.mb is None or self.mb > self.budget.mb):
            return False
        return not (self.budget.queries is not None and (self.queries or 0) > self.budget.queries)


#: Every row of the closing table, in the order the benchmarks ran.
RESULTS: list[Result] = []


def memory_mb(field: str = "VmRSS") -> float:
    """This process's resident memory in MB: `VmRSS` now, or `VmHWM` its peak. Read from
    /proc/self/status, which counts this process's own memory since it started its program — unlike
    `getrusage(...).ru_maxrss`, which Linux carries across exec from the parent: a child started by a
    parent that already holds 600 MB reported a peak of 600 MB whatever it did."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure(name: str, fn: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(name, samples)


def measure_interleaved(
    named: list[tuple[str, Callable[[], object]]], *, repeat: int, warmup: int = 1
) -> list[Timing]:
    """Time each callable at least `repeat` times, taking turns (a, b, a, b…) so that a machine whose load
    changes during the run weighs on both alike — measured one after the other, a busy minute lands on one
    only; fast callables take more turns, until MIN_SECONDS (at most MAX_REPEAT)."""
    for _ in range(warmup):
        for _name, fn in named:
            fn()
    samples: list[list[float]] = [[] for _ in named]
    began = time.perf_counter()
    turns = 0
    while turns < repeat or (turns < MAX_REPEAT and time.perf_counter() - began < MIN_SECONDS):
        turns += 1
        for index, (_name, fn) in enumerate(named):
            start = time.perf_counter()
            fn()
            samples[index].append(time.perf_counter() - start)
    return [Timing(name, values) for (name, _fn), values in zip(named, samples, strict=True)]


def count(n: int) -> str:
    """10 000, as the tables print numbers."""
    return f"{n:,}".replace(",", " ")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(title: str, measured: Timing, baselines: list[Timing]) -> None:
    """Print one block: min / median / max of the measured figure and of each baseline, with ratios."""
    print(f"\n## {title}")
    print(f"  {'':44} {'min (ms)':>10} {'median':>10} {'max':>10}  n")
    for timing in [measured, *baselines]:
        print(
            f"  {timing.name[:44]:44} {_ms(timing.min):>10} {_ms(timing.p50):>10} {_ms(timing.max):>10}"
            f"  {len(timing.samples)}"
        )
    for base in baselines:
        print(f"  ratio of medians {measured.name} / {base.name}: ×{measured.p50 / base.p50:.2f}")


def compare(
    operation: str,
    ours: Callable[[], object],
    baseline: Callable[[], object] | None,
    *,
    budget: Budget | None = None,
    queries: int | None = None,
    repeat: int = MIN_REPEAT,
    warmup: int = 1,
    ours_name: str = "ours",
    baseline_name: str = "baseline: its own SQL + string building",
) -> Result:
    """Time `ours` and `baseline` taking turns (at least MIN_REPEAT times each), print the block and record
    the row of the closing table."""
    named = [(ours_name, ours)] + ([(baseline_name, baseline)] if baseline else [])
    timings = measure_interleaved(named, repeat=max(repeat, MIN_REPEAT), warmup=warmup)
    title = operation + (f" — {queries} queries" if queries is not None else "")
    report(title, timings[0], timings[1:])
    result = Result(operation, timings[0], timings[1] if baseline else None, budget or Budget(), queries)
    RESULTS.append(result)
    return result


def print_table() -> bool:
    """The closing table; True when every budget is met."""
    print("\n## Summary\n")
    print("| operation | ours (median ms) | baseline (median ms) | ratio | budget | met |")
    print("|---|---:|---:|---:|---|---|")
    for r in RESULTS:
        ours = r.note or _ms(r.ours.p50) + (f" ({r.queries} q.)" if r.queries is not None else "")
        base = _ms(r.baseline.p50) if r.baseline else "—"
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        met = ("✓" if r.met else "✗ **missed**") if r.judged else f"— (judged on {r.budget.where})"
        print(f"| {r.operation} | {ours} | {base} | {ratio} | {r.budget} | {met} |")
    return all(r.met for r in RESULTS if r.judged)


# --- Capturing and replaying a page's SQL -----------------------------------------------------------------


def capture_sql(fn: Callable[[], object]) -> list[tuple[str, tuple]]:
    """Every statement `fn` runs on the default database, with its parameters — the SQL as the ORM wrote
    it (a server-side cursor's SELECT, not psycopg's `DECLARE … CURSOR` around it)."""
    from django.db import connection

    captured: list[tuple[str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return captured


_READ = re.compile(r"^\s*(SELECT|WITH|\()", re.IGNORECASE)
#: A read the page runs as a prepared statement (`programme.batch.prepared_raw_rows`: PREPARE when the
#: connection lacks it, then EXECUTE): its baseline runs the same EXECUTE, the statement prepared as the page
#: left it — a hand-written page would prepare its statement too.
_PREPARED_READ = re.compile(r"(?:^|;\s*)(SET LOCAL plan_cache_mode = \w+; EXECUTE \w+(?:\([^)]*\))?)\s*$")
_DECLARE = re.compile(r"^\s*DECLARE\s+\S+.*?\bCURSOR\b.*?\bFOR\s+", re.IGNORECASE | re.DOTALL)


def reads_only(statements: list[tuple[str, tuple]]) -> list[tuple[str, tuple]]:
    """The plain SELECTs among `statements` (a `DECLARE … CURSOR FOR` becomes its SELECT; savepoints,
    session writes and the like are left out: a page's baseline is what it reads)."""
    plain = [(_DECLARE.sub("", sql, count=1), params) for sql, params in statements]
    reads = []
    for sql, params in plain:
        prepared = _PREPARED_READ.search(sql)
        if prepared:
            reads.append((prepared.group(1), params))
        elif _READ.match(sql):
            reads.append((sql, params))
    return reads


def html_rows(rows: list[tuple]) -> str:
    """Plain string building: what a hand-written page does with the rows it fetched."""
    return "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>" for row in rows
    )


def replay(statements: list[tuple[str, tuple]], *, build: bool = True) -> Callable[[], str]:
    """A callable running `statements` again through a raw cursor and building a plain HTML string of
    every row fetched: what the database plus the least possible Python cost."""
    from django.db import connection

    def run() -> str:
        parts = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                while cursor.description is None and hasattr(cursor, "nextset") and cursor.nextset():
                    pass  # several statements in one (a prepared read: SET LOCAL, then EXECUTE)
                if cursor.description is not None:
                    rows = cursor.fetchall()
                    if build:
                        parts.append(html_rows(rows))
        return "<table>" + "".join(parts) + "</table>"

    return run


def served(client, url: str) -> Callable[[], bytes]:
    """`url` fetched as a WSGI server (gunicorn) has Django serve it: Django's WSGI handler called with the
    request's environ and the signed-in `client`'s cookies — the middleware, session, user, view and
    templates, the request signals — rather than through the test client, which also does work of its own
    that no server does (a request built by its factory, receivers connected and disconnected around every
    request, the response dressed for assertions: about 0.2 ms a page, a fifth of a bare page).

    The database connection is kept from one request to the next, as the test client keeps it and as the
    app does on PostgreSQL (CONN_MAX_AGE): Django's `close_old_connections` is left out of the request
    signals. (The app's SQLite settings close the connection after every request — see
    docs/benchmarks.md: a new connection reads the schema again, which is not the page's cost.)"""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    client.get(url)  # the cookies a first visit sets (the CSRF token's)
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "HTTP_COOKIE": "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items()),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    handler = WSGIHandler()

    def fetch() -> bytes:
        request_started.disconnect(close_old_connections)  # the test client connects it again after its own
        request_finished.disconnect(close_old_connections)
        statuses: list[str] = []
        response = handler(
            {**environ, "wsgi.input": io.BytesIO()}, lambda status, headers, *_: statuses.append(status)
        )
        try:
            body = b"".join(response)
        finally:
            response.close()
        assert statuses[0].startswith("200"), (url, statuses[0])
        return body

    return fetch


def page_and_baseline(client, url: str) -> tuple[Callable[[], object], Callable[[], object], int]:
    """The page as a server has Django serve it (`served`: middleware, session, views, templates), and its
    baseline: the page's own reads, captured from one fetch, replayed with string building. Returns also the
    number of queries the page runs."""
    fetch = served(client, url)
    fetch()  # warm caches (session, content types) before capturing
    statements = capture_sql(fetch)
    return fetch, replay(reads_only(statements)), len(statements)


# --- What several benchmarks share ------------------------------------------------------------------------


def use_bench_database(root: Path) -> None:
    """Point Django (not set up yet) at the benchmark database: BENCH_DATABASE_URL, else DATABASE_URL, else
    var/bench.sqlite3 under `root`."""
    (root / "var").mkdir(exist_ok=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", f"sqlite:///{root / 'var' / 'bench.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")


def bench_director() -> Any:
    """The director the benchmarks sign in as (created once)."""
    from programme.models import Role, User

    user, _ = User.objects.get_or_create(
        email="bench-director@parcours.invalid", defaults={"role": Role.DIRECTOR, "first_name": "Bench"}
    )
    return user


def bare_view(request: Any) -> Any:
    """The floor: session, user and the middleware stack, no query of our own, a tiny page."""
    from django.http import HttpResponse

    return HttpResponse("<!DOCTYPE html><title>bare</title><p>ok</p>")


def with_bare_page(route: str) -> list[Any]:
    """The app's URLs plus `bare_view` at `route` (a benchmark module's `urlpatterns`, for ROOT_URLCONF)."""
    from django.urls import include, path

    return [path(route, bare_view), path("", include("programme.urls"))]
