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
