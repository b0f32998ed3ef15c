"""The authentication middleware hands views the user itself, read once with the session."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from programme.middleware import AuthenticationMiddleware
from programme.models import User


def _through_middleware(request):
    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse("ok")

    AuthenticationMiddleware(view)(request)
    return seen["user"]


def test_a_signed_in_request_carries_its_user_not_a_lazy_stand_in(world, staff_client):
    request = RequestFactory().get("/")
    request.session = staff_client.session
    user = _through_middleware(request)
    assert type(user) is User and user == world.staff  # a model instance: no proxy call per attribute
    assert request.user is user and request._cached_user is user  # read once, kept for the request


def test_a_request_without_a_session_is_anonymous_and_reads_nothing(db, django_assert_num_queries):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/health/")
    request.session = SessionStore()
    with django_assert_num_queries(0):
        user = _through_middleware(request)
    assert isinstance(user, AnonymousUser)


def test_signing_in_and_out_still_replace_the_requests_user(world, client):
    response = client.post(
        "/accounts/login/", {"login": world.staff.email, "password": "wrong password"}, follow=False
    )
    assert response.status_code == 200  # refused, still anonymous
    client.force_login(world.staff)
    assert client.get("/").status_code == 200
    client.logout()
    assert client.get("/projets/").status_code == 302  # sent to the login page
