"""Moves that make sense: a stage or phase menu offers exactly the moves the rules allow (the table the
service applies), the next stage preselected and never a move back; a refused move is never a choice."""

import html as htmllib
import re

import pytest
from django.urls import reverse

from projects import services as project_services
from projects.models import Outcome, Phase
from prospects.models import STAGE_RANK, Stage
from prospects.services import move_refusal
from tests.projects.test_pipeline import at_phase

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

#: The move each stage's menu preselects (None: the way forward is not a manual move — interview,
#: selection committee — or there is none: the menu asks to choose).
NEXT = {
    Stage.IDENTIFIED: Stage.CONTACTED,
    Stage.CONTACTED: Stage.INTERESTED,
    Stage.INTERESTED: Stage.INTERVIEW_PLANNED,
    Stage.INTERVIEW_PLANNED: None,
    Stage.PREQUALIFIED: Stage.CANDIDATE,
    Stage.CANDIDATE: None,
    Stage.DISCARDED: None,
}


def allowed(stage: str) -> list[str]:
    """What the service accepts from `stage` (with a reason, which « Écarté » asks for), in pipeline order."""
    return [to for to in Stage.values if move_refusal(from_stage=stage, to_stage=to, reason="Motif") is None]


def select_options(html: str, select_id: str) -> tuple[list[str], str | None]:
    """(option values, the selected one — or the first, as a browser would) of a <select>."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no menu #{select_id}"
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    values = [htmllib.unescape(v) for v, _attrs in options]
    selected = next((v for v, attrs in options if "selected" in attrs), values[0] if values else None)
    return values, selected


@pytest.mark.parametrize("stage", list(NEXT))
@pytest.mark.parametrize("role", ["staff", "director"])
def test_the_detail_page_menu_offers_only_the_allowed_moves_and_preselects_the_next_stage(world, role, stage):
    from tests.conftest import client_for

    prospect = ProspectFactory(programme=world.programme, stage=stage)
    html = client_for(getattr(world, role)).get(reverse("prospects:prospect.detail", args=[prospect.pk]))
    values, selected = select_options(html.content.decode(), "id_to_stage")
    offered = [v for v in values if v]
    assert offered == allowed(stage)
    assert selected == (NEXT[stage] or "")
    if selected:
        assert STAGE_RANK[selected] > STAGE_RANK[stage]  # never a move back
    else:
        assert values[0] == ""  # « choose », not a move made by default


@pytest.mark.parametrize("stage", list(NEXT))
def test_the_board_card_menu_is_the_same_menu(world, staff_client, stage):
    prospect = ProspectFactory(programme=world.programme, stage=stage)
    html = staff_client.get(reverse("prospects:prospect.board")).content.decode()
    values, selected = select_options(html, f"move-{prospect.pk}")
    assert [v for v in values if v] == allowed(stage)
    assert selected == (NEXT[stage] or "")


def test_refused_moves_never_appear_as_choices(world, staff_client):
    candidate = ProspectFactory(programme=world.programme, stage=Stage.CANDIDATE)
    html = staff_client.get(reverse("prospects:prospect.detail", args=[candidate.pk])).content.decode()
    values, _selected = select_options(html, "id_to_stage")
    assert Stage.RETAINED not in values and Stage.NOT_RETAINED not in values  # « Seul le comité… »
    board = staff_client.get(reverse("prospects:prospect.board")).content.decode()
    assert "Autres étapes" not in board and "Seul le comité" not in board


def test_a_closed_stage_has_no_menu(world, staff_client):
    retained = ProspectFactory(programme=world.programme, stage=Stage.RETAINED)
    html = staff_client.get(reverse("prospects:prospect.detail", args=[retained.pk])).content.decode()
    assert 'name="to_stage"' not in html and "Étape définitive" in html


def test_the_menu_posts_the_preselected_move(world, staff_client):
    prospect = ProspectFactory(programme=world.programme, stage=Stage.CONTACTED)
    html = staff_client.get(reverse("prospects:prospect.detail", args=[prospect.pk])).content.decode()
    _values, selected = select_options(html, "id_to_stage")
    staff_client.post(reverse("prospects:prospect.move", args=[prospect.pk]), {"to_stage": selected})
    prospect.refresh_from_db()
    assert prospect.stage == Stage.INTERESTED


# --- Phase menu (the gate decision) ------------------------------------------------------------------


def outcome_choices(html: str) -> tuple[list[str], str | None]:
    radios = re.findall(r'<input type="radio" name="outcome" value="([^"]+)"([^>]*)>', html)
    return [v for v, _a in radios], next((v for v, a in radios if "checked" in a), None)


@pytest.mark.parametrize("phase", [Phase.SELECTION, Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT])
def test_the_phase_menu_offers_the_allowed_decisions_with_poursuite_preselected(
    world, director_client, phase
):
    project = at_phase(world.project_a, phase)
    html = director_client.get(reverse("projects:gate.dossier", args=[project.pk])).content.decode()
    values, checked = outcome_choices(html)
    assert values == project_services.allowed_outcomes(project)
    assert checked == Outcome.CONTINUE
    # Each decision says where it leads.
    to_phase = project_services.target_phase(phase, Outcome.CONTINUE)
    assert to_phase is not None
    labels = dict(re.findall(r'value="([^"]+)"[^>]*>\s*([^<]+)<', htmllib.unescape(html)))
    expected = "fin de l’accompagnement" if to_phase == Phase.COMPLETED else str(Phase(to_phase).label)
    assert expected in labels[Outcome.CONTINUE]


@pytest.mark.parametrize("phase", [Phase.STOPPED, Phase.COMPLETED])
def test_a_closed_project_has_no_phase_menu(world, director_client, phase):
    project = at_phase(world.project_a, phase)
    html = director_client.get(reverse("projects:gate.dossier", args=[project.pk])).content.decode()
    assert outcome_choices(html) == ([], None)


def test_staff_read_the_dossier_without_a_phase_menu(world, staff_client):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    html = staff_client.get(reverse("projects:gate.dossier", args=[project.pk])).content.decode()
    assert outcome_choices(html) == ([], None)  # only the direction decides (project_move)
