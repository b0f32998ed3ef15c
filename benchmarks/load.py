"""Whole-app load (issue #16): the app served by gunicorn (2 sync workers) with production settings, the main
pages driven from this process over loopback for a bounded time each, next to a hello-world view behind the
same middleware on the same server.

    .venv/bin/python -m benchmarks.load [--seconds 5] [--connections 4] [--small]
    make bench BENCH_ARGS="--only load"      # BENCH_LOAD_SECONDS=3 for a shorter run

The database is BENCH_DATABASE_URL (PostgreSQL; var/bench.sqlite3 without it), holding the benchmark dataset
(benchmarks/dataset.py: generated once, reused). A staff member (the one with the fullest inbox) and a
partner (of the structure leading « Projet bench 00000 ») get a known password and log in through the login
form; the client keeps their session cookies. Each page and the hello-world view are driven taking turns, in
slices (hello, page 1, page 2…, then again), by a few concurrent connections (threads of http.client): a busy
machine weighs on every row alike. Printed per page: requests per second, p50 / p99 latency, and the page's
requests per second as a share of hello-world's. Budget: every page ≥ 10 % of hello-world (in the closing
table, the ratio hello-world req/s ÷ page req/s ≤ 10×); exits with status 1 when one is missed.

This module is also the URLconf of the server it starts (benchmarks/load_settings.py): the app's URLs plus
`/__hello__/`. Nothing else runs at import time.
"""

import argparse
import http.client
import math
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

from benchmarks.common import use_bench_database

ROOT = Path(__file__).resolve().parent.parent
HELLO = "/__hello__/"
PASSWORD = "bench-load-password"
PARTNER_EMAIL = "partner@bench-load.parcours"
WORKERS = 2
#: Every main page must serve at least this share of hello-world's requests per second (issue #16).
MIN_SHARE = 0.10


def hello(request):
    """The floor: the whole middleware stack (session, user, CSP, locale…), no query of our own, a tiny page."""
    return HttpResponse("<!DOCTYPE html><title>hello</title><p>Hello, world</p>")


def __getattr__(name: str) -> list:
    """`urlpatterns`, built when the server's URL resolver first asks (the app's URLs need the apps loaded,
    which `python -m benchmarks.load` does only after parsing its arguments)."""
    if name == "urlpatterns":
        return [path("__hello__/", hello), path("", include("programme.urls"))]
    raise AttributeError(name)


# --- The client: one cookie jar per person, a few connections driving one address at a time ----------------


class Browser:
    """A person's cookies, kept from the Set-Cookie headers, sent back on every request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, url: str, body: str | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.header()}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/accounts/login/"
        try:
            connection.request(method, url, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, dict(response.headers.items()), text
        finally:
            connection.close()

    def log_in(self, email: str) -> None:
        status, _headers, page = self.request("GET", "/accounts/login/")
        assert status == 200, f"login page: HTTP {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "login": email, "password": PASSWORD}
        )
        status, headers, _page = self.request("POST", "/accounts/login/", form)
        assert status == 302 and "sessionid" in self.cookies, (
            f"login of {email} refused: HTTP {status}, {headers.get('Location')}"
        )


@dataclass
class Load:
    """What the connections measured on one address, summed over its slices."""

    label: str
    url: str
    browser: Browser
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))] if ordered else 0.0


def drive(load: Load, *, seconds: float, connections: int) -> None:
    """`connections` threads request `load.url` back to back for `seconds` (each ends its last request);
    every answer but a 200 is an error."""
    cookie = load.browser.header()
    port = load.browser.port
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def worker() -> None:
        latencies: list[float] = []
        errors = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                # gunicorn's sync workers close the connection after each answer: http.client reconnects.
                connection.request("GET", load.url, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            if ok:
                latencies.append(time.perf_counter() - began)
            else:
                errors += 1
        connection.close()
        with lock:
            load.latencies.extend(latencies)
            load.errors += errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.elapsed += time.perf_counter() - start


# --- The server ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(port: int) -> dict[str, str]:
    """Production settings for plain HTTP on loopback: DEBUG off, a secret key, the one allowed host, no
    HTTPS redirect (nothing terminates TLS here), a real-looking sender address (the settings refuse to start
    without one), static files collected for WhiteNoise's manifest storage under var/bench-static."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.load_settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if not env.get("DEFAULT_FROM_EMAIL"):
        env["DEFAULT_FROM_EMAIL"] = "Parcours <parcours@bench.example.org>"
    return env


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    command = [
        sys.executable, "-m", "gunicorn", "programme.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--chdir", str(ROOT),
        "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with status {server.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                status, _headers, _body = Browser(port).request("GET", "/accounts/login/")
                if status == 200:
                    return server
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")
    except BaseException:
        stop_server(server)  # interrupted or failed while starting: no server left behind
        raise


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the master (a graceful stop of its workers), SIGKILL to the group if it lingers."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- The dataset's people and pages ---------------------------------------------------------------------


def prepare() -> tuple[str, str, list[tuple[str, str, str]]]:
    """The staff member and the partner (with the known password) and the pages: (label, url, who)."""
    from django.db import connection
    from django.utils import timezone

    from benchmarks.dataset import MARKER
    from programme.models import Programme, Role, User
    from projects.inbox.selectors import inbox_count
    from projects.models import Project

    programme = Programme.objects.get(name=MARKER)
    today = timezone.localdate()
    staff = list(User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk")[:20])
    member = max(staff, key=lambda u: inbox_count(u, today=today))  # a busy inbox, not an empty page
    project = Project.objects.select_related("lead_organisation").get(title="Projet bench 00000")
    organisation = project.lead_organisation
    partner, _ = User.objects.update_or_create(
        email=PARTNER_EMAIL,
        defaults={
            "role": Role.PARTNER,
            "first_name": "Partenaire",
            "organisation": organisation,
            "person": organisation.people.filter(user__isnull=True).first(),
            "is_active": True,
        },
    )
    for user in (member, partner):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    connection.close()  # the server has its own connections
    pages = [
        ("Dashboard", f"/evaluation/tableau-de-bord/?programme={programme.pk}", "staff"),
        ("Prospect list", f"/prospects/?programme={programme.pk}&o=name", "staff"),
        (
            "Prospect list, filtered",
            f"/prospects/?programme={programme.pk}&stage=contacted&overdue=1&q=Bench",
            "staff",
        ),
        ("Staff home", "/", "staff"),
        ("Project page (100 workshops + 100 milestones)", f"/projets/{project.pk}/", "staff"),
        ("Team inbox « À traiter »", "/projets/a-traiter/", "staff"),
        ("Partner portal home", "/portail/", "partner"),
    ]
    return member.email, PARTNER_EMAIL, pages


def run(
    *, scale: float, seconds: float | None = None, connections: int = 2 * WORKERS, rounds: int = 0
) -> None:
    """Serve, log in, drive every page and hello-world taking turns, print the block and record the rows.
    The time per page is `seconds`, else BENCH_LOAD_SECONDS, else 5."""
    from benchmarks.common import RESULTS, Budget, Result, Timing

    seconds = seconds or float(os.environ.get("BENCH_LOAD_SECONDS") or 5)

    staff_email, partner_email, pages = prepare()
    rounds = rounds or max(1, min(5, round(seconds)))
    port = _free_port()
    log = ROOT / "var" / "bench-load-gunicorn.log"
    print(
        f"\nWhole-app load: gunicorn, {WORKERS} sync workers, production settings, 127.0.0.1:{port}; "
        f"{connections} connections, {seconds:g} s per page in {rounds} slices (log: {log.relative_to(ROOT)})"
    )

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    # A SIGTERM to the benchmark (a CI timeout…) stops gunicorn too, through the `finally` below.
    previous = signal.signal(signal.SIGTERM, interrupted)
    server = start_server(port, server_environment(port), log)
    try:
        browsers = {"staff": Browser(port), "partner": Browser(port)}
        browsers["staff"].log_in(staff_email)
        browsers["partner"].log_in(partner_email)
        loads = [Load("Hello-world (same middleware)", HELLO, browsers["staff"])]
        loads += [Load(label, url, browsers[who]) for label, url, who in pages]
        for load in loads:  # warm every worker: imports, template loading, connections
            for _ in range(2 * WORKERS):
                status, headers, _body = load.browser.request("GET", load.url)
                assert status == 200, f"{load.label} {load.url}: HTTP {status} {headers.get('Location', '')}"
        for _ in range(rounds):
            for load in loads:
                drive(load, seconds=seconds / rounds, connections=connections)
    finally:
        stop_server(server)
        signal.signal(signal.SIGTERM, previous)

    hello_load = loads[0]
    print(f"  {'page':52} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'share':>7}  n")
    for load in loads:
        share = load.rps / hello_load.rps if hello_load.rps else 0.0
        errors = f", {load.errors} errors" if load.errors else ""
        print(
            f"  {load.label[:52]:52} {load.rps:8.1f} {load.percentile(0.5) * 1000:8.1f}"
            f" {load.percentile(0.99) * 1000:8.1f} {share:7.1%}  {len(load.latencies)}{errors}"
        )
    for load in loads[1:]:
        share = load.rps / hello_load.rps if hello_load.rps else 0.0
        # The row's "ours" and "baseline" are the time per request at full load (1 / req/s), so the ratio is
        # hello-world's req/s over the page's: ≤ 10× is the page serving ≥ 10 % of hello-world's requests.
        result = Result(
            f"Load, {WORKERS} workers: {load.label} ({share:.1%} of hello-world's req/s)",
            # An error misses the row, whatever the rate.
            Timing(
                "time per request at full load", [1 / load.rps if load.rps and not load.errors else math.inf]
            ),
            Timing("hello-world", [1 / hello_load.rps if hello_load.rps else math.inf]),
            Budget(ratio=1 / MIN_SHARE),
            note=(
                f"{load.rps:.1f} req/s, p50 {load.percentile(0.5) * 1000:.1f}, "
                f"p99 {load.percentile(0.99) * 1000:.1f}" + (f", {load.errors} errors" if load.errors else "")
            ),
        )
        RESULTS.append(result)
    print(
        f"  (baseline: hello-world {hello_load.rps:.1f} req/s, p50 {statistics.median(hello_load.latencies) * 1000:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--seconds", type=float, help="time per page (default: BENCH_LOAD_SECONDS, else 5)")
    parser.add_argument("--connections", type=int, default=2 * WORKERS, help="concurrent connections")
    parser.add_argument("--small", action="store_true", help="generate a tenth of the dataset if none exists")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the benchmark dataset")
    args = parser.parse_args()

    use_bench_database(ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from benchmarks import dataset
    from benchmarks.common import print_table
    from programme.models import Programme

    # The dataset already there is used whatever its scale (no 40-minute rebuild by surprise).
    existing = Programme.objects.filter(name=dataset.MARKER).first()
    scale = 0.1 if args.small else 1.0
    if existing and not args.regenerate and existing.description.startswith("scale="):
        scale = float(existing.description.removeprefix("scale=").split()[0])  # "scale=1.0 v6"
    dataset.ensure(scale=scale, regenerate=args.regenerate)
    print(f"Parcours whole-app load — database {django.db.connection.vendor}, scale {scale}")
    run(scale=scale, seconds=args.seconds, connections=args.connections)
    if not print_table():
        print("\nSome budgets are missed (see the table above).")
        sys.exit(1)


if __name__ == "__main__":
    main()
