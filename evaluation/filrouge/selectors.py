"""Reads of the fil rouge: a project's chain need → idea → prototype → indicator → result → lesson, with
its gaps, read with the eyes of the person: the team's pages, or a partner's in the portal. A lesson drawn
from a finding hangs on the results of the indicators that finding rests on: those of its question's
criteria and those of the measurements it links as evidence.

A fixed number of queries whatever the number of outputs, indicators and lessons (tests pin it); the
result of an indicator is `evaluation.selectors.indicator_summary` (the one definition), never recomputed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluation.judgement.models import Evidence, Finding
from evaluation.models import Lesson, ProjectIndicator
from evaluation.selectors import with_summaries
from programme import access
from programme.formatting import fr_date, fr_percent, indicator_value
from programme.models import User
from projects.models import Committee, ItemKind, Project, Workshop, WorkshopItem

#: The columns of the chain, left to right: (key, title).
COLUMNS = ["need", "idea", "prototype", "indicator", "result", "lesson"]


def column_titles() -> dict[str, str]:
    return {
        "need": _("Besoins"),
        "idea": _("Idées"),
        "prototype": _("Prototypes"),
        "indicator": _("Indicateurs"),
        "result": _("Résultats"),
        "lesson": _("Enseignements"),
    }


@dataclass
class Node:
    key: str
    column: str
    label: str
    detail: str = ""
    url: str = ""
    #: What is missing here (a prototype without an indicator, a result without a lesson), or "".
    gap: str = ""
    children: list["Node"] = field(default_factory=list)


@dataclass
class FilRouge:
    project: Project
    #: Nodes by column (the graph's columns), in the order the graph draws them.
    columns: dict[str, list[Node]]
    #: (from key, to key): the graph's links.
    edges: list[tuple[str, str]]
    #: The same chain as a tree (the list for screen readers and phones): the roots, then what hangs on
    #: nothing (an indicator testing no output, a lesson drawn from no output).
    roots: list[Node]
    loose_indicators: list[Node]
    loose_lessons: list[Node]
    gaps: list[Node]
    #: Whether lessons are part of it (the team's view; lessons are the team's).
    with_lessons: bool

    @property
    def empty(self) -> bool:
        return not any(self.columns.values())


def _result_text(pi: ProjectIndicator) -> str:
    summary = pi.summary
    indicator = pi.indicator
    if summary["value"] is None:
        return _("Pas encore de mesure validée")
    text = indicator_value(
        summary["value"],
        kind=indicator.type,
        unit=indicator.unit,
        unit_one=getattr(indicator, "unit_singular", ""),
    )
    if summary["last"]:
        text = _("%(value)s au %(date)s") % {"value": text, "date": fr_date(summary["last"])}
    if summary["progress"] is not None:
        text = _("%(value)s — %(progress)s de la cible") % {
            "value": text,
            "progress": fr_percent(summary["progress"]),
        }
    return text


def fil_rouge(*, user: User, project: Project, today: date, collective: bool = False) -> FilRouge:
    """The project's fil rouge as `user` reads it on the team's pages — or, `collective`, as a partner of
    its collective reads it in the portal (the rules of « Mon projet »: the workshop outputs, the indicators
    the partner reports, the lessons the team shared; no gap). A lesson's sources are said only as far as
    the reader may read them (a workshop or committee not shared, a finding not shared: left out)."""
    if collective:  # the portal's rules, as on « Mon projet »: the indicators the partner reports
        items_qs = access.scoped(user, WorkshopItem)
        indicators_qs = access.portal_scoped(user, ProjectIndicator)
    else:
        items_qs = access.scoped(user, WorkshopItem)
        indicators_qs = access.scoped(user, ProjectIndicator)
    items = list(items_qs.filter(project=project).select_related("workshop").order_by("kind", "title", "pk"))
    by_id = {item.pk: item for item in items}
    indicators = with_summaries(
        indicators_qs.filter(project=project).select_related("criterion").order_by("indicator__name", "pk"),
        today,
    )
    tested: dict[int, list[int]] = defaultdict(list)  # indicator → outputs it tests (visible ones)
    for pi_id, item_id in ProjectIndicator.outputs.through.objects.filter(
        projectindicator_id__in=[pi.pk for pi in indicators], workshopitem_id__in=list(by_id)
    ).values_list("projectindicator_id", "workshopitem_id"):
        tested[pi_id].append(item_id)

    lessons: list[Lesson] = []
    lesson_outputs: dict[int, list[int]] = defaultdict(list)
    lesson_sources: dict[int, list[str]] = defaultdict(list)
    lesson_results: dict[int, list[int]] = defaultdict(list)  # lesson → indicators of its findings
    with_lessons = collective or access.is_team(user)
    if with_lessons:
        lessons = list(access.scoped(user, Lesson).filter(projects=project).order_by("title", "pk"))
        lesson_ids = [lesson.pk for lesson in lessons]
        for lesson_id, item_id in Lesson.outputs.through.objects.filter(
            lesson_id__in=lesson_ids, workshopitem_id__in=list(by_id)
        ).values_list("lesson_id", "workshopitem_id"):
            lesson_outputs[lesson_id].append(item_id)
        for lesson_id, title, starts_at in Lesson.workshops.through.objects.filter(
            lesson_id__in=lesson_ids, workshop__in=access.scoped(user, Workshop).filter(project=project)
        ).values_list("lesson_id", "workshop__title", "workshop__starts_at"):
            lesson_sources[lesson_id].append(
                _("atelier « %(title)s » du %(date)s") % {"title": title, "date": fr_date(starts_at)}
            )
        committee_labels = dict(Committee._meta.get_field("kind").choices or [])
        for lesson_id, kind, day in Lesson.committees.through.objects.filter(
            lesson_id__in=lesson_ids, committee__in=access.scoped(user, Committee).filter(project=project)
        ).values_list("lesson_id", "committee__kind", "committee__date"):
            lesson_sources[lesson_id].append(
                _("%(kind)s du %(date)s") % {"kind": committee_labels.get(kind, kind), "date": fr_date(day)}
            )
        findings = access.scoped(user, Finding).filter(project=project)
        lesson_results = _lessons_findings(lesson_ids, findings, indicators, lesson_sources)
    return _assemble(
        project,
        items,
        indicators,
        tested,
        lessons,
        (lesson_outputs, lesson_sources, lesson_results),
        with_lessons,
        collective,
    )


def _lessons_findings(
    lesson_ids: list[int],
    findings: QuerySet[Finding],
    indicators: list[ProjectIndicator],
    lesson_sources: dict[int, list[str]],
) -> dict[int, list[int]]:
    """The findings each lesson comes from (of `findings`, the readable ones of the project; said in its
    sources) and, for each lesson, the indicators
    (of `indicators`, the visible ones) those findings rest on — two queries."""
    by_question: dict[int, list[int]] = defaultdict(list)
    for pi in indicators:
        if pi.criterion is not None:
            by_question[pi.criterion.question_id].append(pi.pk)
    visible = {pi.pk for pi in indicators}
    links = list(
        Lesson.findings.through.objects.filter(lesson_id__in=lesson_ids, finding__in=findings)
        .order_by("finding__question__order", "finding_id")
        .values_list("lesson_id", "finding_id", "finding__question_id", "finding__question__text")
    )
    rests_on: dict[int, list[int]] = defaultdict(list)  # finding → indicators of its evidence
    for finding_id, pi_id in (
        Evidence.objects.filter(
            finding__lessons__in=lesson_ids, finding__in=findings, measurement__isnull=False
        )
        .distinct()
        .values_list("finding_id", "measurement__project_indicator_id")
    ):
        rests_on[finding_id].append(pi_id)
    results: dict[int, list[int]] = defaultdict(list)
    for lesson_id, finding_id, question_id, question in links:
        lesson_sources[lesson_id].append(_("constat « %(question)s »") % {"question": question})
        for pi_id in [*by_question.get(question_id, []), *rests_on.get(finding_id, [])]:
            if pi_id in visible and pi_id not in results[lesson_id]:
                results[lesson_id].append(pi_id)
    return results


def _assemble(
    project: Project,
    items: list[WorkshopItem],
    indicators: list[ProjectIndicator],
    tested: dict[int, list[int]],
    lessons: list[Lesson],
    lesson_links: tuple[dict[int, list[int]], dict[int, list[str]], dict[int, list[int]]],
    with_lessons: bool,
    collective: bool,
) -> FilRouge:
    """Nodes, links, the tree and the gaps, from what was read (no query). `lesson_links`: each lesson's
    outputs, its sources said in words, the indicators its findings rest on."""
    lesson_outputs, lesson_sources, lesson_results = lesson_links
    by_id = {item.pk: item for item in items}
    nodes: dict[str, Node] = {}
    edges: list[tuple[str, str]] = []
    for item in items:
        detail = (
            _("atelier « %(title)s »") % {"title": item.workshop.title} if item.workshop is not None else ""
        )
        nodes[f"item-{item.pk}"] = Node(f"item-{item.pk}", item.kind, item.title, detail)
    # An idea answers a need, a prototype an idea: the chain's first links (when both ends are visible).
    for item in items:
        if item.answers_id in by_id:
            edges.append((f"item-{item.answers_id}", f"item-{item.pk}"))
            nodes[f"item-{item.answers_id}"].children.append(nodes[f"item-{item.pk}"])
    testing: dict[int, list[str]] = defaultdict(list)  # output → indicators testing it
    for pi in indicators:
        key = f"pi-{pi.pk}"
        url = "" if collective else reverse("evaluation:project_indicator.detail", args=[pi.pk])
        nodes[key] = Node(key, "indicator", pi.indicator.name, url=url)
        result = Node(f"result-{pi.pk}", "result", _result_text(pi), detail=pi.indicator.name)
        nodes[result.key] = result
        nodes[key].children.append(result)
        edges.append((key, result.key))
        for item_id in tested.get(pi.pk, []):
            testing[item_id].append(key)
            edges.append((f"item-{item_id}", key))
            nodes[f"item-{item_id}"].children.append(nodes[key])
    lesson_nodes: list[Node] = []
    with_a_lesson: set[str] = set()
    for lesson in lessons:
        key = f"lesson-{lesson.pk}"
        node = Node(
            key,
            "lesson",
            lesson.title,
            detail=", ".join(lesson_sources.get(lesson.pk, [])),
            url="" if collective else reverse("evaluation:lesson.detail", args=[lesson.pk]),
        )
        nodes[key] = node
        lesson_nodes.append(node)
        parents: list[str] = []
        for item_id in lesson_outputs.get(lesson.pk, []):
            testers = [f"result-{pi_key.removeprefix('pi-')}" for pi_key in testing.get(item_id, [])]
            parents += testers or [f"item-{item_id}"]
        # From a finding: the results of the indicators it rests on.
        parents += [f"result-{pi_id}" for pi_id in lesson_results.get(lesson.pk, [])]
        for parent in parents:
            if (parent, key) not in edges:
                edges.append((parent, key))
                nodes[parent].children.append(node)
                with_a_lesson.add(parent)
    gaps: list[Node] = []
    # The gaps are the team's to fill: the collective does not see every indicator (only those it
    # reports), so a prototype may be tested by an indicator it does not see.
    for item in [] if collective else items:
        key = f"item-{item.pk}"
        if item.kind == ItemKind.PROTOTYPE and not testing.get(item.pk):
            nodes[key].gap = _("prototype sans indicateur")
            gaps.append(nodes[key])
    if with_lessons and not collective:
        for pi in indicators:
            key = f"result-{pi.pk}"
            # Within a chain only: an indicator testing no output is listed apart, not as a gap.
            if pi.summary["value"] is not None and tested.get(pi.pk) and key not in with_a_lesson:
                nodes[key].gap = _("résultat sans enseignement")
                gaps.append(nodes[key])
    columns = _ordered_columns(nodes, edges)
    linked = {child for _parent, child in edges}
    roots = [n for n in nodes.values() if n.column in ("need", "idea", "prototype") and n.key not in linked]
    roots.sort(key=lambda n: (COLUMNS.index(n.column), n.label.lower()))
    loose_indicators = [n for n in nodes.values() if n.column == "indicator" and n.key not in linked]
    loose_lessons = [n for n in lesson_nodes if n.key not in linked]
    return FilRouge(
        project=project,
        columns=columns,
        edges=edges,
        roots=roots,
        loose_indicators=loose_indicators,
        loose_lessons=loose_lessons,
        gaps=gaps,
        with_lessons=with_lessons,
    )


def _ordered_columns(nodes: dict[str, Node], edges: list[tuple[str, str]]) -> dict[str, list[Node]]:
    """Each column's nodes, ordered after their parents' places in the column before (fewer crossings):
    a node comes by the smallest rank of its parents, then by its label; a node with no parent last."""
    parents: dict[str, list[str]] = defaultdict(list)
    for parent, child in edges:
        parents[child].append(parent)
    rank: dict[str, float] = {}
    columns: dict[str, list[Node]] = {}
    for column in COLUMNS:
        members = [n for n in nodes.values() if n.column == column]
        members.sort(
            key=lambda n: (
                min((rank[p] for p in parents.get(n.key, []) if p in rank), default=float("inf")),
                n.label.lower(),
            )
        )
        for index, node in enumerate(members):
            rank[node.key] = index
        columns[column] = members
    return columns
