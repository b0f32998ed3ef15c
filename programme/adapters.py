from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Parcours accounts are created by invitation only: there is no public sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
