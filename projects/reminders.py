"""Deadline reminders: the daily scan and the per-person digest.

`deadline_scan` runs once a day (Celery beat, 07:00 Europe/Paris). It reads every open deadline that falls
on one of the reminder dates in ONE query (a UNION over milestones, deliverables, actions, open phase
periods and prospects' next actions, each on a partial index of its due date), works out who must hear of
it, and claims one `ReminderLog` row per (person, deadline, offset) with one batched insert that ignores
rows already claimed. Only the rows claimed by this run are mailed, so a second run — or a second worker
running at the same time — sends nothing twice. Each person then gets ONE digest e-mail, sent by a Celery
task queued after commit.

Money joins the same digest, for the staff leads who steer the project (as on the deadlines page): the
justifications still to hand in and the instalments not (fully) received, read with the funding selectors'
own definition of "open" (`unpaid_justifications`, `unpaid_instalments`) in two more queries — their
titles need the convention, its funder and what is still owed, which the uniform UNION rows do not carry.
"""

import re
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, F, IntegerField, Model, QuerySet, Value
from django.db.models.expressions import Combinable, RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access, bulk
from programme.batch import SENTINEL_DAY, Compiled
from programme.emails import send_template_mail
from programme.models import Programme, Role, User
from prospects.models import Prospect
from prospects.services import CLOSED_STAGES

from .conversations.models import CommentNotice, NoticeMode
from .conversations.services import (
    digest_notices_release,
    digest_notices_unsent_send,
    notice_context,
    pending_digest_notices,
)
from .funding.models import Instalment, InstalmentKind, Justification, JustificationKind
from .funding.selectors import money_title, unpaid_instalments, unpaid_justifications
from .models import (
    OPEN_ACTION_STATUSES,
    OPEN_DELIVERABLE_STATUSES,
    OPEN_MILESTONE_STATUSES,
    Action,
    Deliverable,
    Membership,
    Milestone,
    Phase,
    PhasePeriod,
    Project,
    ReminderKind,
    ReminderLog,
)

PARIS = ZoneInfo("Europe/Paris")
#: A gate decision is announced 30 days ahead, on top of the programme's offsets.
PHASE_END_NOTICE_DAYS = 30
#: "Overdue" reminders go out the day after the due date.
OVERDUE = -1
#: A retained, not retained or discarded prospect has nothing left to chase (the project follows a
#: retained one): the prospects' own rule.
CLOSED_PROSPECT_STAGES = sorted(CLOSED_STAGES)


def paris_today(now: datetime | None = None) -> date:
    """Today's date in Europe/Paris — whatever the server's clock zone, and across DST changes."""
    return timezone.localtime(now or timezone.now(), PARIS).date()


@dataclass
class Due:
    kind: str
    object_id: int
    due_date: date
    title: str
    project_id: int | None
    project_title: str
    programme_id: int
    owner_user_id: int | None
    owner_organisation_id: int | None


def _null_int() -> Value:
    return Value(None, output_field=IntegerField())


def _field(name: str | Combinable | None) -> Combinable:
    if name is None:
        return _null_int()
    return F(name) if isinstance(name, str) else name


def _row(
    kind: str,
    *,
    due: str,
    label: str,
    uid: str | Combinable | None,
    org: str | None = None,
    pid: str | None = "project_id",
    ptitle: str = "project__title",
    prog: str = "project__programme_id",
) -> dict[str, Combinable]:
    """The annotations that make one kind of deadline a uniform row of the UNION (None: a NULL column)."""
    return {
        "k": Value(kind, output_field=CharField()),
        "oid": F("pk"),
        "due": F(due),
        "label": F(label),
        "pid": _field(pid),
        "ptitle": F(ptitle),
        "prog": F(prog),
        "uid": _field(uid),
        "org": _field(org),
    }


_PLAIN_VALUE = re.compile(r"^[a-z_]+$")


def _status_in(model: type[Model], statuses: Iterable[str]) -> RawSQL:
    """`status IN ('a', 'b')` with the values written as literals, as the partial indexes on the due dates
    are declared: SQLite uses a partial index only when the query repeats its condition word for word, which
    a parameter (`status IN (?, ?)`) never does — the scan then read every row. The values are the code's
    own status constants, checked to be plain words."""
    values = [str(v) for v in statuses]  # in the order the index declares them
    assert all(_PLAIN_VALUE.match(v) for v in values), values
    column = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name('status')}"
    literals = ", ".join(f"'{v}'" for v in values)
    return RawSQL(f"{column} IN ({literals})", [], output_field=BooleanField())  # noqa: S611 — plain words


def due_items_query(dates: list[date]):
    """Every open deadline falling on one of `dates`, as one UNION query of uniform rows."""
    cols = ("k", "oid", "due", "label", "pid", "ptitle", "prog", "uid", "org")
    milestones = Milestone.objects.filter(
        _status_in(Milestone, OPEN_MILESTONE_STATUSES), due_date__in=dates
    ).annotate(**_row(ReminderKind.MILESTONE, due="due_date", label="title", uid="owner_id"))
    deliverables = Deliverable.objects.filter(
        _status_in(Deliverable, OPEN_DELIVERABLE_STATUSES), due_date__in=dates
    ).annotate(
        **_row(
            ReminderKind.DELIVERABLE,
            due="due_date",
            label="title",
            uid="owner_user_id",
            org="owner_organisation_id",
        )
    )
    actions = Action.objects.filter(_status_in(Action, OPEN_ACTION_STATUSES), due_date__in=dates).annotate(
        # A collective member's action reaches them when they have an account.
        **_row(
            ReminderKind.ACTION,
            due="due_date",
            label="title",
            uid=Coalesce("owner_user_id", "owner_person__user__id"),
        )
    )
    periods = PhasePeriod.objects.filter(actual_end__isnull=True, planned_end__in=dates).annotate(
        **_row(ReminderKind.PHASE_END, due="planned_end", label="phase", uid=None)
    )
    prospects = (
        Prospect.objects.filter(next_action_date__in=dates, owner__isnull=False)
        .exclude(stage__in=CLOSED_PROSPECT_STAGES)
        .annotate(
            **_row(
                ReminderKind.PROSPECT,
                due="next_action_date",
                label="next_action",
                uid="owner_id",
                pid=None,
                ptitle="organisation__name",
                prog="programme_id",
            )
        )
    )
    parts = [q.order_by().values_list(*cols) for q in (milestones, deliverables, actions, periods, prospects)]
    return parts[0].union(*parts[1:], all=True).order_by()


def _money_querysets(dates: list[date]) -> tuple[QuerySet[Any, Any], QuerySet[Any, Any]]:
    """The justifications and instalments still open (the funding selectors' definition) falling on one of
    `dates`, as values: the rows and their titles' parts."""
    # Only the values the rows and their titles read, as tuples: building the four joined models of each
    # row (the funder is a whole structure record) was most of the scan's time.
    needed = (
        "pk",
        "due_on",
        "kind",
        "convention__reference",
        "convention__request__funder__name",
        "convention__project_id",
        "convention__project__title",
        "convention__project__programme_id",
    )
    return (
        unpaid_justifications(Justification.objects.filter(due_on__in=dates)).values_list(*needed),
        unpaid_instalments(Instalment.objects.filter(due_on__in=dates)).values_list(*needed, "outstanding"),
    )


@cache
def _statements(days: tuple[int, ...]) -> tuple[Compiled, Compiled, Compiled]:
    """The scan's three reads for reminder dates `days` days from today, compiled once per process
    (building the UNION and the money's subqueries was a third of the scan's time)."""
    dates = [SENTINEL_DAY + timedelta(days=d) for d in days]
    justifications, instalments = _money_querysets(dates)
    return Compiled.of(due_items_query(dates)), Compiled.of(justifications), Compiled.of(instalments)


def money_items(
    justifications: Iterable[tuple[Any, ...]], instalments: Iterable[tuple[Any, ...]]
) -> list[Due]:
    """The open justifications' and instalments' rows (`_money_querysets`) as `Due` rows without an owner:
    the scan gives them to the project's staff leads."""
    rows = [
        *((ReminderKind.JUSTIFICATION, row, None) for row in justifications),
        *((ReminderKind.INSTALMENT, row[:-1], row[-1]) for row in instalments),
    ]
    labels = {
        ReminderKind.JUSTIFICATION: dict(JustificationKind.choices),
        ReminderKind.INSTALMENT: dict(InstalmentKind.choices),
    }
    return [
        Due(
            reminder_kind,
            pk,
            due_on,
            money_title(labels[reminder_kind].get(kind, kind), reference, funder, outstanding=outstanding),
            project_id,
            project_title,
            programme_id,
            None,
            None,
        )
        for reminder_kind, (
            pk,
            due_on,
            kind,
            reference,
            funder,
            project_id,
            project_title,
            programme_id,
        ), outstanding in rows
    ]


def _label(kind: str, raw: str) -> str:
    if kind == ReminderKind.PHASE_END:
        return _("Décision d’étape attendue : fin de la phase « %(phase)s »") % {"phase": Phase(raw).label}
    if kind == ReminderKind.PROSPECT:
        return raw or _("Prochaine action")
    return raw


#: The page a reminder links to, by kind (the project's tab; a prospect's record).
LINKS: dict[str, str] = {
    ReminderKind.MILESTONE: "projects:project.deliverables",
    ReminderKind.DELIVERABLE: "projects:project.deliverables",
    ReminderKind.ACTION: "projects:project.governance",
    ReminderKind.PHASE_END: "projects:gate.dossier",
    ReminderKind.JUSTIFICATION: "projects:funding.page",
    ReminderKind.INSTALMENT: "projects:funding.page",
    ReminderKind.PROSPECT: "prospects:prospect.detail",
}
#: An id no row has, reversed once per URL name and replaced by each row's own.
_ANY_ID = "2147483647"


def _linker() -> Callable[[str, Due, bool], str]:
    """`link(kind, item, partner)`: the URL of a reminder. Each URL name is reversed once per scan (a
    `reverse` per row was a quarter of the scan's time), then filled with the row's id."""
    patterns = {kind: reverse(name, args=[_ANY_ID]) for kind, name in LINKS.items()}
    home = reverse("home")

    def link(kind: str, item: Due, partner: bool) -> str:
        if partner or item.project_id is None:
            if kind == ReminderKind.PROSPECT:
                return patterns[kind].replace(_ANY_ID, str(item.object_id))
            return home
        return patterns[kind].replace(_ANY_ID, str(item.project_id))

    return link


def _claim(rows: list[tuple[int, str, int, date, int, str, str, str]], *, run_id: uuid.UUID) -> None:
    """The claim: every (user, kind, object, due date, offset, title, project title, link) row inserted
    unless another run holds it already (the unique constraint: ON CONFLICT DO NOTHING), in one
    `executemany` of plain tuples — building `ReminderLog` objects for `bulk_create` was a third of the
    scan's time."""
    meta = ReminderLog._meta
    by_name = {field.name: field for field in meta.concrete_fields}
    names = ("user", "kind", "object_id", "due_date", "offset", "title", "project_title", "link")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(by_name[name].column)) for name in (*names, "run_id", "created_at"))
    placeholders = ", ".join(["%s"] * (len(names) + 2))
    # The model's own table and column names: no outside input.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608
    run = by_name["run_id"].get_db_prep_value(run_id, connection)
    now = by_name["created_at"].get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*row, run, now) for row in rows])


def _offsets_by_programme() -> dict[int, list[int]]:
    return {p.pk: p.offsets() for p in Programme.objects.all()}


def reminder_dates(today: date, offsets: set[int]) -> list[date]:
    return sorted({today + timedelta(days=d) for d in offsets} | {today + timedelta(days=OVERDUE)})


@bulk.without_cycle_collection()
@transaction.atomic
def deadline_scan(*, now: datetime | None = None, queue: str | None = None) -> dict:
    """Claim today's reminders and queue one digest per person. Returns a small summary."""
    from .tasks import send_digest

    today = paris_today(now)
    offsets = _offsets_by_programme()
    default = sorted(settings.PARCOURS_DEFAULT_REMINDER_OFFSETS)
    all_offsets = set(default) | {PHASE_END_NOTICE_DAYS}
    for values in offsets.values():
        all_offsets |= set(values)
    dates = reminder_dates(today, all_offsets)
    due, justifications, instalments = _statements(tuple((d - today).days for d in dates))
    items = [Due(*row) for row in due.rows(today=today)]
    items += money_items(justifications.rows(today=today), instalments.rows(today=today))

    kept: list[tuple[Due, int]] = []
    for item in items:
        days = (item.due_date - today).days
        allowed = set(offsets.get(item.programme_id, default))
        if item.kind == ReminderKind.PHASE_END:
            allowed.add(PHASE_END_NOTICE_DAYS)
        if days == OVERDUE or days in allowed:
            kept.append((item, days))
    # Comments waiting for the digest of people who chose it (projects.conversations): their digest goes
    # out even on a day without deadlines. Those of people who have since turned the digest off go out
    # one e-mail each instead.
    digest_notices_unsent_send()
    commenters = set(
        CommentNotice.objects.filter(mode=NoticeMode.DIGEST, sent_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    if not kept:
        for user_id in sorted(commenters):
            send = partial(send_digest.apply_async, (user_id, ""), queue=queue)
            transaction.on_commit(send)
        return {"today": today.isoformat(), "items": 0, "claimed": 0, "digests": len(commenters)}

    project_ids = {item.project_id for item, _ in kept if item.project_id}
    org_ids = {item.owner_organisation_id for item, _ in kept if item.owner_organisation_id}
    leads: dict[int, set[int]] = defaultdict(set)
    for project_id, user_id in Project.staff_leads.through.objects.filter(
        project_id__in=project_ids
    ).values_list("project_id", "user_id"):
        leads[project_id].add(user_id)
    org_users: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in User.objects.filter(
        organisation_id__in=org_ids, role=Role.PARTNER, is_active=True
    ).values_list("organisation_id", "pk"):
        org_users[org_id].add(user_id)
    directors = set(User.objects.filter(role=Role.DIRECTOR, is_active=True).values_list("pk", flat=True))

    candidates: list[tuple[Due, int, set[int]]] = []
    for item, days in kept:
        if item.kind == ReminderKind.PHASE_END:
            assert item.project_id is not None  # a phase period always belongs to a project
            recipients = leads[item.project_id] | directors
        elif item.owner_user_id:
            recipients = {item.owner_user_id}
        elif item.owner_organisation_id:
            recipients = set(org_users[item.owner_organisation_id])
        else:
            recipients = set()
        candidates.append((item, days, recipients))
    all_ids = set().union(*(r for _, _, r in candidates), *leads.values())
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=all_ids, is_active=True, digest_enabled=True).exclude(email="")
    }
    # A partner hears only of the projects their structure is still a member of (left_on in the future
    # or empty); a deadline nobody current owns goes to the project's staff leads.
    current_members = set(
        Membership.objects.filter(project_id__in=project_ids)
        .filter(access.active_membership_q())
        .values_list("project_id", "organisation_id")
    )

    def reachable(user_id: int, item: Due) -> bool:
        user = users.get(user_id)
        if user is None or user.role != Role.PARTNER:
            return user is not None
        return item.project_id is not None and (item.project_id, user.organisation_id) in current_members

    wanted: list[tuple[int, Due, int]] = []
    for item, days, recipients in candidates:
        owner_gone = (
            item.owner_organisation_id is not None
            and not item.owner_user_id
            and (item.project_id, item.owner_organisation_id) not in current_members
        )
        if item.project_id and item.kind != ReminderKind.PHASE_END and (not recipients or owner_gone):
            recipients = leads.get(item.project_id, set())
        # Users who turned digests off are not in `users`: they get nothing, nobody gets it for them.
        wanted.extend((user_id, item, days) for user_id in recipients if reachable(user_id, item))
    run_id = uuid.uuid4()
    link = _linker()
    labels = {(item.kind, item.title): _label(item.kind, item.title)[:255] for _u, item, _d in wanted}
    if wanted:
        _claim(
            [
                (
                    user_id,
                    item.kind,
                    item.object_id,
                    item.due_date,
                    days,
                    labels[(item.kind, item.title)],
                    (item.project_title or "")[:200],
                    link(item.kind, item, users[user_id].role == Role.PARTNER),
                )
                for user_id, item, days in wanted
            ],
            run_id=run_id,
        )
    # What this run claimed (rows another run already held were skipped): one read.
    claimed_by = ReminderLog.objects.filter(run_id=run_id).order_by().values_list("user_id", flat=True)
    claimed_ids = list(claimed_by)
    claimed = len(claimed_ids)
    claimed_users = sorted(set(claimed_ids) | commenters)
    for user_id in claimed_users:
        send = partial(send_digest.apply_async, (user_id, str(run_id)), queue=queue)
        transaction.on_commit(send)
    return {"today": today.isoformat(), "items": len(kept), "claimed": claimed, "digests": len(claimed_users)}


def digest_send(*, user_id: int, run_id: str) -> int:
    """Send one person's digest for one scan: their reminders of the run and the new comments waiting for
    the digest (« Nouveaux commentaires »). The rows are marked sent with one conditional update before
    the e-mail goes out, so a re-delivered task does not mail twice; a failed send releases them."""
    user = User.objects.filter(pk=user_id, is_active=True, digest_enabled=True).exclude(email="").first()
    if user is None:
        return 0
    rows = (
        list(ReminderLog.objects.filter(user_id=user_id, run_id=run_id, sent_at__isnull=True))
        if run_id
        else []
    )
    ids = [r.pk for r in rows]
    if (
        rows
        and ReminderLog.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=timezone.now()) == 0
    ):
        rows, ids = [], []
    notices = pending_digest_notices(user=user)
    if not rows and not notices:
        return 0
    overdue = [r for r in rows if r.offset == OVERDUE]
    upcoming = sorted((r for r in rows if r.offset != OVERDUE), key=lambda r: (r.due_date, r.title))
    try:
        return send_template_mail(
            template="emails/digest",
            to=[user.email],
            context={
                "user": user,
                "overdue": overdue,
                "upcoming": upcoming,
                "count": len(rows),
                "comments": [{"user": user, **notice_context(n)} for n in notices],
                "preferences_url": settings.SITE_URL + reverse("programme:preferences"),
            },
        )
    except (smtplib.SMTPException, OSError):
        ReminderLog.objects.filter(pk__in=ids).update(sent_at=None)
        digest_notices_release(notices)
        raise
