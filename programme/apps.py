from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from django.db.models.signals import pre_save

        from .adapters import verify_login_address

        pre_save.connect(verify_login_address, sender=EmailAddress, dispatch_uid="parcours-login-address")
