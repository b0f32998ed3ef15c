"""Shared fixtures: named users (staff, director, partner A, partner B, outsider) and a small world with
two collectives, the way healthchecks' tests name their users."""

import os
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from programme import forms as programme_forms
from projects.models import MemberRole

from .clients import FormClient
from .factories import (
    CohortFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)

# Browser tests drive Playwright's sync API, which runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    # Each test process gets its own in-memory cache and database sessions, even when REDIS_URL is set
    # (CI): parallel workers must not flush each other's sessions or rate-limit counters. The Redis cache
    # itself is exercised by tests/programme/test_redis.py.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"parcours-tests-{uuid.uuid4().hex}",  # a fresh cache per test: no rate limit leaks
        }
    }
    settings.SESSION_ENGINE = "programme.db_sessions"  # the engine without Redis (a compiled read)
    # The menus' options a list page keeps by data version (programme.forms._OPTIONS) start empty too: a
    # flush between committing tests restarts the data version, which a real database never does.
    programme_forms._OPTIONS.clear()
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    yield
    # A request answered in English (a user's language, the switch) leaves English active in this thread:
    # the next test on the same worker must start in French, as a fresh process would.
    translation.activate(django_settings.LANGUAGE_CODE)


def _configure_tasks_for_tests() -> None:
    """The test settings for background work, explicit: tasks run inline (eagerly) — what most tests check is
    what a task does, not the queue — and, without Redis, nothing is ever written to the filesystem broker
    under var/celery (a test that turns eagerness off publishes to an in-memory broker nobody reads). Tests
    marked `worker` start a real worker on a broker of their own and turn eagerness off for themselves."""
    from django.conf import settings

    from programme.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    if not settings.REDIS_URL:
        settings.CELERY_BROKER_URL = "memory://"
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
        app.conf.broker_url = "memory://"
        app.conf.broker_transport_options = {}


_configure_tasks_for_tests()


@pytest.fixture(autouse=True)
def _inline_tasks(request, settings):
    """Tasks run inline in every test, even when REDIS_URL is set (CI); worker tests run them on a worker."""
    from programme.celery import app

    eager = not request.node.get_closest_marker("worker")
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = True


@dataclass
class World:
    programme: object
    cohort: object
    staff: object
    director: object
    partner_a: object
    partner_b: object
    outsider_partner: object
    org_a: object
    org_b: object
    project_a: object
    project_b: object
    person_a: object
    person_b: object


@pytest.fixture
def world(db) -> World:
    """Two collectives: partner A's organisation is in project A, partner B's in project B."""
    programme = ProgrammeFactory(name="Programme Test")
    cohort = CohortFactory(programme=programme, name="Promotion Test")
    org_a = OrganisationFactory(name="Structure A")
    org_b = OrganisationFactory(name="Structure B")
    org_c = OrganisationFactory(name="Structure sans projet")
    project_a = ProjectFactory(programme=programme, cohort=cohort, title="Projet A", lead_organisation=org_a)
    project_b = ProjectFactory(programme=programme, cohort=cohort, title="Projet B", lead_organisation=org_b)
    MembershipFactory(project=project_a, organisation=org_a, role=MemberRole.LEAD)
    MembershipFactory(project=project_b, organisation=org_b, role=MemberRole.LEAD)
    person_a = PersonFactory(organisation=org_a, first_name="Alice", last_name="Alpha")
    person_b = PersonFactory(organisation=org_b, first_name="Bruno", last_name="Bravo")
    return World(
        programme=programme,
        cohort=cohort,
        staff=UserFactory(email="staff@test.fr", role="staff", first_name="Sam"),
        director=UserFactory(email="director@test.fr", role="director", first_name="Dominique"),
        partner_a=UserFactory(email="a@test.fr", role="partner", organisation=org_a, person=person_a),
        partner_b=UserFactory(email="b@test.fr", role="partner", organisation=org_b, person=person_b),
        outsider_partner=UserFactory(email="c@test.fr", role="partner", organisation=org_c),
        org_a=org_a,
        org_b=org_b,
        project_a=project_a,
        project_b=project_b,
        person_a=person_a,
        person_b=person_b,
    )


@pytest.fixture
def client() -> Client:
    """pytest-django's `client`, sending create forms with their submission token as a browser does."""
    return FormClient()


def client_for(user) -> Client:
    client = FormClient()
    if user is not None:
        client.force_login(user)
    return client


def _client_of(role: str):
    """A fixture: a client signed in as the world's `role`."""

    @pytest.fixture
    def signed_in_client(world) -> Client:
        return client_for(getattr(world, role))

    return signed_in_client


staff_client = _client_of("staff")
director_client = _client_of("director")
partner_a_client = _client_of("partner_a")
partner_b_client = _client_of("partner_b")
