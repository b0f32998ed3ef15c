"""Selection committee: ranking, mandatory rationale, capacity and its recorded override, the project and
collective created from a retained candidate, and the contacts' e-mail sent only after commit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
    decide_url = reverse("projects:selection.decide", args=[world.cohort.pk, prospect.pk])
    assert f'href="{decide_url}"' in director_client.get(url).content.decode()  # « Décider » on its row
    page = director_client.get(decide_url).content.decode()
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


# --- The decision form, one candidate at a time -----------------------------------------------------------


def _committee(client, world):
    return client.get(reverse("projects:selection.committee", args=[world.cohort.pk]))


def _decide_url(world, prospect):
    return reverse("projects:selection.decide", args=[world.cohort.pk, prospect.pk])


def test_the_committee_offers_a_decide_button_per_waiting_candidate_and_draws_no_form(world, director_client):
    waiting = candidate_in(world, organisation=OrganisationFactory(name="Atelier du Rhône"))
    decided = candidate_in(world, organisation=OrganisationFactory(name="Ferme des Monts"))
    decide(world, decided, decision="not_retained", rationale="Trop tôt")
    page = _committee(director_client, world).content.decode()
    assert page.count(f'href="{_decide_url(world, waiting)}"') == 1
    assert _decide_url(world, decided) not in page  # decided: its decision stands on its row instead
    assert "Non retenu" in page and "Trop tôt" in page
    assert "<textarea" not in page and "submission_token" not in page  # no form until one is asked for
    assert "Revoir la décision" not in page
    decide(world, waiting, decision="waiting_list", rationale="À revoir")
    page = _committee(director_client, world).content.decode()
    assert page.count(f'href="{_decide_url(world, waiting)}"') == 1 and "Revoir la décision" in page


def test_the_committee_page_reads_the_same_queries_whatever_the_number_of_candidates(world, director_client):
    for _ in range(2):
        candidate_in(world)
    with CaptureQueriesContext(connection) as few:
        assert _committee(director_client, world).status_code == 200
    for _ in range(6):
        decide(world, candidate_in(world), decision="waiting_list", rationale="À revoir")
    with CaptureQueriesContext(connection) as many:
        page = _committee(director_client, world)
    assert page.content.decode().count('class="decision-slot"') == 8  # waiting-list ones too
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_asking_for_the_form_in_a_row_sends_the_form_alone(world, director_client):
    prospect = candidate_in(world, organisation=OrganisationFactory(name="Atelier du Rhône"))
    response = director_client.get(_decide_url(world, prospect), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'name="c{prospect.pk}-decision"' in body and f'name="c{prospect.pk}-rationale"' in body
    assert "Enregistrer la décision" in body and "submission_token" in body


def test_without_scripts_the_form_has_a_page_with_the_candidates_interview_and_the_places(
    world, director_client
):
    world.cohort.capacity = 3
    world.cohort.save(update_fields=["capacity"])
    decide(world, candidate_in(world))
    prospect = candidate_in(world, organisation=OrganisationFactory(name="Atelier du Rhône"), score=3)
    body = director_client.get(_decide_url(world, prospect)).content.decode()
    assert "Décision sur Atelier du Rhône" in body
    assert "1 retenu sur 3 places" in body
    assert "Score de l’entretien (sur 3) :" in body and "<strong>3" in body
    assert "Proposer à la sélection :" in body and "Bien." in body  # the interview's recommendation
    assert f'name="c{prospect.pk}-decision"' in body
    assert (
        f'href="{reverse("projects:selection.committee", args=[world.cohort.pk])}#candidate-{prospect.pk}"'
        in body
    )


def test_a_decided_candidate_has_no_form_any_more(world, director_client):
    prospect = candidate_in(world, organisation=OrganisationFactory(name="Ferme des Monts"))
    decide(world, prospect, decision="not_retained", rationale="Trop tôt")
    response = director_client.get(_decide_url(world, prospect), follow=True)
    committee = reverse("projects:selection.committee", args=[world.cohort.pk])
    assert response.redirect_chain == [(f"{committee}#candidate-{prospect.pk}", 302)]
    assert "« Ferme des Monts » n’attend pas de décision de ce comité (étape actuelle : Non retenu)" in (
        response.content.decode()
    )


def test_a_row_asking_for_a_form_decided_meanwhile_sends_the_whole_page_to_the_committee(
    world, director_client
):
    prospect = candidate_in(world)
    decide(world, prospect, decision="not_retained", rationale="Trop tôt")
    response = director_client.get(_decide_url(world, prospect), headers={"HX-Request": "true"})
    committee = reverse("projects:selection.committee", args=[world.cohort.pk])
    assert response.status_code == 200 and response["HX-Redirect"] == f"{committee}#candidate-{prospect.pk}"
    assert response.content == b""  # nothing swapped into the row


def test_a_saved_decision_comes_back_to_the_candidates_row(world, director_client):
    prospect = candidate_in(world)
    response = post_decision(director_client, world, prospect, decision="waiting_list", rationale="À revoir")
    committee = reverse("projects:selection.committee", args=[world.cohort.pk])
    assert response.status_code == 302 and response["Location"] == f"{committee}#candidate-{prospect.pk}"
    assert SelectionDecision.objects.get(prospect=prospect).decision == Decision.WAITING_LIST


def test_a_refused_decision_shows_its_page_again_with_what_was_typed(world, director_client):
    prospect = candidate_in(world, organisation=OrganisationFactory(name="Atelier du Rhône"))
    response = post_decision(
        director_client, world, prospect, decision="retained", rationale="Solide", project_title=""
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Décision sur Atelier du Rhône" in body
    assert "La décision n’est pas enregistrée : corrigez ce qui est signalé ci-dessous." in body
    assert ">\nSolide</textarea>" in body  # what was typed is kept
    assert not SelectionDecision.objects.exists()


def test_staff_read_the_committee_but_get_no_decision_form(world, staff_client):
    prospect = candidate_in(world)
    assert _decide_url(world, prospect) not in _committee(staff_client, world).content.decode()
    assert staff_client.get(_decide_url(world, prospect)).status_code == 404
