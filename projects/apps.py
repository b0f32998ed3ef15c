from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projets")

    def ready(self) -> None:
        # A contact's personal data (programme/privacy.py): the messages the team sent them.
        from programme.privacy import Holder, register_holder

        from .mailing.selectors import emails_of_person
        from .mailing.services import emails_erase_for

        register_holder(Holder("e-mails reçus", emails_of_person, emails_erase_for))
