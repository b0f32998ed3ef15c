"""One project, one place: a project page shows the tabs of its phase (the others under « Plus »), the
Évaluation tab among them, and every tab row of the site is the same component."""

import html as htmllib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from projects.models import Phase
from projects.views.base import TABS

from .test_pipeline import at_phase

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PHASE_TABS = {
    "Ateliers": Phase.EMERGENCE,
    "Gouvernance": Phase.EXPERIMENTATION,
    "Déploiement": Phase.DEPLOYMENT,
}


def tab_rows(html: str) -> tuple[list[str], list[str], str | None]:
    """(main row labels, « Plus » menu labels, current tab label) of the page's first tab row."""
    nav = re.search(r'<nav class="tabs".*?</nav>', html, re.S)
    assert nav, "no tab row on the page"
    block = nav.group(0)
    menu = re.search(r'<ul class="tabs__menu">(.*?)</ul>', block, re.S)
    more = re.findall(r">([^<]+)</a>", menu.group(1)) if menu else []
    row = block.replace(menu.group(0), "") if menu else block
    main = re.findall(r'<a class="tabs__tab"[^>]*>([^<]+)</a>', row)
    current = re.search(r'<a class="tabs__tab"[^>]*aria-current="page"[^>]*>([^<]+)</a>', row)
    return [text(m) for m in main], [text(m) for m in more], text(current.group(1)) if current else None


def text(label: str) -> str:
    """A label as written in these tests (the apostrophe typographic or not)."""
    return htmllib.unescape(label).replace("’", "'").strip()


def sidebar_current(html: str) -> str | None:
    sidebar = re.search(r'<nav class="sidebar".*?</nav>', html, re.S)
    assert sidebar
    current = re.search(r'aria-current="page">([^<]+)</a>', sidebar.group(0))
    return text(current.group(1)) if current else None


@pytest.mark.parametrize(
    ("phase", "shown"),
    [
        (Phase.SELECTION, set()),
        (Phase.EMERGENCE, {"Ateliers"}),
        (Phase.EXPERIMENTATION, {"Gouvernance"}),
        (Phase.DEPLOYMENT, {"Déploiement"}),
        (Phase.STOPPED, set()),
    ],
)
def test_a_project_page_shows_the_tabs_of_its_phase_and_keeps_the_others_under_plus(
    world, staff_client, phase, shown
):
    project = at_phase(world.project_a, phase)
    main, more, current = tab_rows(staff_client.get(project.get_absolute_url()).content.decode())
    assert current == "Vue d'ensemble"
    for always in (
        "Vue d'ensemble",
        "Collectif",
        "Frise",
        "Jalons et livrables",
        "Évaluation",
        "Financement",
    ):
        assert always in main
    assert {label for label in PHASE_TABS if label in main} == shown
    assert set(more) == set(PHASE_TABS) - shown  # reachable, not in the way
    assert len(main) + len(more) == len(TABS)


def test_an_off_phase_tab_opened_from_plus_shows_in_the_row_as_the_current_one(world, staff_client):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    html = staff_client.get(reverse("projects:project.governance", args=[project.pk])).content.decode()
    main, more, current = tab_rows(html)
    assert current == "Gouvernance" and "Gouvernance" in main and "Gouvernance" not in more
    assert "Déploiement" in more


def test_the_evaluation_tab_is_registered_by_evaluation_not_named_by_projects(world, staff_client):
    keys = [t.key for t in TABS]
    assert keys.index("evaluation") == keys.index("funding") - 1
    # projects never names evaluation in Python (the import direction): the tab comes from its AppConfig.
    for path in (ROOT / "projects").rglob("*.py"):
        assert "evaluation" not in re.sub(r'""".*?"""|#.*', "", path.read_text(), flags=re.S), path
    html = staff_client.get(world.project_a.get_absolute_url()).content.decode()
    assert f'href="{reverse("evaluation:protocol", args=[world.project_a.pk])}"' in html


def test_the_evaluation_tab_is_in_the_sidebars_projets(world, staff_client):
    html = staff_client.get(reverse("evaluation:protocol", args=[world.project_a.pk])).content.decode()
    assert tab_rows(html)[2] == "Évaluation"
    assert sidebar_current(html) == "Projets"
    # The evaluation pages themselves stay in « Évaluation ».
    assert sidebar_current(staff_client.get(reverse("evaluation:home")).content.decode()) == "Évaluation"


def test_selection_is_a_projets_tab_and_no_longer_a_prospects_one(world, staff_client):
    prospects = staff_client.get(reverse("prospects:prospect.list")).content.decode()
    main, _more, current = tab_rows(prospects)
    assert current == "Liste" and "Sélection" not in main
    assert sidebar_current(prospects) == "Prospects"
    selection = staff_client.get(reverse("projects:selection.list")).content.decode()
    main, _more, current = tab_rows(selection)
    assert current == "Sélection" and main == ["Liste", "Tableau par phase", "Sélection", "Échéances"]
    assert sidebar_current(selection) == "Projets"
    assert (
        tab_rows(staff_client.get(reverse("projects:project.board")).content.decode())[2]
        == "Tableau par phase"
    )


@pytest.mark.parametrize(
    ("url_name", "current"),
    [
        ("prospects:prospect.board", "Tableau par étape"),
        ("prospects:event.list", "Événements"),
        ("projects:project.list", "Liste"),
        ("projects:deadline.list", "Échéances"),
        ("evaluation:home", "Suivi des projets"),
        ("evaluation:indicator.list", "Bibliothèque d'indicateurs"),
        ("evaluation:measurement.queue", "Mesures à valider"),
        ("evaluation:lesson.list", "Enseignements"),
    ],
)
def test_every_section_tab_row_is_the_one_component_with_its_page_current(
    staff_client, world, url_name, current
):
    html = staff_client.get(reverse(url_name)).content.decode()
    assert html.count('<nav class="tabs"') == 1
    assert tab_rows(html)[2] == current


def test_a_section_tab_row_is_drawn_for_each_language_and_page(world, staff_client):
    """A section's row is drawn once per shape and reused (programme.templatetags.tabs): the language, the
    tab shown."""
    board = reverse("prospects:prospect.board")
    for _ in range(2):  # the second time from the kept rows
        english = staff_client.get(board, headers={"Accept-Language": "en"}).content.decode()
        assert tab_rows(english)[2] == "Board by stage"
        french = staff_client.get(board, headers={"Accept-Language": "fr"}).content.decode()
        assert tab_rows(french)[2] == "Tableau par étape"
        listing = staff_client.get(reverse("prospects:prospect.list")).content.decode()
        assert tab_rows(listing)[2] == "Liste"


def test_the_partner_switches_projects_with_the_same_tab_row(world, partner_a_client):
    from tests.factories import MembershipFactory, ProjectFactory

    other = ProjectFactory(programme=world.programme, title="Projet A bis", lead_organisation=world.org_a)
    MembershipFactory(project=other, organisation=world.org_a, role="lead")
    html = partner_a_client.get(reverse("portal:project", args=[other.pk])).content.decode()
    main, _more, current = tab_rows(html)
    assert main == ["Projet A", "Projet A bis"] and current == "Projet A bis"


def test_one_tab_component_one_css_block():
    templates = "\n".join(p.read_text() for p in (ROOT / "templates").rglob("*.html"))
    for old in ('class="subnav"', 'class="pr-subnav"', 'class="portal-switcher"'):
        assert old not in templates
    assert templates.count('<nav class="tabs"') == 1  # templates/includes/_tabs.html
    css = {p.name: p.read_text() for p in (ROOT / "static" / "css").glob("*.css")}
    assert [name for name, text in css.items() if re.search(r"^\.tabs\b", text, re.M)] == ["parcours.css"]


@pytest.mark.parametrize("phase", [Phase.EMERGENCE, Phase.DEPLOYMENT, Phase.STOPPED])
@pytest.mark.parametrize("end_in_days", [None, -3, 40])
@pytest.mark.parametrize("director", [False, True])
@pytest.mark.parametrize("tab", ["overview", "governance"])
def test_the_head_written_in_python_is_its_templates_markup(world, phase, end_in_days, director, tab):
    """projects.views.base.project_head writes, byte for byte, what projects/_head.html renders: late or
    not, with or without a planned end, a cohort, the director's button, an off-phase tab current."""
    from datetime import timedelta

    from django.template.loader import render_to_string
    from django.utils import timezone

    from projects import selectors
    from projects.models import PhasePeriod, Project
    from projects.views.base import project_head, project_tabs

    project = world.project_a
    Project.objects.filter(pk=project.pk).update(
        phase=phase, title="Projet <A> & « B »", cohort=None if director else world.cohort
    )
    today = timezone.localdate()
    PhasePeriod.objects.create(
        project=project,
        phase=phase,
        planned_start=today - timedelta(days=90),
        actual_start=today - timedelta(days=80),
        planned_end=None if end_in_days is None else today + timedelta(days=end_in_days),
    )
    project = selectors.with_open_period(Project.objects.select_related("lead_organisation", "cohort")).get(
        pk=project.pk
    )
    period = selectors.open_period(project)
    assert period is not None and period.pk == selectors.current_period(project).pk
    late = bool(period.is_late())
    assert late == (end_in_days == -3)
    tabs, more = project_tabs(project, tab)
    context = {"project": project, "period": period, "late": late, "is_director": director}
    expected = render_to_string("projects/_head.html", {**context, "tabs": tabs, "more_tabs": more})
    assert project_head(project, tab, period=period, late=late, is_director=director) == expected


def test_a_project_without_an_open_period_shows_no_phase_end(world, staff_client):
    from projects import selectors
    from projects.models import Project

    project = selectors.with_open_period(Project.objects.all()).get(pk=world.project_a.pk)
    assert selectors.open_period(project) is None
    body = staff_client.get(reverse("projects:project.detail", args=[project.pk])).content.decode()
    assert "fin prévue de la phase" not in body


def test_the_overview_lists_what_falls_due_its_leads_and_themes(world, staff_client):
    """What falls due within 60 days (open items only), by date then milestones, deliverables, actions;
    the staff leads and the themes (by name) — read in one statement."""
    from datetime import timedelta

    from django.utils import timezone

    from programme.models import Theme
    from tests.factories import UserFactory

    from .factories import ActionFactory, DeliverableFactory, MilestoneFactory

    today = timezone.localdate()
    project = world.project_a
    day = today + timedelta(days=10)
    ActionFactory(project=project, title="Action du jour", due_date=day, status="open")
    DeliverableFactory(project=project, title="Livrable du jour", due_date=day, status="expected")
    MilestoneFactory(project=project, title="Jalon du jour", due_date=day, status="planned")
    MilestoneFactory(
        project=project, title="Jalon en retard", due_date=today - timedelta(days=2), status="planned"
    )
    MilestoneFactory(project=project, title="Jalon fait", due_date=day, status="done")
    MilestoneFactory(
        project=project, title="Jalon lointain", due_date=today + timedelta(days=61), status="planned"
    )
    project.themes.add(Theme.objects.create(name="Zéro déchet"), Theme.objects.create(name="Alimentation"))
    project.staff_leads.set(
        [
            UserFactory(first_name="Ana", last_name="Lopez"),
            UserFactory(first_name="", last_name="", email="x@y.fr"),
        ]
    )
    body = staff_client.get(reverse("projects:project.detail", args=[project.pk])).content.decode()
    rows = re.findall(
        r"<tr><td>[^<]*(?: <span[^>]*>en retard</span>)?</td><td>(\w+)</td><td>([^<]*)</td>", body
    )
    assert rows == [
        ("Jalon", "Jalon en retard"),
        ("Jalon", "Jalon du jour"),
        ("Livrable", "Livrable du jour"),
        ("Action", "Action du jour"),
    ]
    assert "<dd>Ana Lopez, x@y.fr</dd>" in body
    assert '<dd><span class="badge">Alimentation</span> <span class="badge">Zéro déchet</span> </dd>' in body
