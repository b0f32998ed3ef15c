"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Outside CI, a machine without /usr/bin/chromium skips these tests with a clear reason; in CI (CI=true)
a missing Chromium is a failure, never a skip.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class SerialWSGIServer(WSGIServer):
    """The live server answering one request at a time. With SQLite in memory every thread of a threaded live
    server shares the test's one connection, and requests that arrive together (a page and the panels it
    loads) interleave their queries on it: a session read half-way, a user logged out in the middle of a test.
    PostgreSQL (CI) gives each thread its own connection and keeps the threaded server."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LiveServerThread.server_class = SerialWSGIServer


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # One browser per xdist worker is plenty on a 2-core machine: keep e2e tests together.
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required for browser tests in CI ({CHROMIUM} not found)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped outside CI")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


# --- The walk: every page a role uses (issue #14), for the phone and console tests -----------------------------

#: Where the walk's screenshots go (a test artifact, never committed: /var/ is in .gitignore).
SCREENSHOTS = Path(
    os.environ.get("PARCOURS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
DEMO_PASSWORD = "parcours-demo"
#: Sub-navigations whose links are pages of the same section (tabs, section menus, the portal's project switcher).
SUBNAV_LINKS = "main nav a[href^='/'], .tabs a[href^='/'], .subnav a[href^='/'], .pr-subnav a[href^='/'], .portal-switcher a[href^='/']"
#: Reports the browser makes about the Content Security Policy (a console message may be phrased differently).
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});"""


@pytest.fixture
def demo(transactional_db, settings):
    """The demo data (`seed_demo`), so that the walk sees pages as full as a demo shows them — except the
    rendered PDF reports (half a minute of rendering per test; the report pages are walked all the same)."""
    from django.db import transaction

    from evaluation.management.commands.seed_demo import STEPS
    from evaluation.reports import demo as reports_demo
    from programme.demo import DemoContext

    ctx = DemoContext()
    with transaction.atomic():
        for step in STEPS:
            if step is not reports_demo.build:
                step(ctx)
    return ctx


@dataclass
class Walk:
    """A signed-in browser session that visits pages and keeps what went wrong on each."""

    page: Any
    base: str
    role: str
    errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def listen(self) -> None:
        self.page.on(
            "console", lambda m: m.type == "error" and self.errors.append(f"{self.page.url}: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        if path not in self.visited:
            self.visited.append(path)

    def links(self, selector: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
        return [h.split("#")[0] for h in hrefs if h and not h.startswith("#")]

    def screenshot(self, path: str, width: int) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "accueil"
        target = SCREENSHOTS / f"{self.role}-{width}-{slug}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(target), full_page=True)
        return target


def open_walk(browser, live_server, email: str, role: str, viewport: dict) -> Walk:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=viewport)
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    walk = Walk(page=context.new_page(), base=live_server.url, role=role)
    walk.listen()
    login(walk.page, live_server, email, DEMO_PASSWORD)
    return walk


def pages_of(walk: Walk, demo) -> list[str]:
    """Every page of the role's main menu, the sections' sub-pages (tabs, sub-menus), and for the team the
    project board, the deadlines, the richest demo project with all its tabs and its evaluation protocol;
    for a partner, every page of the portal linked from "Mon projet"."""
    from django.urls import reverse

    from projects.models import Project

    walk.go("/")
    paths = [p for p in walk.links(".sidebar a") if p]
    if walk.role in ("staff", "director"):
        project = (
            Project.objects.filter(phase="experimentation").order_by("pk").first()
            or Project.objects.order_by("pk").first()
        )
        paths += [
            "/",
            reverse("projects:project.board"),
            reverse("projects:deadline.list"),
            reverse("projects:project.detail", args=[project.pk]),
            reverse("evaluation:protocol", args=[project.pk]),
            # A form whose menu lists every structure by name (a fieldset grows to its widest option).
            reverse("prospects:prospect.create"),
        ]
    else:
        paths.append(reverse("portal:home"))
    seen: list[str] = []
    shapes: set[str] = set()
    for path in paths:
        # One page of each kind is enough (the portal links four workshops, five committees…).
        shape = re.sub(r"\d+", "N", path)
        if path in seen or shape in shapes:
            continue
        seen.append(path)
        shapes.add(shape)
        walk.go(path)
        for link in walk.links(SUBNAV_LINKS):
            if link not in seen and link not in paths:
                paths.append(link)
        if re.fullmatch(r"/portail/(projets/\d+/)?", path):
            # The portal's pages are linked from "Mon projet" (workshops, deliverables, indicators…).
            for link in walk.links("main a[href^='/portail/']"):
                if link not in paths and not re.search(
                    r"/(telecharger|justificatif|faite|ouvrir|mes-donnees)/", link
                ):
                    paths.append(link)
    return seen


def lyon_project() -> tuple[Any, Any]:
    """The setting of several browser tests: the programme « Coopérations Lyon », its promotion 2026 and
    its project « Alimentation solidaire », led by the Épicerie Coopérative du Tonkin. Returns the
    programme and the project."""
    from tests.factories import (
        CohortFactory,
        MembershipFactory,
        OrganisationFactory,
        ProgrammeFactory,
        ProjectFactory,
    )

    programme = ProgrammeFactory(name="Coopérations Lyon")
    cohort = CohortFactory(programme=programme, name="Promotion 2026")
    organisation = OrganisationFactory(name="Épicerie Coopérative du Tonkin")
    project = ProjectFactory(
        programme=programme, cohort=cohort, title="Alimentation solidaire", lead_organisation=organisation
    )
    MembershipFactory(project=project, organisation=organisation, role="lead")
    return programme, project
