"""The test client that sends a form the way a browser does: with the one-time submission token that
every create form of Parcours carries (`programme.forms.EdgeChecks`, refused without it by
`programme.pages.save_once`). Tests that are about the token send it themselves: a `submission_token`
field in the data, under any prefix, is left as it is."""

import uuid
from typing import Any

from django.test import Client

TOKEN = "submission_token"


def with_tokens(data: Any) -> Any:
    """`data` plus a fresh token for the unprefixed form and for every prefix its fields use
    (`new-name` → `new-submission_token`); extra fields are ignored by the forms that have no token."""
    if not isinstance(data, dict) or any(str(key).endswith(TOKEN) for key in data):
        return data
    prefixes = {str(key).rsplit("-", 1)[0] for key in data if "-" in str(key)}
    tokens = {TOKEN: uuid.uuid4().hex} | {f"{prefix}-{TOKEN}": uuid.uuid4().hex for prefix in prefixes}
    return {**tokens, **data}


class FormClient(Client):
    def post(self, path: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("content_type"):
            data = with_tokens({} if data is None else data)
        return super().post(path, data, *args, **kwargs)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret` (the second step of a two-factor sign-in)."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
