"""Reads of the e-mail pages: templates, who a message may go to, the placeholder values of one recipient,
and the plan of a bulk send (who receives it, who is skipped and why). Every read takes the acting user and
goes through `programme.access`."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programme import access
from programme.formatting import fr_datetime
from programme.models import Organisation, Person, Programme, User
from programme.selectors import account_language
from prospects.models import Interview, InterviewStatus, Prospect

from ..models import Project
from ..selectors import collective_people, collectives_contacts
from . import placeholders
from .models import EmailTemplate, Language, OutgoingEmail

#: Over this many recipients, a bulk send asks for an explicit confirmation (a checkbox).
LARGE_BULK = 1000


def templates_for(user: User, *, archived: bool | None = False) -> QuerySet[EmailTemplate]:
    """The team's templates (the usable ones by default; `archived=None`: all of them)."""
    queryset = access.scoped(user, EmailTemplate).select_related("updated_by")
    return queryset if archived is None else queryset.filter(archived=archived)


def template_for(user: User, pk: int) -> EmailTemplate:
    return access.get_for_user_or_404(templates_for(user, archived=None), pk=pk)


def contact_language(person: Person | None) -> str:
    """The language to write to a contact in: the one of the last message they were sent, else the one
    they chose for their account (a partner who reads the portal in English), else French."""
    if person is None or person.pk is None:
        return Language.FR
    last = OutgoingEmail.objects.filter(contact=person).order_by("-created_at", "-id").values("language")[:1]
    if last:
        return str(last[0]["language"])
    chosen = account_language(person.pk)
    return chosen if chosen in Language.values else Language.FR


def reachable(people: QuerySet[Person]) -> QuerySet[Person]:
    """The contacts an e-mail can go to: an address, not anonymised."""
    return people.filter(anonymised_at__isnull=True).exclude(email="")


def prospect_people(user: User, prospect: Prospect) -> QuerySet[Person]:
    return access.scoped(user, Person).filter(
        organisation_id=prospect.organisation_id, anonymised_at__isnull=True
    )


def project_people(user: User, project: Project) -> QuerySet[Person]:
    return collective_people(user, project)


def next_interview(prospect: Prospect | None) -> Interview | None:
    if prospect is None:
        return None
    return (
        prospect.interviews.filter(status=InterviewStatus.PLANNED, scheduled_at__gte=timezone.now())
        .order_by("scheduled_at")
        .first()
    )


def default_programme() -> Programme | None:
    return Programme.objects.filter(is_active=True).order_by("-start_date", "-pk").first()


def placeholder_values(
    *,
    person: Person | None,
    organisation: Organisation | None,
    sender: User,
    language: str,
    prospect: Prospect | None = None,
    project: Project | None = None,
    interview: Interview | None = None,
    programme: Programme | None = None,
    interview_known: bool = False,
) -> dict[str, str]:
    """What each placeholder reads for one recipient ("" when it has no value: the caller says so).
    `interview_known`: `interview` is the prospect's next one (None: there is none), already read."""
    programme = programme or (project.programme if project else prospect.programme if prospect else None)
    if interview is None and prospect is not None and not interview_known:
        interview = next_interview(prospect)
    with translation.override(language):
        interview_text = fr_datetime(interview.scheduled_at, "long") if interview else ""
    project_text = project.title if project is not None else (prospect.project_idea if prospect else "")
    return {
        "structure": organisation.name if organisation else "",
        "contact": str(person) if person else "",
        "prenom": person.first_name if person else "",
        "programme": programme.name if programme else "",
        "projet": project_text,
        "expediteur": sender.get_full_name() or sender.email,
        "entretien": interview_text,
    }


def missing_message(names: Iterable[str]) -> str:
    return _(
        "Pas de valeur pour %(names)s pour ce destinataire : retirez ce champ du message ou écrivez le texte "
        "à sa place."
    ) % {"names": ", ".join(f"{{{{ {name} }}}}" for name in names)}


# --- Bulk send ------------------------------------------------------------------------------------------


@dataclass
class Recipient:
    row: Prospect | Project  # what the message is about: it is logged on it
    person: Person
    values: dict[str, str]
    organisation: Organisation  # the structure the message is logged as an exchange on


@dataclass
class Skipped:
    row: Prospect | Project
    reason: str
    person: Person | None = None  # the contact left out, when the row has others


@dataclass
class BulkPlan:
    recipients: list[Recipient] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    row_count: int = 0  # the filtered rows (prospects or projects) the plan read

    @property
    def large(self) -> bool:
        return len(self.recipients) > LARGE_BULK

    @property
    def fingerprint(self) -> str:
        """Who receives the message, as one short string: the preview carries it to the confirmation, which
        refuses to send when the list has changed in between (a row added or moved out of the filter, a
        contact's address changed)."""
        lines = sorted(f"{r.row.pk}:{r.person.pk}:{r.person.email.strip().lower()}" for r in self.recipients)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def bulk_prospects(prospects: QuerySet[Prospect]) -> QuerySet[Prospect]:
    """The filtered prospects with what the plan reads, in a constant number of queries."""
    people = Person.objects.filter(anonymised_at__isnull=True).order_by("created_at", "pk")
    interviews = Interview.objects.filter(
        status=InterviewStatus.PLANNED, scheduled_at__gte=timezone.now()
    ).order_by("scheduled_at")
    return (
        prospects.select_related("organisation", "programme")
        .prefetch_related(
            Prefetch("organisation__people", queryset=people, to_attr="mail_people"),
            Prefetch("interviews", queryset=interviews, to_attr="mail_interviews"),
        )
        .order_by("organisation__name", "pk")
    )


def bulk_plan(
    prospects: QuerySet[Prospect], *, sender: User, language: str, texts: tuple[str, ...]
) -> BulkPlan:
    """Who a bulk message goes to. For each prospect, its structure's first contact recorded (the oldest) that
    has an e-mail address and a legal basis for being written to (consent, legitimate interest…); a prospect
    with none, an address already written to in this send, or a placeholder the message uses without a value
    for it is skipped, with the reason."""
    plan = BulkPlan()
    seen: set[str] = set()
    rows = list(dict.fromkeys(bulk_prospects(prospects)))  # a filter across a many-to-many may repeat a row
    plan.row_count = len(rows)
    for prospect in rows:
        people: list[Person] = getattr(prospect.organisation, "mail_people", [])
        with_email = [p for p in people if p.email]
        allowed = [p for p in with_email if p.consent_basis]
        if not people:
            plan.skipped.append(Skipped(prospect, _("Aucun contact enregistré pour cette structure.")))
            continue
        if not with_email:
            plan.skipped.append(
                Skipped(prospect, _("Aucun contact de cette structure n’a d’adresse e-mail."))
            )
            continue
        if not allowed:
            plan.skipped.append(
                Skipped(
                    prospect,
                    _(
                        "Aucun contact avec une adresse e-mail n’a de base légale enregistrée (consentement…)."
                    ),
                )
            )
            continue
        person = allowed[0]
        address = person.email.strip().lower()
        if address in seen:
            plan.skipped.append(
                Skipped(prospect, _("Cette adresse reçoit déjà ce message (autre prospect)."))
            )
            continue
        interviews: list[Interview] = getattr(prospect, "mail_interviews", [])
        values = placeholder_values(
            person=person,
            organisation=prospect.organisation,
            sender=sender,
            language=language,
            prospect=prospect,
            programme=prospect.programme,
            interview=interviews[0] if interviews else None,
            interview_known=True,
        )
        missing = placeholders.missing(values, *texts)
        if missing:
            names = ", ".join(f"{{{{ {name} }}}}" for name in missing)
            plan.skipped.append(Skipped(prospect, _("Pas de valeur pour %(names)s.") % {"names": names}))
            continue
        seen.add(address)
        plan.recipients.append(Recipient(prospect, person, values, prospect.organisation))
    return plan


def collectives_plan(
    projects: QuerySet[Project], *, sender: User, language: str, texts: tuple[str, ...]
) -> BulkPlan:
    """Who a message to the filtered projects' collectives goes to: every contact of each collective today
    (`projects.selectors.collectives_contacts`: the member structures' people and the people named in a
    membership in force) who has an e-mail address and a legal basis for being written to, by name. A contact
    with neither, with no structure to log the exchange on, already written to in this send (for another
    project) or missing a placeholder's value is skipped with the reason, as is a project whose collective has
    nobody. Three queries whatever the number of projects."""
    plan = BulkPlan()
    rows = list(dict.fromkeys(projects.select_related("programme").order_by("title", "pk")))
    plan.row_count = len(rows)
    contacts = collectives_contacts(sender, [project.pk for project in rows])
    people = Person.objects.select_related("organisation").in_bulk(set().union(*contacts.values()))
    seen: set[str] = set()
    for project in rows:
        collective = sorted(
            (people[pk] for pk in contacts[project.pk] if pk in people),
            key=lambda p: (p.last_name.lower(), p.first_name.lower(), p.pk),
        )
        if not collective:
            plan.skipped.append(Skipped(project, _("Personne dans le collectif de ce projet aujourd’hui.")))
        for person in collective:
            address = person.email.strip().lower()
            if not address:
                reason = _("Pas d’adresse e-mail.")
            elif not person.consent_basis:
                reason = _("Pas de base légale enregistrée (consentement…).")
            elif person.organisation is None:
                reason = _("Rattaché·e à aucune structure : l’échange ne pourrait pas être noté.")
            elif address in seen:
                reason = _("Cette adresse reçoit déjà ce message (autre projet).")
            else:
                values = placeholder_values(
                    person=person,
                    organisation=person.organisation,
                    sender=sender,
                    language=language,
                    project=project,
                    programme=project.programme,
                )
                missing = placeholders.missing(values, *texts)
                if not missing:
                    seen.add(address)
                    plan.recipients.append(Recipient(project, person, values, person.organisation))
                    continue
                names = ", ".join(f"{{{{ {name} }}}}" for name in missing)
                reason = _("Pas de valeur pour %(names)s.") % {"names": names}
            plan.skipped.append(Skipped(project, reason, person))
    return plan


def plan_for(
    rows: QuerySet[Prospect] | QuerySet[Project], *, sender: User, language: str, texts: tuple[str, ...]
) -> BulkPlan:
    """Who a bulk message to `rows` goes to: a prospect's first contact who may be written to (`bulk_plan`), or
    every contact of a project's collective who may be (`collectives_plan`)."""
    if rows.model is Project:
        return collectives_plan(rows, sender=sender, language=language, texts=texts)
    return bulk_plan(rows, sender=sender, language=language, texts=texts)  # type: ignore[arg-type]


def emails_of_person(person: Person) -> list[dict[str, Any]]:
    """The messages the team sent to a contact (to them, or to their address), as plain data, for their
    personal-data export (registered in projects/apps.py with programme/privacy.py). One query."""
    found = Q(contact=person)
    if person.email:
        found |= Q(to__iexact=person.email)
    return [
        {
            "écrit le": message.created_at.isoformat(),
            "envoyé le": message.sent_at.isoformat() if message.sent_at else None,
            "à": message.to,
            "objet": message.subject,
            "texte": message.body,
            "pièce jointe": message.attachment_name or None,
            "état": message.get_status_display(),
        }
        for message in OutgoingEmail.objects.filter(found).order_by("created_at", "pk")
    ]


def sent_emails(user: User) -> QuerySet[OutgoingEmail]:
    return access.scoped(user, OutgoingEmail).select_related(
        "organisation", "contact", "prospect", "project", "sender"
    )


def recent_for(user: User, **lookup: Any) -> list[OutgoingEmail]:
    """The last messages sent from a record (shown under the compose form)."""
    return list(sent_emails(user).filter(Q(**lookup))[:5])
