from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.account.signals import user_logged_in
        from django.db.models.signals import pre_save

        from . import dataversion, lookups
        from .adapters import use_preferred_language, verify_login_address

        # Every committed write to a table the figures read makes a new data version (the dashboard's cache).
        dataversion.install()
        # `__folded`: a search by title or name, accents and case aside (SQLite's function on each connection).
        lookups.install()

        pre_save.connect(verify_login_address, sender=EmailAddress, dispatch_uid="parcours-login-address")
        user_logged_in.connect(use_preferred_language, dispatch_uid="parcours-login-language")
