"""Writes of project steering. Keyword-only, typed, atomic; every change is audited.

The phase pipeline is a state machine living in `project_move` only: selection → emergence →
experimentation → deployment → completed, "arrêt" from any active phase, "prolongation" of the current
phase. Every move is a GateDecision recorded under a row lock on the project.
"""

import os
import secrets
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from programme import access
from programme.audit import Edit, audit_log, audit_many, save_audited
from programme.bulk_actions import BulkNouns, BulkResult, locked_rows
from programme.emails import send_template_mail
from programme.files import check_upload
from programme.formatting import fr_date, member_label
from programme.models import Cohort, Person, Programme, Role, Theme, User
from prospects.events.models import Event
from prospects.events.services import registrations_invite
from prospects.services import theme_refusal

from .dates import add_months
from .gate_hooks import check_hooks, record_hooks
from .models import (
    ACTIVE_PHASES,
    NEXT_PHASE,
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    Attendance,
    Deliverable,
    DeliverableStatus,
    DeliverableVersion,
    Document,
    DocumentVersion,
    FileVersion,
    FundingRequest,
    GateDecision,
    Membership,
    Outcome,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)
from .phasetemplates.services import template_apply
from .selectors import collectives_contacts


class TransitionError(ValidationError):
    """A refused gate decision; the message says why, in French."""


# --- Phase pipeline ---------------------------------------------------------------------------------


def phase_months(programme: Programme, phase: str) -> int | None:
    """Planned duration of a phase from the programme (None: open-ended)."""
    if phase == Phase.EMERGENCE:
        return programme.emergence_months
    if phase == Phase.EXPERIMENTATION:
        return programme.experimentation_months
    return None


def planned_end_for(programme: Programme, phase: str, start: date) -> date | None:
    months = phase_months(programme, phase)
    return add_months(start, months) if months else None


def allowed_outcomes(project: Project) -> list[str]:
    """The gate decisions possible from the project's current phase."""
    if project.phase not in ACTIVE_PHASES:
        return []
    outcomes: list[str] = [Outcome.CONTINUE, Outcome.STOP]
    if project.phase in (Phase.EMERGENCE, Phase.EXPERIMENTATION):
        outcomes.append(Outcome.EXTEND)
    return outcomes


def target_phase(phase: str, outcome: str) -> str | None:
    if outcome == Outcome.CONTINUE:
        return NEXT_PHASE.get(phase)
    if outcome == Outcome.STOP:
        return Phase.STOPPED
    if outcome == Outcome.EXTEND:
        return phase
    return None


def project_existed_on(project: Project) -> date:
    """The first day the project existed: its creation in Parcours, or earlier when its promotion, its
    accompaniment or one of its phases started before it was entered (a project typed in the day after its
    selection committee, or taken over with its history)."""
    days = [timezone.localdate(project.created_at) if project.created_at else timezone.localdate()]
    days += [d for d in (project.start_date, project.cohort.start_date if project.cohort else None) if d]
    days += [
        d for period in project.phase_periods.all() for d in (period.planned_start, period.actual_start) if d
    ]
    return min(days)


@transaction.atomic
def project_move(
    *,
    actor: User,
    project: Project,
    to_phase: str,
    outcome: str,
    decided_on: date,
    rationale: str,
    committee: str,
    conditions: str = "",
    new_planned_end: date | None = None,
    expected_version: int | None = None,
    hook_data: dict[str, Any] | None = None,
) -> GateDecision:
    """Record a gate decision and move the project. Raises TransitionError (French) when refused.

    `hook_data`: the decision form's fields added by higher apps (`projects.gate_hooks`), handed to their
    hooks in this transaction; None when the decision is not taken through the form.

    `expected_version` is the `phase_version` the decider saw (defaults to the one on `project`): if
    someone else decided in between, the second decision is refused instead of silently applied.
    """
    if not access.is_director(actor):
        raise TransitionError(_("Seule la direction peut prendre une décision d’étape."))
    expected = project.phase_version if expected_version is None else expected_version
    seen_phase = project.phase
    # The lock: a concurrent decision on the same project waits here, then sees the new version.
    locked = Project.objects.select_for_update().select_related("programme").get(pk=project.pk)
    if locked.phase_version != expected or locked.phase != seen_phase:
        raise TransitionError(
            _(
                "Une autre décision vient d’être enregistrée pour ce projet (phase actuelle : "
                "%(phase)s). Rechargez la page avant de décider."
            )
            % {"phase": locked.get_phase_display()}
        )
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        raise TransitionError({"outcome": [_("Décision inconnue.")]})
    if locked.phase not in ACTIVE_PHASES:
        raise TransitionError(
            _("Le projet est « %(phase)s » : aucune décision d’étape n’est plus possible.")
            % {"phase": locked.get_phase_display()}
        )
    if outcome not in allowed_outcomes(locked):
        raise TransitionError(
            {"outcome": [_("Une prolongation n’est possible qu’en Émergence ou en Expérimentation.")]}
        )
    expected_target = target_phase(locked.phase, outcome)
    # An allowed outcome from an active phase always leads somewhere (NEXT_PHASE covers them all).
    assert expected_target is not None
    if to_phase != expected_target:
        raise TransitionError(
            {
                "to_phase": [
                    _("Passage refusé : depuis « %(from)s », une %(outcome)s mène à « %(to)s ».")
                    % {
                        "from": locked.get_phase_display(),
                        "outcome": Outcome(outcome).label.lower(),
                        "to": Phase(expected_target).label,
                    }
                ]
            }
        )
    rationale, committee, conditions = (rationale or "").strip(), (committee or "").strip(), conditions or ""
    if not rationale:
        errors.setdefault("rationale", []).append(_("La motivation de la décision est obligatoire."))
    if not committee:
        errors.setdefault("committee", []).append(_("Indiquez l’instance qui a pris la décision."))
    today = timezone.localdate()
    if decided_on is None:
        errors.setdefault("decided_on", []).append(_("La date de la décision est obligatoire."))
    elif decided_on > today:
        errors.setdefault("decided_on", []).append(
            _("La date de la décision ne peut pas être dans le futur.")
        )
    existed_on = project_existed_on(locked)
    if decided_on and decided_on < existed_on:
        errors.setdefault("decided_on", []).append(
            _("La décision ne peut pas précéder l’existence du projet (%(date)s).")
            % {"date": fr_date(existed_on)}
        )
    current = locked.phase_periods.filter(phase=locked.phase).first()
    if decided_on and current and current.actual_start and decided_on < current.actual_start:
        errors.setdefault("decided_on", []).append(
            _("La décision ne peut pas précéder le début de la phase (%(date)s).")
            % {"date": fr_date(current.actual_start)}
        )
    if outcome == Outcome.EXTEND:
        if new_planned_end is None:
            errors.setdefault("new_planned_end", []).append(
                _("Une prolongation demande la nouvelle date de fin prévue.")
            )
        elif current and current.planned_end and new_planned_end <= current.planned_end:
            errors.setdefault("new_planned_end", []).append(
                _("La nouvelle fin doit être postérieure à la fin prévue actuelle (%(date)s).")
                % {"date": fr_date(current.planned_end)}
            )
    elif new_planned_end is not None:
        new_planned_end = None  # only meaningful for an extension
    if errors:
        raise TransitionError(errors)
    # Higher apps' part of the decision (projects.gate_hooks), checked before anything moves.
    checked = check_hooks(project=locked, actor=actor, data=hook_data)

    from_phase = locked.phase
    changes: dict[str, list[Any]] = {"phase": [from_phase, to_phase]}
    if outcome == Outcome.EXTEND:
        if current is None:
            current = PhasePeriod.objects.create(
                project=locked, phase=from_phase, planned_start=decided_on, actual_start=decided_on
            )
        changes = {"planned_end": [str(current.planned_end), str(new_planned_end)]}
        current.planned_end = new_planned_end
        current.save(update_fields=["planned_end"])
    else:
        if current is not None:
            current.actual_end = max(decided_on, current.actual_start or decided_on)
            current.save(update_fields=["actual_end"])
        if to_phase in ACTIVE_PHASES:
            opened, _created = PhasePeriod.objects.update_or_create(
                project=locked,
                phase=to_phase,
                defaults={**_opening(locked, to_phase, decided_on), "actual_end": None},
            )
            # The phase's template (milestones, deliverables, committees), in this transaction.
            template_apply(actor=actor, project=locked, period=opened)
        if to_phase == Phase.EMERGENCE and locked.start_date is None:
            locked.start_date = decided_on
        locked.phase = to_phase
    locked.phase_version += 1
    locked.save(update_fields=["phase", "phase_version", "start_date", "updated_at"])
    decision = GateDecision.objects.create(
        project=locked,
        from_phase=from_phase,
        to_phase=to_phase,
        outcome=outcome,
        decided_by=actor,
        decided_on=decided_on,
        committee=committee,
        rationale=rationale,
        conditions=conditions,
        new_planned_end=new_planned_end,
    )
    audit_log(
        actor=actor,
        obj=locked,
        action=f"project.gate.{outcome}",
        changes={**changes, "décision": [None, str(decision)], "instance": [None, committee]},
    )
    record_hooks(decision=decision, actor=actor, data=hook_data, checked=checked)
    # Keep the caller's instance in step (they may render it right away).
    project.phase, project.phase_version, project.start_date = (
        locked.phase,
        locked.phase_version,
        locked.start_date,
    )
    return decision


def _opening(project: Project, phase: str, start: date) -> dict[str, Any]:
    """The dates of a phase's period opening on `start`: planned end from the programme's durations."""
    return {
        "planned_start": start,
        "planned_end": planned_end_for(project.programme, phase, start),
        "actual_start": start,
    }


@transaction.atomic
def project_start_phase(*, actor: User, project: Project, phase: str, start: date) -> PhasePeriod:
    """Open the current phase's period of a project that has none yet (e.g. created at an advanced
    phase by an import or the selection flow). Planned end from the programme's durations."""
    period, created = PhasePeriod.objects.get_or_create(
        project=project,
        phase=phase,
        defaults=_opening(project, phase, start),
    )
    if created:
        audit_log(actor=actor, obj=project, action="project.phase_opened", changes={"phase": [None, phase]})
        template_apply(actor=actor, project=project, period=period)
    return period


# --- Projects and their records -------------------------------------------------------------------


@transaction.atomic
def project_save(*, actor: User, edit: Edit[Project]) -> Project:
    creating = edit.obj.pk is None
    project = edit.save()
    if creating and project.phase in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
        start = project.start_date or timezone.localdate()
        project_start_phase(actor=actor, project=project, phase=project.phase, start=start)
    action = "project.created" if creating else "project.updated"
    audit_log(actor=actor, obj=project, action=action, changes=edit.changes)
    return project


# --- Bulk actions on the project list (programme.bulk_actions) --------------------------------------------

PROJECT_NOUNS = BulkNouns(
    count=lambda n: ngettext("%(n)s projet", "%(n)s projets", n) % {"n": n},
    selected=lambda n: ngettext("%(n)s projet sélectionné", "%(n)s projets sélectionnés", n) % {"n": n},
    will_change=lambda n: (
        ngettext("%(n)s projet sera modifié", "%(n)s projets seront modifiés", n) % {"n": n}
    ),
    changed=lambda n: ngettext("%(n)s projet modifié.", "%(n)s projets modifiés.", n) % {"n": n},
    confirm=lambda n: (
        ngettext("Je confirme l’action sur %(n)s projet", "Je confirme l’action sur %(n)s projets", n)
        % {"n": n}
    ),
    none_selected=_lazy("Aucun projet sélectionné : cochez des lignes dans la liste."),
    tick=_lazy("Cochez au moins un projet dans la liste."),
    invalid=_lazy("La sélection de projets est invalide."),
)


def _bulk_projects(*, actor: User, project_ids: Iterable[int], confirmed: bool) -> list[Project]:
    return locked_rows(
        Project.objects.select_related("cohort").order_by("title", "pk"),
        actor=actor,
        ids=project_ids,
        confirmed=confirmed,
        nouns=PROJECT_NOUNS,
    )


def _leads_of(projects: list[Project]) -> dict[int, list[User]]:
    """Each project's team leads (« chargé·es »), in one query."""
    leads: dict[int, list[User]] = {p.pk: [] for p in projects}
    through = Project.staff_leads.through
    for row in through.objects.filter(project_id__in=leads).select_related("user"):
        leads[row.project_id].append(row.user)
    return leads


def lead_add_refusals(
    projects: list[Project], *, user: User, leads: dict[int, list[User]] | None = None
) -> dict[int, str]:
    """The projects « ajouter un·e chargé·e » leaves as they are: those `user` follows already. `leads`:
    `_leads_of(projects)` when the caller has read it."""
    leads = leads if leads is not None else _leads_of(projects)
    refusal = _("Déjà suivi par %(name)s.") % {"name": member_label(user)}
    return {p.pk: refusal for p in projects if user in leads[p.pk]}


def lead_remove_refusals(
    projects: list[Project], *, user: User, leads: dict[int, list[User]] | None = None
) -> dict[int, str]:
    """The projects « retirer un·e chargé·e » leaves as they are: those `user` does not follow, and those
    no other active team member would follow any more (a project without a lead gets nobody's reminders)."""
    leads = leads if leads is not None else _leads_of(projects)
    refusals = {}
    for project in projects:
        if user not in leads[project.pk]:
            refusals[project.pk] = _("Pas suivi par %(name)s.") % {"name": member_label(user)}
        elif not any(other.is_active and other != user for other in leads[project.pk]):
            refusals[project.pk] = _("Suivi par %(name)s seul·e : ajoutez d’abord un·e autre chargé·e.") % {
                "name": member_label(user)
            }
    return refusals


def cohort_refusals(projects: list[Project], *, cohort: Cohort) -> dict[int, str]:
    """The projects « changer de promotion » leaves as they are: already in it, or of another programme."""
    refusals = {}
    for project in projects:
        if project.cohort_id == cohort.pk:
            refusals[project.pk] = _("Déjà dans la promotion « %(cohort)s ».") % {"cohort": cohort}
        elif project.programme_id != cohort.programme_id:
            refusals[project.pk] = _("Cette promotion appartient à un autre programme.")
    return refusals


def theme_refusals(projects: list[Project], *, theme: Theme) -> dict[int, str]:
    """The projects « ajouter une thématique » leaves as they are: those that have it already."""
    having = set(
        Project.themes.through.objects.filter(
            project_id__in=[p.pk for p in projects], theme=theme
        ).values_list("project_id", flat=True)
    )
    return {p.pk: r for p in projects if (r := theme_refusal(has_theme=p.pk in having, theme=theme))}


def _bulk_leads(
    *,
    actor: User,
    project_ids: Iterable[int],
    user: User,
    confirmed: bool,
    refusals: Callable[..., dict[int, str]],
    write: Callable[[list[int]], object],
    after: Callable[[list[User]], list[User]],
) -> BulkResult[Project]:
    """A change of the projects' leads: the rows locked, their leads read once (the refusals and the trail's
    « before »), `write(ids)` for the projects changed, one audit entry each with the leads before and after."""
    rows = _bulk_projects(actor=actor, project_ids=project_ids, confirmed=confirmed)
    leads = _leads_of(rows)
    result = BulkResult.split(rows, refusals(rows, user=user, leads=leads))
    write([p.pk for p in result.applied])
    audit_many(
        actor=actor,
        rows=result.applied,
        action="project.updated",
        changes=lambda p: {
            "staff_leads": [sorted(str(u) for u in leads[p.pk]), sorted(str(u) for u in after(leads[p.pk]))]
        },
    )
    return result


@transaction.atomic
def projects_bulk_add_lead(
    *, actor: User, project_ids: Iterable[int], user: User, confirmed: bool = False
) -> BulkResult[Project]:
    """Add a team member to the projects' leads (« chargé·es »); one audit entry each."""
    if not access.is_team(user):
        raise ValidationError({"lead": [_("Choisissez un membre actif de l’équipe.")]})
    through = Project.staff_leads.through
    return _bulk_leads(
        actor=actor,
        project_ids=project_ids,
        user=user,
        confirmed=confirmed,
        refusals=lead_add_refusals,
        write=lambda ids: through.objects.bulk_create(
            [through(project_id=pk, user_id=user.pk) for pk in ids], batch_size=500
        ),
        after=lambda leads: [*leads, user],
    )


@transaction.atomic
def projects_bulk_remove_lead(
    *, actor: User, project_ids: Iterable[int], user: User, confirmed: bool = False
) -> BulkResult[Project]:
    """Take a team member out of the projects' leads, where another active member still follows them."""
    return _bulk_leads(
        actor=actor,
        project_ids=project_ids,
        user=user,
        confirmed=confirmed,
        refusals=lead_remove_refusals,
        write=lambda ids: Project.staff_leads.through.objects.filter(project_id__in=ids, user=user).delete(),
        after=lambda leads: [u for u in leads if u != user],
    )


@transaction.atomic
def projects_bulk_set_cohort(
    *, actor: User, project_ids: Iterable[int], cohort: Cohort, confirmed: bool = False
) -> BulkResult[Project]:
    """Put the projects in a promotion of their programme."""
    rows = _bulk_projects(actor=actor, project_ids=project_ids, confirmed=confirmed)
    result = BulkResult.split(rows, cohort_refusals(rows, cohort=cohort))
    before = {p.pk: str(p.cohort) if p.cohort else None for p in result.applied}
    Project.objects.filter(pk__in=[p.pk for p in result.applied]).update(
        cohort=cohort, updated_at=timezone.now()
    )
    audit_many(
        actor=actor,
        rows=result.applied,
        action="project.updated",
        changes=lambda p: {"cohort": [before[p.pk], str(cohort)]},
    )
    return result


@transaction.atomic
def projects_bulk_add_theme(
    *, actor: User, project_ids: Iterable[int], theme: Theme, confirmed: bool = False
) -> BulkResult[Project]:
    """Add a theme to the projects (those that have it already are listed, unchanged)."""
    rows = _bulk_projects(actor=actor, project_ids=project_ids, confirmed=confirmed)
    result = BulkResult.split(rows, theme_refusals(rows, theme=theme))
    through = Project.themes.through
    through.objects.bulk_create(
        [through(project_id=p.pk, theme_id=theme.pk) for p in result.applied], batch_size=500
    )
    Project.objects.filter(pk__in=[p.pk for p in result.applied]).update(updated_at=timezone.now())
    audit_many(
        actor=actor,
        rows=result.applied,
        action="project.updated",
        changes=lambda p: {"themes": [None, theme.name]},
    )
    return result


def invite_refusals(projects: list[Project], *, contacts: dict[int, set[int]]) -> dict[int, str]:
    """The projects « inviter à un événement » leaves as they are: a collective with no contact to invite."""
    refusal = _("Aucun contact dans le collectif de ce projet.")
    return {p.pk: refusal for p in projects if not contacts.get(p.pk)}


@transaction.atomic
def projects_bulk_invite(
    *, actor: User, project_ids: Iterable[int], event: Event, confirmed: bool = False
) -> BulkResult[Project]:
    """The project list's « Inviter à un événement »: the contacts of each project's collective today
    (`selectors.collectives_contacts`) are invited; a person already invited or registered stays as they are."""
    rows = _bulk_projects(actor=actor, project_ids=project_ids, confirmed=confirmed)
    contacts = collectives_contacts(actor, [p.pk for p in rows])
    result = BulkResult.split(rows, invite_refusals(rows, contacts=contacts))
    registrations_invite(
        actor=actor, event=event, person_ids={pk for p in result.applied for pk in contacts[p.pk]}
    )
    return result


@transaction.atomic
def record_save[M: Model](*, actor: User, edit: Edit[M], project: Project | None = None) -> M:
    """Create or update a record that hangs off a project (milestone, committee, action, site…)."""
    on_create = {"project": project} if project is not None else None
    return save_audited(actor=actor, edit=edit, on_create=on_create)


@transaction.atomic
def membership_save(*, actor: User, edit: Edit[Membership], project: Project) -> Membership:
    """Add a structure (or one of its people) to a collective, or change its membership. Each is a member
    once at a time: a period that overlaps another membership of the same structure and person (or of
    the structure as such, without a person) in the same collective is refused
    (the project row is locked, so two people adding the same structure at once cannot both succeed;
    `unique_open_membership` backs it in the database)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    membership = edit.obj
    others = Membership.objects.filter(project=project, organisation_id=membership.organisation_id)
    if membership.person_id is None:
        others = others.filter(person__isnull=True)
    else:
        others = others.filter(person_id=membership.person_id)
    others = others.exclude(pk=membership.pk)
    for other in others:
        if _periods_overlap((membership.joined_on, membership.left_on), (other.joined_on, other.left_on)):
            field, message = (
                (
                    "person",
                    _("Ce contact fait déjà partie du collectif pour cette structure sur cette période"),
                )
                if membership.person_id
                else ("organisation", _("Cette structure fait déjà partie du collectif sur cette période"))
            )
            raise ValidationError(
                {
                    field: _(
                        "%(message)s : modifiez son adhésion existante, ou indiquez une date d’entrée "
                        "après sa sortie."
                    )
                    % {"message": message}
                },
                code="membership_overlap",
            )
    return record_save(actor=actor, edit=edit, project=project)


def _periods_overlap(first: tuple[date | None, date | None], second: tuple[date | None, date | None]) -> bool:
    """Whether two membership periods share a day: `left_on` is the first day out (None: open), a
    missing `joined_on` counts as from the start."""
    (start_a, end_a), (start_b, end_b) = first, second
    return (end_b is None or start_a is None or start_a < end_b) and (
        end_a is None or start_b is None or start_b < end_a
    )


@transaction.atomic
def workshop_save(
    *,
    actor: User,
    edit: Edit[Workshop],
    project: Project,
    invited: list[Person],
    present: list[Person],
) -> Workshop:
    """Save a workshop and its attendance (invited and present participants) together."""
    workshop = record_save(actor=actor, edit=edit, project=project)
    wanted = {
        p.pk: (p.pk in {i.pk for i in invited}, p.pk in {x.pk for x in present}) for p in [*invited, *present]
    }
    existing = {a.person_id: a for a in workshop.attendances.all()}
    to_create: list[Attendance] = []
    to_update: list[Attendance] = []
    for person_id, (is_invited, is_present) in wanted.items():
        row = existing.pop(person_id, None)
        if row is None:
            to_create.append(
                Attendance(workshop=workshop, person_id=person_id, invited=is_invited, present=is_present)
            )
        elif (row.invited, row.present) != (is_invited, is_present):
            row.invited, row.present = is_invited, is_present
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["invited", "present"])
    Attendance.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
    audit_log(
        actor=actor,
        obj=workshop,
        action="workshop.attendance",
        changes={"invités": [None, len(invited)], "présents": [None, len(present)]},
    )
    return workshop


# --- Private files ---------------------------------------------------------------------------------


def _store_version[V: FileVersion](
    model: type[V],
    *,
    parent: Deliverable | Document | FundingRequest,
    actor: User,
    file: "File[bytes]",
    comment: str,
    parent_field: str | None = None,
) -> V:
    """The next numbered version of `parent` (a deliverable, a document, a funding request: the version's
    field is named after it unless `parent_field` says otherwise), stored in the project's private files;
    the file is deleted again if the row fails."""
    parent_field = parent_field or parent._meta.model_name
    assert parent_field is not None
    sniffed, digest = check_upload(file)
    assert file.name is not None  # an uploaded file always has its client-side name
    number = (
        model._default_manager.filter(**{parent_field: parent}).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = model(
        **{parent_field: parent},
        project=parent.project,
        number=number,
        original_name=os.path.basename(file.name)[:255],
        extension=sniffed.extension,
        content_type=sniffed.content_type,
        size=file.size,
        sha256=digest,
        comment=comment[:255],
        uploaded_by=actor,
    )
    version.file.save(f"upload{sniffed.extension}", file, save=False)
    name = version.file.name
    assert name is not None  # just saved under it
    storage = version.file.storage
    try:
        version.save()
    except Exception:
        storage.delete(name)
        raise
    return version


def _can_touch_deliverable(actor: User, deliverable: Deliverable) -> bool:
    """The team, or a partner whose structure the deliverable is assigned to."""
    if access.is_team(actor):
        scope = access.scoped(actor, Deliverable)
    else:
        scope = access.portal_scoped(actor, Deliverable)
    return scope.filter(pk=deliverable.pk).exists()


@transaction.atomic
def deliverable_upload(
    *, actor: User, deliverable: Deliverable, file: "File[bytes]", comment: str = ""
) -> DeliverableVersion:
    """Add a version to a deliverable. Team members may upload to any deliverable; a partner (the portal
    calls this with a partner actor) only to those assigned to their structure, and their upload marks
    the deliverable "déposé"."""
    if not _can_touch_deliverable(actor, deliverable):
        raise PermissionDenied
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    version = _store_version(DeliverableVersion, parent=deliverable, actor=actor, file=file, comment=comment)
    changes = {"version": [None, version.number], "fichier": [None, version.original_name]}
    if deliverable.status in (DeliverableStatus.EXPECTED, DeliverableStatus.RETURNED):
        changes["status"] = [deliverable.status, DeliverableStatus.SUBMITTED]
        deliverable.status = DeliverableStatus.SUBMITTED
        deliverable.save(update_fields=["status"])
    audit_log(actor=actor, obj=deliverable, action="deliverable.uploaded", changes=changes)
    if not access.is_team(actor):
        # A partner's upload (from the portal): the project's team is told once the version is committed.
        from .tasks import notify_deliverable_uploaded

        version_id = version.pk
        transaction.on_commit(lambda: notify_deliverable_uploaded.delay(version_id))
    return version


@transaction.atomic
def deliverable_review(
    *, actor: User, deliverable: Deliverable, status: str, reason: str = ""
) -> Deliverable:
    """The team accepts a deliverable or sends it back ("à reprendre"). Sending it back requires the
    reason, which opens (or continues) the deliverable's thread with the collective: they are told."""
    from .conversations.services import comment_post

    if not access.is_team(actor):
        raise PermissionDenied
    if status not in (DeliverableStatus.ACCEPTED, DeliverableStatus.RETURNED):
        raise ValidationError(_("État de livrable inconnu."))
    reason = (reason or "").strip()
    if status == DeliverableStatus.RETURNED and not reason:
        raise ValidationError(
            {"reason": [_("Dites au collectif ce qui est à reprendre : le motif est obligatoire.")]}
        )
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    before = deliverable.status
    deliverable.status = status
    deliverable.save(update_fields=["status"])
    changes: dict[str, list[Any]] = {"status": [before, status]}
    if status == DeliverableStatus.RETURNED:
        changes["motif"] = [None, reason]
    audit_log(actor=actor, obj=deliverable, action="deliverable.reviewed", changes=changes)
    if status == DeliverableStatus.RETURNED:
        comment_post(actor=actor, project=deliverable.project, target=deliverable, body=reason)
    return deliverable


@transaction.atomic
def document_upload(
    *,
    actor: User,
    project: Project,
    file: "File[bytes]",
    title: str = "",
    description: str = "",
    shared_with_collective: bool = False,
    document: Document | None = None,
    comment: str = "",
) -> DocumentVersion:
    """Create a document with its first version, or add a version to `document`. Partners may add
    versions only to documents shared with their collective."""
    if document is None:
        if not access.scoped(actor, Project).filter(pk=project.pk).exists():
            raise PermissionDenied
        if not title.strip():
            raise ValidationError({"title": [_("Donnez un titre au document.")]})
        check_upload(file)  # refuse before creating anything
        document = Document.objects.create(
            project=project,
            title=title.strip(),
            description=description,
            shared_with_collective=shared_with_collective if access.is_team(actor) else True,
            created_by=actor,
        )
        audit_log(
            actor=actor, obj=document, action="document.created", changes={"title": [None, document.title]}
        )
    else:
        allowed = access.scoped(actor, Document)
        if not allowed.filter(pk=document.pk).exists():
            raise PermissionDenied
        document = Document.objects.select_for_update().get(pk=document.pk)
    version = _store_version(DocumentVersion, parent=document, actor=actor, file=file, comment=comment)
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
    audit_log(
        actor=actor,
        obj=document,
        action="document.version_added",
        changes={"version": [None, version.number], "fichier": [None, version.original_name]},
    )
    return version


# --- Calendar feed -----------------------------------------------------------------------------------


@transaction.atomic
def calendar_token_rotate(*, user: User) -> str:
    """Issue a new private calendar token; the previous feed URL stops working at once."""
    token = secrets.token_urlsafe(32)
    User.objects.filter(pk=user.pk).update(calendar_token=token)
    user.calendar_token = token
    audit_log(actor=user, obj=user, action="calendar.token_rotated")
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(calendar_token="")
    user.calendar_token = ""
    audit_log(actor=user, obj=user, action="calendar.token_revoked")


# --- Partners' uploads and actions (the portal) ---------------------------------------------------------

#: Longest comment a partner may leave when closing an action.
ACTION_COMMENT_MAX = 1000


def _deliverable_upload_recipients(version: DeliverableVersion) -> list[User]:
    """The project's staff leads and the deliverable's team owner; directors when nobody steers it."""
    deliverable = version.deliverable
    users = {u.pk: u for u in deliverable.project.staff_leads.filter(is_active=True)}
    owner = deliverable.owner_user
    if owner is not None and owner.is_active and owner.role in (Role.STAFF, Role.DIRECTOR):
        users[owner.pk] = owner
    if not users:
        users = {u.pk: u for u in User.objects.filter(role=Role.DIRECTOR, is_active=True)}
    return [u for u in users.values() if u.email]


def deliverable_version_notify(*, version_id: int) -> int:
    """Tell the team a partner uploaded a version; returns the number of e-mails sent.

    Once per version: `notified_at` is claimed with one conditional UPDATE before anything is sent, so a
    re-delivered task, a second run or a second worker racing this one sends nothing. Not atomic on
    purpose (no transaction held open during SMTP): a failed send releases the claim for the retry."""
    now = timezone.now()
    if not DeliverableVersion.objects.filter(pk=version_id, notified_at__isnull=True).update(notified_at=now):
        return 0
    version = DeliverableVersion.objects.select_related(
        "deliverable__project", "deliverable__owner_organisation", "uploaded_by"
    ).get(pk=version_id)
    try:
        sent = 0
        url = reverse("projects:project.deliverables", args=[version.deliverable.project_id])
        for user in _deliverable_upload_recipients(version):
            sent += send_template_mail(
                template="emails/portal_deliverable_uploaded",
                to=[user.email],
                context={"user": user, "version": version, "deliverable": version.deliverable, "path": url},
            )
        return sent
    except Exception:
        DeliverableVersion.objects.filter(pk=version_id, notified_at=now).update(notified_at=None)
        raise


@transaction.atomic
def action_complete(*, actor: User, action: Action, comment: str = "") -> Action:
    """A partner marks one of their actions done, with an optional comment kept in the audit trail."""
    if not access.portal_scoped(actor, Action).filter(pk=action.pk).exists():
        raise PermissionDenied
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status not in OPEN_ACTION_STATUSES:
        raise ValidationError(
            _("Cette action est déjà « %(status)s » : elle ne peut plus être marquée comme faite.")
            % {"status": action.get_status_display()}
        )
    comment = (comment or "").strip()
    if len(comment) > ACTION_COMMENT_MAX:
        raise ValidationError({"comment": [_("Le commentaire est trop long (1000 caractères au plus).")]})
    before = action.status
    action.status = ActionStatus.DONE
    action.save(update_fields=["status"])
    changes: dict[str, list[Any]] = {"status": [before, ActionStatus.DONE]}
    if comment:
        changes["commentaire"] = [None, comment]
    audit_log(actor=actor, obj=action, action="action.done", changes=changes)
    return action
