"""Every URL pattern of Parcours, walked as anonymous, staff, director, partner A and partner B."""

import pytest
from django.urls import reverse

from tests.access import ROLES, all_cases, our_url_patterns
from tests.conftest import client_for


def our_url_names() -> set[str]:
    return set(our_url_patterns())


def test_every_url_pattern_has_an_access_case():
    covered = {case.name for case in all_cases()}
    missing = sorted(our_url_names() - covered)
    assert not missing, f"URL patterns without an access case in tests/<app>/access_cases.py: {missing}"


def test_no_access_case_names_an_unknown_url():
    unknown = sorted({case.name for case in all_cases()} - our_url_names())
    assert not unknown, f"Access cases for URLs that do not exist: {unknown}"


MATRIX = [(case, role) for case in all_cases() for role in ROLES]


@pytest.mark.parametrize(("case", "role"), MATRIX, ids=[f"{case.label}-{role}" for case, role in MATRIX])
def test_access(world, case, role):
    user = None if role == "anonymous" else getattr(world, role)
    client = client_for(user)
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    data = case.data(world) if case.data else {}
    response = client.post(url, data) if case.method == "post" else client.get(url, data)
    expected = case.expected[role]
    if expected == "login":
        assert response.status_code == 302, f"{role} on {url}: {response.status_code}"
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
        return
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, f"{role} {case.method.upper()} {url}: {response.status_code}"
    if role == "partner_b" and case.secret is not None and response.status_code == 200:
        body = b"".join(response) if response.streaming else response.content
        assert case.secret(world).encode() not in body
