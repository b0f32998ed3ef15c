"""allauth wiring: invitation-only accounts, the client address behind proxies, login by verified
addresses only, a budget of its own for two-factor codes."""

import ipaddress
from collections.abc import Callable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from allauth.core import context, ratelimit
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal import auth as totp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .batch import PreparedModels, stand_in


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless PARCOURS_TRUSTED_PROXIES proxies of ours stand in front,
    in which case the address the outermost of them saw (X-Forwarded-For, read from the right: entries
    further left are whatever the client sent). Without the setting X-Forwarded-For is never trusted."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    trusted = settings.PARCOURS_TRUSTED_PROXIES
    forwarded = [
        part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()
    ]
    if trusted <= 0 or not forwarded:
        return remote
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class AccountAdapter(DefaultAccountAdapter):
    """Parcours accounts are created by invitation only: there is no public sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits count per client address: behind the proxy, not one bucket for the whole organisation.
        return client_ip(request)


#: The signed-in member, read on every page (`PreparedUserLoad`).
_SIGNED_IN = PreparedModels(lambda shape: get_user_model()._default_manager.filter(pk=stand_in(0)))


class PreparedUserLoad:
    """ModelBackend's load of the session's member (`get_user`: by id, none when the account is inactive)
    by a statement compiled once per process: every signed-in page runs it, and building and compiling
    `objects.get(pk=…)` cost more than running it."""

    def get_user(self, user_id: Any) -> Any:
        found = _SIGNED_IN.objects(values={stand_in(0): user_id}, today=None)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(PreparedUserLoad, DjangoModelBackend):
    """Django's ModelBackend (sign-in by login address and password), its member loaded by
    `PreparedUserLoad`. Sessions opened under Django's own class are read as this one's
    (`programme.sessions.PreparedRead`)."""


class AuthenticationBackend(PreparedUserLoad, AllauthBackend):
    """Sign in by e-mail with the account's login address or another address it has verified: an address
    added but not verified yet is nobody's login."""

    def _authenticate_by_email(self, email: str, password: str) -> AbstractBaseUser | None:
        user = super()._authenticate_by_email(email, password)
        if user is None:
            return None
        email = email.strip()
        if (getattr(user, "email", "") or "").lower() == email.lower():
            return user
        if EmailAddress.objects.filter(user_id=user.pk, email__iexact=email, verified=True).exists():
            return user
        return None


def verify_login_address(sender: type, instance: EmailAddress, **kwargs: Any) -> None:
    """pre_save of allauth's EmailAddress. A Parcours account's login address was proven by the invitation
    link (and a new one must be verified before it replaces it): the row allauth creates for it on the fly
    (a password reset request, the e-mail page) is verified, so an anonymous reset request cannot block
    the member's two-factor activation as an "unverified address"."""
    if instance.verified or not instance.user_id:
        return
    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(pk=instance.user_id, email__iexact=instance.email).exists():
        instance.verified = True


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    """What Django's language switch sets: the pages speak `language` from the next request on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def use_preferred_language(
    sender: type, request: HttpRequest, user: Any, response: HttpResponseBase | None = None, **kwargs: Any
) -> None:
    """allauth's user_logged_in: after login the pages speak the person's language (`User.language`), set
    as the language switch sets it, so the switch keeps working afterwards."""
    language = getattr(user, "language", "")
    if response is not None and language in dict(settings.LANGUAGES):
        set_language_cookie(response, language)


# --- Two-factor codes: a budget of their own ------------------------------------------------------------


def _code_budget(user: AbstractBaseUser, error_key: str = "too_many_login_attempts") -> Callable[[], None]:
    """Count one two-factor code attempt against `mfa_code_failed` (ACCOUNT_RATE_LIMITS), not against the
    password budget `login_failed`: wrong codes never lock anyone out of typing their password."""
    from allauth.account.adapter import get_adapter

    key = f"mfa-code-user-{user.pk}"
    if not ratelimit.consume(context.request, action="mfa_code_failed", key=key):
        raise get_adapter().validation_error(error_key)
    return lambda: ratelimit.clear(context.request, action="mfa_code_failed", key=key)


class _CodeWithOwnBudget:
    """allauth's `clean_code` of the authenticate forms, with the code budget above."""

    user: AbstractBaseUser
    cleaned_data: dict[str, Any]
    authenticator: Authenticator

    def clean_code(self) -> str:
        clear_budget = _code_budget(self.user)
        code = self.cleaned_data["code"]
        main: Authenticator | None = None
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if not main or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                clear_budget()
                return code
        if main:
            self._emit_authentication_failed(main)  # type: ignore[attr-defined]
        raise get_mfa_adapter().validation_error("incorrect_code")


class MFAAuthenticateForm(_CodeWithOwnBudget, AuthenticateForm):
    pass


class MFAReauthenticateForm(_CodeWithOwnBudget, ReauthenticateForm):
    pass


class MFAActivateTOTPForm(ActivateTOTPForm):
    def clean_code(self) -> str:
        from allauth.mfa.internal.flows.add import validate_can_add_authenticator

        validate_can_add_authenticator(self.user)
        clear_budget = _code_budget(self.user, error_key="rate_limited")
        code = self.cleaned_data["code"]
        if not totp.validate_totp_code(self.secret, code):
            raise get_mfa_adapter().validation_error("incorrect_code")
        clear_budget()
        return code
