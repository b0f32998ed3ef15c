"""Sessions read by a compiled statement (programme.sessions.PreparedRead: the engine without Redis,
programme.db_sessions, and the database read of the Redis engine on a cache miss): what Django's own
read finds — the session of this key while it lasts, nothing once it expired or for an unknown key."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from programme import db_sessions, sessions
from tests.clients import FormClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("engine", [db_sessions.SessionStore, sessions.SessionStore])
def test_it_reads_what_djangos_read_reads(engine):
    django_store = db.SessionStore()
    django_store["who"] = "Élise"
    django_store.set_expiry(3600)
    django_store.save()
    key = django_store.session_key

    assert (
        engine(key)._get_session_from_db().session_data
        == db.SessionStore(key)._get_session_from_db().session_data
    )
    assert engine(key)._get_session_from_db().expire_date == Session.objects.get(session_key=key).expire_date
    assert db_sessions.SessionStore(key)["who"] == "Élise"

    unknown = db_sessions.SessionStore("k" * 32)
    assert unknown._get_session_from_db() is None and unknown.session_key is None

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = db_sessions.SessionStore(key)
    assert expired._get_session_from_db() is None
    assert db.SessionStore(key)._get_session_from_db() is None  # Django agrees
    assert dict(db_sessions.SessionStore(key).items()) == {}


def test_a_signed_in_member_stays_signed_in_until_the_session_expires(world, settings):
    settings.SESSION_ENGINE = "programme.db_sessions"
    client = FormClient()
    client.force_login(world.staff)
    assert client.get(reverse("prospects:prospect.list")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("prospects:prospect.list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("engine", ["programme.db_sessions", "programme.sessions"])
def test_a_session_opened_under_djangos_backend_stays_signed_in(world, settings, engine):
    """Sessions from before programme.adapters.ModelBackend name Django's class, no longer listed: they
    are read as ours — nobody is signed out by the change — and the page knows who is signed in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    settings.SESSION_ENGINE = engine
    store = import_string(f"{engine}.SessionStore")()
    store[SESSION_KEY] = str(world.staff.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = world.staff.get_session_auth_hash()
    store.save()
    client = FormClient()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    response = client.get(reverse("prospects:prospect.list"))
    assert response.status_code == 200 and response.wsgi_request.user == world.staff


def test_the_member_is_read_as_django_reads_them_and_an_inactive_one_is_not(world):
    from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

    from programme.adapters import AuthenticationBackend, ModelBackend

    ours, django = (
        ModelBackend().get_user(world.partner_a.pk),
        DjangoModelBackend().get_user(world.partner_a.pk),
    )
    fields = [f.attname for f in type(ours)._meta.concrete_fields]
    assert [getattr(ours, f) for f in fields] == [getattr(django, f) for f in fields]
    assert AuthenticationBackend().get_user(world.partner_a.pk) == world.partner_a
    assert ModelBackend().get_user(987654) is None
    world.partner_a.is_active = False
    world.partner_a.save(update_fields=["is_active"])
    assert ModelBackend().get_user(world.partner_a.pk) is None
    assert AuthenticationBackend().get_user(world.partner_a.pk) is None
