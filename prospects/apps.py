from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProspectsConfig(AppConfig):
    name = "prospects"
    verbose_name = _("Prospects")

    def ready(self) -> None:
        # The territory page (programme.territories): the events held there and the density of ESS
        # structures the SIRENE register finds there, each a team view of ours loaded into the page by URL.
        from programme.privacy import Holder, register_holder
        from programme.territories.sections import Section, register_section

        register_section(Section("events", "prospects:event.territory", _("Événements et formations"), 15))
        register_section(
            Section(
                "register", "prospects:register.territory", _("Structures de l’ESS (répertoire SIRENE)"), 40
            )
        )
        # A contact's personal data (programme/privacy.py): the applications to the calls they made.
        from .calls.selectors import applications_of_person
        from .calls.services import applications_erase_for

        register_holder(Holder("candidatures aux appels", applications_of_person, applications_erase_for))
        # The team's exchanges with them: their name leaves the text (nothing to export: team notes).
        from .services import exchanges_erase_for

        register_holder(Holder("échanges", None, exchanges_erase_for))
