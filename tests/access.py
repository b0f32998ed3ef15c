"""The URL × role access matrix, shared by every app.

Each app lists its URLs in `tests/<app>/access_cases.py` as `CASES = [Case(...), ...]`. The matrix test
(tests/test_access_matrix.py) walks every case as every role, and fails when a URL pattern of ours has no
case — so a new URL cannot ship without saying who may see it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "staff", "director", "partner_a", "partner_b")

LOGIN = "login"  # expected value meaning: redirected to the login page

#: Programme team pages: staff and directors in, partners 404, anonymous to login.
TEAM = {"anonymous": LOGIN, "staff": 200, "director": 200, "partner_a": 404, "partner_b": 404}
#: Director-only decisions.
DIRECTOR = {"anonymous": LOGIN, "staff": 404, "director": 200, "partner_a": 404, "partner_b": 404}
#: Any signed-in user.
SIGNED_IN = {"anonymous": LOGIN, "staff": 200, "director": 200, "partner_a": 200, "partner_b": 200}
#: An object of partner A's project: A and the team see it, B gets 404.
PARTNER_A_OBJECT = {
    "anonymous": LOGIN,
    "staff": 200,
    "director": 200,
    "partner_a": 200,
    "partner_b": 404,
}
#: Partner portal pages: partners in, the team 404.
PARTNERS = {"anonymous": LOGIN, "staff": 404, "director": 404, "partner_a": 200, "partner_b": 200}
#: Public pages.
PUBLIC = {"anonymous": 200, "staff": 200, "director": 200, "partner_a": 200, "partner_b": 200}


@dataclass
class Case:
    name: str  # "namespace:url.name"
    expected: dict[str, Any]
    kwargs: Callable[[Any], dict] = field(default=lambda world: {})
    method: str = "get"
    data: Callable[[Any], dict] | None = None
    query: str = ""
    # Text that belongs to partner A's world and must never appear in a body served to partner B.
    secret: Callable[[Any], str] | None = None
    id: str = ""

    def with_overrides(self, **expected) -> "Case":
        return Case(**{**self.__dict__, "expected": {**self.expected, **expected}})

    @property
    def label(self) -> str:
        return self.id or f"{self.method}:{self.name}"


def all_cases() -> list[Case]:
    import importlib

    cases: list[Case] = []
    for app in ("programme", "prospects", "projects", "evaluation", "reports", "portal"):
        try:
            module = importlib.import_module(f"tests.{app}.access_cases")
        except ModuleNotFoundError as error:
            if error.name not in (f"tests.{app}", f"tests.{app}.access_cases"):
                raise
            continue
        cases.extend(module.CASES)
    return cases
