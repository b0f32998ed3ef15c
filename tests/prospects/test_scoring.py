"""Scoring grids and pre-qualification interviews: weighted arithmetic, spread, versioning, the flow."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prospects import services
from prospects.models import Interview, InterviewStatus, Score, ScoringGrid, Stage

from .factories import interview_for, prospect_in, score_all


def test_default_grid_has_the_six_criteria(world):
    grid = services.grid_ensure_default(programme=world.programme)
    labels = list(grid.criteria.values_list("label", flat=True))
    assert labels == [
        "Potentiel de coopération",
        "Maturité et stabilité de l’activité",
        "Capacité à s’engager dans un cycle d’innovation",
        "Ancrage territorial",
        "Contribution à l’intérêt général",
        "Disponibilité de l’équipe",
    ]
    assert all(c.level_0 and c.level_3 for c in grid.criteria.all())
    assert services.grid_ensure_default(programme=world.programme) == grid  # idempotent


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(3, 3), (2, 0)], Decimal("1.80")),  # (9 + 0) / 5
        ([(1, 2), (1, 3)], Decimal("2.50")),
        ([(2, 1), (1, 2)], Decimal("1.33")),  # 4 / 3 rounded half up
        ([], None),
    ],
)
def test_weighted_average(pairs, expected):
    assert services.weighted_average(pairs) == expected


def test_interview_score_mean_and_spread(world):
    interview = interview_for(world)
    criteria = list(interview.grid.criteria.all())  # weights 3, 2, 2, 2, 2, 1 (sum 12)
    services.interview_score(
        actor=world.staff, interview=interview, values={c.pk: (3, "très bien") for c in criteria}
    )
    values = {c.pk: (1, "") for c in criteria}
    values[criteria[0].pk] = (3, "")  # (3×3 + 9×1) / 12 = 1.5
    services.interview_score(actor=world.director, interview=interview, values=values)
    interview.refresh_from_db()
    assert interview.weighted_score == Decimal("2.25")  # mean of 3.00 and 1.50
    assert interview.score_spread == Decimal("1.50")


def test_scoring_again_replaces_the_interviewers_scores(world):
    interview = interview_for(world)
    score_all(interview, world.staff, 1)
    score_all(interview, world.staff, 2)
    assert Score.objects.filter(interview=interview).count() == 6
    assert set(Score.objects.values_list("value", flat=True)) == {2}


def test_only_interviewers_score(world):
    interview = interview_for(world, interviewers=[world.staff])
    with pytest.raises(ValidationError, match="intervieweurs"):
        score_all(interview, world.director, 2)


def test_every_criterion_must_be_scored(world):
    interview = interview_for(world)
    first = interview.grid.criteria.first()
    with pytest.raises(ValidationError, match="Notez chaque critère"):
        services.interview_score(actor=world.staff, interview=interview, values={first.pk: (2, "")})
    assert not Score.objects.exists()


def test_scores_are_0_to_3(world):
    interview = interview_for(world)
    with pytest.raises(ValidationError, match="0 à 3"):
        services.interview_score(
            actor=world.staff,
            interview=interview,
            values={c.pk: (4, "") for c in interview.grid.criteria.all()},
        )


def test_completion_needs_every_interviewer_and_moves_to_prequalified(world):
    prospect = prospect_in(world, stage="interested")
    interview = interview_for(world, prospect=prospect)
    prospect.refresh_from_db()
    assert prospect.stage == Stage.INTERVIEW_PLANNED  # scheduling moved it
    score_all(interview, world.staff, 2)
    with pytest.raises(ValidationError, match="manque"):
        services.interview_complete(
            actor=world.staff, interview=interview, recommendation="propose", rationale="ok"
        )
    score_all(interview, world.director, 3)
    services.interview_complete(
        actor=world.staff, interview=interview, recommendation="propose", rationale="Solide"
    )
    interview.refresh_from_db()
    prospect.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED
    assert prospect.stage == Stage.PREQUALIFIED
    with pytest.raises(ValidationError, match="ne peuvent plus changer"):
        score_all(interview, world.staff, 0)


def test_changing_the_grid_never_alters_given_scores(world, director_client):
    interview = interview_for(world)
    score_all(interview, world.staff, 2)
    score_all(interview, world.director, 2)
    old_grid = interview.grid
    data = {"criteria-TOTAL_FORMS": "2", "criteria-INITIAL_FORMS": "0"}
    for i, label in enumerate(["Nouveau critère unique", "Autre"]):
        data.update(
            {
                f"criteria-{i}-label": label,
                f"criteria-{i}-weight": "5",
                f"criteria-{i}-level_0": "a",
                f"criteria-{i}-level_1": "b",
                f"criteria-{i}-level_2": "c",
                f"criteria-{i}-level_3": "d",
            }
        )
    response = director_client.post(reverse("prospects:grid.edit") + f"?programme={world.programme.pk}", data)
    assert response.status_code == 302
    new_grid = ScoringGrid.objects.get(programme=world.programme, version=2)
    assert list(new_grid.criteria.values_list("label", flat=True)) == ["Nouveau critère unique", "Autre"]
    interview.refresh_from_db()
    assert interview.grid == old_grid and old_grid.criteria.count() == 6
    assert interview.weighted_score == Decimal("2.00")
    assert Score.objects.filter(interview=interview).count() == 12
    later = interview_for(world, prospect=prospect_in(world, organisation=world.org_b))
    assert later.grid == new_grid


def test_grid_edit_refuses_an_empty_grid(world, director_client):
    data = {
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-0-DELETE": "on",
        "criteria-0-label": "x",
        "criteria-0-weight": "1",
        "criteria-0-level_0": "a",
        "criteria-0-level_1": "b",
        "criteria-0-level_2": "c",
        "criteria-0-level_3": "d",
    }
    response = director_client.post(reverse("prospects:grid.edit"), data)
    assert response.status_code == 200
    assert "au moins un critère" in response.content.decode()


def test_grid_edit_refuses_a_zero_weight_and_saves_nothing(world, director_client):
    """A criterion weighing nothing (so a grid whose weights are all zero) is refused, in French."""
    data = {"criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-0-label": "Ancrage"}
    data.update({"criteria-0-weight": "0", **{f"criteria-0-level_{i}": "x" for i in range(4)}})
    response = director_client.post(reverse("prospects:grid.edit") + f"?programme={world.programme.pk}", data)
    assert response.status_code == 200
    assert "supérieure ou égale à 1" in response.content.decode()
    assert not ScoringGrid.objects.filter(criteria__label="Ancrage").exists()


def test_staff_read_the_grid_but_cannot_change_it(world, staff_client):
    assert staff_client.get(reverse("prospects:grid.detail")).status_code == 200
    assert "Modifier la grille" not in staff_client.get(reverse("prospects:grid.detail")).content.decode()
    assert staff_client.get(reverse("prospects:grid.edit")).status_code == 404


def test_interview_pages(world, staff_client):
    prospect = prospect_in(world, stage="interested")
    url = reverse("prospects:interview.create", args=[prospect.pk])
    when_and_who = {
        "scheduled_at": "2026-06-01T14:30",
        "interviewers": [world.staff.pk],
        "contacts": [world.person_a.pk],
    }
    response = staff_client.post(url, {**when_and_who, "place": ""})
    assert "Indiquez le lieu" in response.content.decode()
    response = staff_client.post(url, {**when_and_who, "remote": "on"})
    interview = Interview.objects.get()
    assert response["Location"] == interview.get_absolute_url()
    criteria = list(interview.grid.criteria.all())
    data = {f"score-score_{c.pk}": "2" for c in criteria[:-1]}
    response = staff_client.post(reverse("prospects:interview.score", args=[interview.pk]), data)
    assert "Notez ce critère" in response.content.decode()
    data[f"score-score_{criteria[-1].pk}"] = "3"
    data[f"score-comment_{criteria[0].pk}"] = "Très bon réseau"
    response = staff_client.post(reverse("prospects:interview.score", args=[interview.pk]), data)
    assert response.status_code == 302
    page = staff_client.get(interview.get_absolute_url()).content.decode()
    assert "Très bon réseau" in page
    assert "2,08" in page  # 25 / 12, French decimal comma
    response = staff_client.post(
        reverse("prospects:interview.complete", args=[interview.pk]), {"end-recommendation": "propose"}
    )
    assert response.status_code == 200
    response = staff_client.post(
        reverse("prospects:interview.complete", args=[interview.pk]),
        {"end-recommendation": "propose", "end-rationale": "Collectif solide"},
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.stage == Stage.PREQUALIFIED
