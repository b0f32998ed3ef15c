"""Selection committee: ranking, mandatory rationale, capacity and its recorded override, the project and
collective created from a retained candidate, and the contacts' e-mail sent only after commit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from programme.models import AuditEntry
from projects.models import MemberRole, Membership, Phase, Project
from projects.selection.services import project_create_from_selection
from prospects import services
from prospects.models import Decision, SelectionDecision, SelectionNotice, Stage
from tests.factories import OrganisationFactory, PersonFactory

from .factories import candidate_in


def decide(world, prospect, decision="retained", rationale="Solide", override=False):
    return services.selection_decide(
        actor=world.director,
        cohort=world.cohort,
        prospect=prospect,
        decision=decision,
        rationale=rationale,
        capacity_override=override,
    )


def post_decision(client, world, prospect, follow=False, **data):
    prefix = f"c{prospect.pk}-"
    return client.post(
        reverse("projects:selection.decide", args=[world.cohort.pk, prospect.pk]),
        {prefix + key: value for key, value in data.items()},
        follow=follow,
    )


def test_committee_ranks_candidates_by_score(world, staff_client):
    low = candidate_in(world, organisation=OrganisationFactory(name="Basse"), score=1)
    high = candidate_in(world, organisation=OrganisationFactory(name="Haute"), score=3)
    page = staff_client.get(reverse("projects:selection.committee", args=[world.cohort.pk])).content.decode()
    assert page.index("Haute") < page.index("Basse")
    assert "Lecture seule" in page  # staff see, directors decide
    assert low.pk and high.pk


def test_rationale_is_mandatory(world, director_client):
    prospect = candidate_in(world)
    response = post_decision(director_client, world, prospect, decision="retained", rationale="")
    assert response.status_code == 200
    assert "la motivation est obligatoire" in response.content.decode()
    assert not SelectionDecision.objects.exists()
    with pytest.raises(ValidationError, match="obligatoire"):
        decide(world, prospect, rationale="   ")


def test_only_candidates_go_to_committee(world):
    from .factories import prospect_in

    with pytest.raises(ValidationError, match="Seul un candidat"):
        decide(world, prospect_in(world, stage=Stage.PREQUALIFIED))


def test_staff_cannot_decide(world):
    with pytest.raises(ValidationError, match="direction"):
        services.selection_decide(
            actor=world.staff,
            cohort=world.cohort,
            prospect=candidate_in(world),
            decision="retained",
            rationale="x",
        )


def test_capacity_cannot_be_exceeded_without_a_recorded_override(world, director_client):
    world.cohort.capacity = 1
    world.cohort.save()
    first, second = candidate_in(world), candidate_in(world)
    decide(world, first)
    retained = {
        "decision": "retained",
        "rationale": "Excellent aussi",
        "project_title": "Tiers-lieu nourricier",
    }
    response = post_decision(director_client, world, second, **retained)
    assert response.status_code == 200
    assert "La promotion est complète" in response.content.decode()
    assert SelectionDecision.objects.count() == 1
    assert not Project.objects.filter(lead_organisation=second.organisation).exists()
    response = post_decision(director_client, world, second, **retained, capacity_override="on")
    assert response.status_code == 302
    decision = SelectionDecision.objects.get(prospect=second)
    assert decision.capacity_override is True
    entry = AuditEntry.objects.get(action="selection.decided", object_id=str(decision.pk))
    assert entry.changes["dépassement de capacité"] == [None, True]


def test_override_is_not_recorded_when_there_is_room(world):
    decision = decide(world, candidate_in(world), override=True)
    assert decision.capacity_override is False


def test_waiting_list_can_later_be_retained_but_final_decisions_cannot_change(world):
    prospect = candidate_in(world)
    decide(world, prospect, decision=Decision.WAITING_LIST)
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CANDIDATE
    decide(world, prospect, decision=Decision.NOT_RETAINED)
    prospect.refresh_from_db()
    assert prospect.stage == Stage.NOT_RETAINED
    assert SelectionDecision.objects.get().decision == Decision.NOT_RETAINED
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        decide(world, prospect, decision=Decision.RETAINED)


def test_retained_candidate_becomes_a_project_with_its_collective(
    world, director_client, django_capture_on_commit_callbacks
):
    partner_org = OrganisationFactory(name="Partenaire rencontré")
    prospect = candidate_in(world, organisation=OrganisationFactory(name="Porteuse"))
    lead_a = PersonFactory(organisation=prospect.organisation, email="lead@porteuse.fr", last_name="Aaa")
    lead_b = PersonFactory(organisation=prospect.organisation, email="second@porteuse.fr", last_name="Bbb")
    met = PersonFactory(organisation=partner_org, email="met@partenaire.fr")
    prospect.interviews.get().contacts.add(met)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_decision(
            director_client,
            world,
            prospect,
            decision="retained",
            rationale="Collectif solide",
            project_title="Cantine partagée des Pentes",
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 0  # nothing leaves before commit
    assert len(callbacks) == 1
    project = Project.objects.get(selection_decision__prospect=prospect)
    assert project.title == "Cantine partagée des Pentes"
    assert project.phase == Phase.SELECTION
    assert project.lead_organisation == prospect.organisation
    assert project.cohort == world.cohort
    members = {(m.organisation_id, m.person_id, m.role) for m in Membership.objects.filter(project=project)}
    assert members == {
        (prospect.organisation_id, lead_a.pk, MemberRole.LEAD),
        (prospect.organisation_id, lead_b.pk, MemberRole.LEAD),
        (partner_org.pk, met.pk, MemberRole.PARTNER),
    }
    prospect.refresh_from_db()
    assert prospect.stage == Stage.RETAINED
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "lead@porteuse.fr",
        "met@partenaire.fr",
        "second@porteuse.fr",
    ]
    message = mail.outbox[0]
    assert "retenu" in message.subject and "Bonjour" in message.body
    assert "comité de sélection a retenu" in message.body


def test_email_leaves_after_commit_only(world, director_client, django_capture_on_commit_callbacks):
    prospect = candidate_in(world)
    PersonFactory(organisation=prospect.organisation, email="x@porteuse.fr")
    with django_capture_on_commit_callbacks(execute=True):
        post_decision(
            director_client, world, prospect, decision="retained", rationale="Oui", project_title="P"
        )
    assert [m.to for m in mail.outbox] == [["x@porteuse.fr"]]


def test_notification_task_is_idempotent(world, django_capture_on_commit_callbacks):
    from projects.selection.tasks import send_selection_notifications

    prospect = candidate_in(world)
    PersonFactory(organisation=prospect.organisation, email="x@porteuse.fr")
    with django_capture_on_commit_callbacks(execute=True):
        project = project_create_from_selection(
            actor=world.director, decision=decide(world, prospect), title="Épicerie mobile"
        )
    assert send_selection_notifications(project.pk) == 0
    assert len(mail.outbox) == 1
    assert SelectionNotice.objects.count() == 1


def test_failed_project_creation_rolls_back_the_decision(world, director_client, monkeypatch):
    import projects.selection.views as views

    def boom(*, actor, decision, title):
        raise ValidationError("Échec simulé", code="boom")

    monkeypatch.setattr(views, "project_create_from_selection", boom)
    prospect = candidate_in(world)
    response = post_decision(
        director_client, world, prospect, decision="retained", rationale="Oui", project_title="P"
    )
    assert response.status_code == 200
    assert "Échec simulé" in response.content.decode()
    assert not SelectionDecision.objects.exists()
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CANDIDATE


def test_a_decision_gets_one_project_only(world):
    decision = decide(world, candidate_in(world))
    project_create_from_selection(actor=world.director, decision=decision, title="Recyclerie")
    with pytest.raises(ValidationError, match="déjà son projet"):
        project_create_from_selection(actor=world.director, decision=decision, title="Recyclerie")


def test_deciding_twice_explains_why(world, director_client):
    prospect = candidate_in(world)
    decide(world, prospect, decision=Decision.NOT_RETAINED)
    response = post_decision(
        director_client,
        world,
        prospect,
        decision="retained",
        rationale="Finalement oui",
        project_title="Épicerie",
        follow=True,
    )
    assert "déjà enregistrée" in response.content.decode()
    assert SelectionDecision.objects.get().decision == Decision.NOT_RETAINED


def test_retaining_asks_the_project_title_proposed_from_the_project_idea_and_links_to_the_project(
    world, director_client
):
    prospect = candidate_in(world, organisation=OrganisationFactory(name="Recyclerie des Pentes"))
    prospect.project_idea = "Atelier vélo solidaire"
    prospect.save(update_fields=["project_idea"])
    url = reverse("projects:selection.committee", args=[world.cohort.pk])
    page = director_client.get(url).content.decode()
    assert "Titre du projet (si retenu)" in page
    assert f'name="c{prospect.pk}-project_title"' in page and 'value="Atelier vélo solidaire"' in page

    response = post_decision(
        director_client,
        world,
        prospect,
        decision="retained",
        rationale="Collectif solide",
        project_title="  Atelier vélo   des Pentes ",
        follow=True,
    )
    project = Project.objects.get(selection_decision__prospect=prospect)
    assert project.title == "Atelier vélo des Pentes"  # as typed, spaces tidied
    body = response.content.decode()
    assert "le projet «\u202fAtelier vélo des Pentes\u202f» est créé" in body
    # The committee row now links to the project it created.
    assert f'<a href="{project.get_absolute_url()}">Atelier vélo des Pentes</a>' in body
    assert not Project.objects.filter(title__startswith="Projet —").exists()


@pytest.mark.parametrize(
    ("title", "error"),
    [("", "Donnez un titre au projet"), ("   ", "Donnez un titre au projet"), ("x" * 201, "au plus 200")],
    ids=["empty", "blank", "too-long"],
)
def test_a_retained_candidate_without_a_usable_title_is_refused_and_nothing_is_saved(
    world, director_client, title, error
):
    prospect = candidate_in(world)
    response = post_decision(
        director_client, world, prospect, decision="retained", rationale="Oui", project_title=title
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert error in body and "La décision n’est pas enregistrée" in body.replace("'", "’")
    assert "Oui</textarea>" in body  # what was typed is kept
    assert not SelectionDecision.objects.exists()
    assert not Project.objects.filter(selection_decision__isnull=False).exists()
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CANDIDATE


def test_the_service_refuses_a_project_without_a_usable_title(world):
    decision = decide(world, candidate_in(world))
    for title in ("  ", "x" * 201):
        with pytest.raises(ValidationError) as refused:
            project_create_from_selection(actor=world.director, decision=decision, title=title)
        assert refused.value.code == "title"
    assert not Project.objects.filter(selection_decision__isnull=False).exists()


def test_a_decision_other_than_retained_needs_no_title(world, director_client):
    prospect = candidate_in(world)
    response = post_decision(director_client, world, prospect, decision="not_retained", rationale="Trop tôt")
    assert response.status_code == 302
    assert SelectionDecision.objects.get().decision == Decision.NOT_RETAINED
    assert not Project.objects.filter(selection_decision__isnull=False).exists()


@pytest.mark.parametrize("role", ["staff", "partner_a", "outsider_partner"])
def test_only_the_director_may_retain_others_get_404_and_nothing_is_saved(world, role):
    from tests.conftest import client_for

    prospect = candidate_in(world)
    response = post_decision(
        client_for(getattr(world, role)),
        world,
        prospect,
        decision="retained",
        rationale="Oui",
        project_title="Atelier vélo",
    )
    assert response.status_code == 404
    assert not SelectionDecision.objects.exists()
    assert not Project.objects.filter(selection_decision__isnull=False).exists()
