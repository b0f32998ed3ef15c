"""Bulk actions on the project list (« Pour la sélection »): add or take out a lead, change the promotion, add
a theme — choose → confirm (what will happen, the rows left as they are and why) → apply once, one audit
entry per project; the same flow as the prospect list's (programme.bulk_actions)."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programme import bulk_actions
from programme.models import AuditEntry, Theme
from projects import services
from projects.models import Phase, Project
from tests.conftest import client_for
from tests.factories import CohortFactory, ProgrammeFactory, ProjectFactory, UserFactory

BULK = reverse("projects:project.bulk")
LIST = reverse("projects:project.list")

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def ids(*projects) -> list[int]:
    return [p.pk for p in projects]


def leads(project) -> set[str]:
    return {u.email for u in project.staff_leads.all()}


@pytest.fixture
def colleague(world):
    return UserFactory(email="claire@test.fr", role="staff", first_name="Claire", last_name="Colin")


def test_the_list_offers_a_checkbox_per_row_and_the_action_menu(world, staff_client):
    page = text(staff_client.get(LIST))
    assert page.count('name="ids"') == 2
    assert 'aria-label="Sélectionner Projet A"' in page
    assert "Pour la sélection" in page and "Ajouter un·e chargé·e" in page and "Changer de promotion" in page
    assert "les 2 projets de ce filtre" in page
    # A filter that keeps nothing shows no bar.
    assert "Pour la sélection" not in text(staff_client.get(LIST, {"q": "aucun projet de ce nom"}))


def test_adding_a_lead_previews_then_applies_to_the_projects_not_yet_followed(world, staff_client, colleague):
    world.project_a.staff_leads.add(colleague)
    arrival = text(
        staff_client.get(BULK, {"action": "lead_add", "ids": ids(world.project_a, world.project_b)})
    )
    assert "2 projets sélectionnés" in arrival and "Chargé·e" in arrival
    data = {"action": "lead_add", "ids": ids(world.project_a, world.project_b), "lead": colleague.pk}
    preview = text(staff_client.post(BULK, {**data, "step": "preview"}))
    assert "Claire Colin suivra ces projets." in preview
    assert "1 projet sera modifié" in preview
    assert "Projet A</a> — Déjà suivi par Claire Colin." in preview
    assert leads(world.project_b) == set()  # nothing changed yet

    done = text(staff_client.post(BULK, {**data, "step": "apply"}))
    assert "1 projet modifié." in done and "1 laissé tel quel" in done
    assert leads(world.project_b) == {"claire@test.fr"}
    entry = AuditEntry.objects.get(action="project.updated", object_id=str(world.project_b.pk))
    assert entry.changes == {"staff_leads": [[], [str(colleague)]]}
    assert not AuditEntry.objects.filter(action="project.updated", object_id=str(world.project_a.pk)).exists()


def test_taking_a_lead_out_keeps_someone_active_on_every_project(world, staff_client, colleague):
    gone = UserFactory(role="staff", first_name="Paul", last_name="Parti", is_active=False)
    world.project_a.staff_leads.add(colleague, world.staff)  # another active lead: taken out
    world.project_b.staff_leads.add(colleague, gone)  # only a former member would stay: refused
    third = ProjectFactory(programme=world.programme, title="Projet C")  # not followed by her: refused
    done = text(
        staff_client.post(
            BULK,
            {
                "action": "lead_remove",
                "ids": ids(world.project_a, world.project_b, third),
                "lead": colleague.pk,
                "step": "apply",
            },
        )
    )
    assert "1 projet modifié." in done
    assert "Projet B</a> — Suivi par Claire Colin seul·e\u202f: ajoutez d’abord un·e autre chargé·e." in done
    assert "Projet C</a> — Pas suivi par Claire Colin." in done
    assert leads(world.project_a) == {"staff@test.fr"}
    assert colleague in world.project_b.staff_leads.all()


def test_a_former_member_can_be_taken_out_of_the_leads(world, staff_client):
    """A colleague gone (account closed) still leads projects: the list's « Chargé·e » filter finds them,
    marked, and « Retirer un·e chargé·e » takes them out. A former member who leads nothing is not offered."""
    gone = UserFactory(role="staff", first_name="Paul", last_name="Parti", is_active=False)
    UserFactory(role="staff", first_name="Jean", last_name="Oublié", is_active=False)
    world.project_a.staff_leads.add(gone, world.staff)
    page = text(staff_client.get(LIST))
    assert "Paul Parti (compte fermé)" in page and "Jean Oublié" not in page
    filtered = text(staff_client.get(LIST, {"lead": gone.pk}))
    assert "Projet A" in filtered and "Projet B" not in filtered
    menu = text(
        staff_client.get(BULK, {"action": "lead_remove", "all": "True", "filters": f"lead={gone.pk}"})
    )
    assert "1 projet sélectionné" in menu and "Paul Parti (compte fermé)" in menu
    staff_client.post(
        BULK, {"action": "lead_remove", "ids": ids(world.project_a), "lead": gone.pk, "step": "apply"}
    )
    assert leads(world.project_a) == {"staff@test.fr"}
    # Adding them back is refused: only active team members follow projects.
    page = text(
        staff_client.post(
            BULK, {"action": "lead_add", "ids": ids(world.project_a), "lead": gone.pk, "step": "apply"}
        )
    )
    assert "Sélectionnez un choix valide" in page
    assert leads(world.project_a) == {"staff@test.fr"}


def test_changing_the_promotion_stays_within_each_project_s_programme(world, staff_client):
    spring = CohortFactory(programme=world.programme, name="Promotion Printemps")
    elsewhere = ProjectFactory(programme=ProgrammeFactory(name="Autre programme"), title="Projet Ailleurs")
    world.project_b.cohort = spring
    world.project_b.save()
    done = text(
        staff_client.post(
            BULK,
            {
                "action": "cohort",
                "ids": ids(world.project_a, world.project_b, elsewhere),
                "cohort": spring.pk,
                "step": "apply",
            },
        )
    )
    assert "1 projet modifié." in done
    assert "Projet B</a> — Déjà dans la promotion «\u202fPromotion Printemps\u202f»." in done
    assert "Projet Ailleurs</a> — Cette promotion appartient à un autre programme." in done
    assert Project.objects.get(pk=world.project_a.pk).cohort == spring
    assert Project.objects.get(pk=elsewhere.pk).cohort_id != spring.pk
    entry = AuditEntry.objects.get(action="project.updated", object_id=str(world.project_a.pk))
    assert entry.changes == {"cohort": ["Promotion Test", "Promotion Printemps"]}


def test_adding_a_theme(world, staff_client):
    theme = Theme.objects.create(name="Mobilité")
    world.project_a.themes.add(theme)
    done = text(
        staff_client.post(
            BULK,
            {
                "action": "theme",
                "ids": ids(world.project_a, world.project_b),
                "theme": theme.pk,
                "step": "apply",
            },
        )
    )
    assert "1 projet modifié." in done and "A déjà la thématique «\u202fMobilité\u202f»." in done
    assert list(world.project_b.themes.all()) == [theme]


def test_select_all_takes_every_row_of_the_filters_and_nothing_else(world, staff_client, colleague):
    world.project_a.phase = Phase.EMERGENCE
    world.project_a.save()
    staff_client.post(
        BULK,
        {
            "action": "lead_add",
            "all": "True",
            "filters": "phase=emergence",
            "lead": colleague.pk,
            "step": "apply",
        },
    )
    assert leads(world.project_a) == {"claire@test.fr"} and leads(world.project_b) == set()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "lead_add", "ids": "x", "step": "apply"}, "La sélection de projets est invalide."),
        ({"action": "lead_add", "step": "apply"}, "Cochez au moins un projet dans la liste."),
        (
            {"action": "lead_add", "ids": "999999", "step": "apply"},
            "Aucun projet sélectionné\u202f: cochez des lignes",
        ),
        ({"action": "lead_add", "ids": "PK", "step": "apply"}, "Choisissez le membre de l’équipe."),
        ({"action": "cohort", "ids": "PK", "step": "apply"}, "Choisissez la promotion."),
        ({"action": "theme", "ids": "PK", "step": "apply"}, "Choisissez la thématique à ajouter."),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_saves_nothing(world, staff_client, data, message):
    data = {k: (world.project_a.pk if v == "PK" else v) for k, v in data.items()}
    page = text(staff_client.post(BULK, data))
    assert message in page
    assert not AuditEntry.objects.filter(action="project.updated").exists()


def test_an_unknown_action_goes_back_to_the_list(world, staff_client):
    response = staff_client.get(BULK, {"action": "explode", "ids": ids(world.project_a)}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "Choisissez une action dans le menu" in text(response)


def test_over_the_limit_needs_an_explicit_confirmation(world, staff_client, colleague):
    data = {"action": "lead_add", "ids": ids(world.project_a, world.project_b), "lead": colleague.pk}
    with mock.patch.object(bulk_actions, "CONFIRM_ABOVE", 1):
        assert "Je confirme l’action sur 2 projets" in text(
            staff_client.post(BULK, {**data, "step": "preview"})
        )
        page = text(staff_client.post(BULK, {**data, "step": "apply"}))
        assert (
            "Cette action porte sur 2 projets\u202f: cochez «\u202fJe confirme l’action sur 2 projets\u202f»"
            in page
        )
        assert leads(world.project_a) == set()
        staff_client.post(BULK, {**data, "confirmed": "on", "step": "apply"})
        assert leads(world.project_a) == leads(world.project_b) == {"claire@test.fr"}


def test_a_double_submit_applies_once(world, staff_client, colleague):
    data = {
        "action": "lead_add",
        "ids": ids(world.project_a, world.project_b),
        "lead": colleague.pk,
        "step": "apply",
        "submission_token": "e" * 32,
    }
    assert "2 projets modifiés." in text(staff_client.post(BULK, data))
    assert "déjà été envoyé" in text(staff_client.post(BULK, data))
    assert AuditEntry.objects.filter(action="project.updated").count() == 2


def test_the_director_may_and_partners_get_404(world, colleague):
    data = {"action": "lead_add", "ids": ids(world.project_a), "lead": colleague.pk, "step": "apply"}
    for partner in (world.partner_a, world.partner_b):
        assert client_for(partner).post(BULK, data).status_code == 404
        assert (
            client_for(partner).get(BULK, {"action": "lead_add", "ids": ids(world.project_a)}).status_code
            == 404
        )
    assert leads(world.project_a) == set()
    assert "1 projet modifié." in text(client_for(world.director).post(BULK, data))


def test_the_services_refuse_a_partner_and_a_lead_outside_the_team(world, colleague):
    with pytest.raises(PermissionDenied):
        services.projects_bulk_add_lead(
            actor=world.partner_a, project_ids=ids(world.project_a), user=colleague
        )
    with pytest.raises(Exception, match="membre actif de l’équipe"):
        services.projects_bulk_add_lead(
            actor=world.staff, project_ids=ids(world.project_a), user=world.partner_a
        )
    assert leads(world.project_a) == set()


@pytest.mark.parametrize("n", [3, 9])
def test_preview_and_apply_queries_are_constant(world, staff_client, colleague, django_assert_num_queries, n):
    projects = [ProjectFactory(programme=world.programme) for _ in range(n)]
    data = {"action": "lead_add", "ids": ids(*projects), "lead": colleague.pk}
    # session, user; the chosen lead; the selection; the projects' leads (one query, the refusals); the lead
    # menu, drawn again on the confirmation.
    with django_assert_num_queries(6):
        staff_client.post(BULK, {**data, "step": "preview"})


@pytest.mark.parametrize("action", ["lead_add", "lead_remove", "cohort", "theme"])
def test_applying_runs_the_same_queries_for_3_and_9_projects(world, staff_client, colleague, action):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    spring = CohortFactory(programme=world.programme, name="Promotion Printemps")
    theme = Theme.objects.create(name="Mobilité")
    counts = []
    for n in (3, 9):
        projects = [ProjectFactory(programme=world.programme) for _ in range(n)]
        for project in projects:
            project.staff_leads.add(world.staff, *([colleague] if action == "lead_remove" else []))
        data = {"action": action, "ids": ids(*projects), "lead": colleague.pk, "cohort": spring.pk}
        data |= {"theme": theme.pk, "step": "apply"}
        with CaptureQueriesContext(connection) as queries:
            assert f"{n} projets modifiés." in text(staff_client.post(BULK, data))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_inviting_the_collectives_of_the_chosen_projects_to_an_event(world, staff_client):
    """Every contact of the collective today — the member structures' people and the people named in a
    membership — is invited once; a former member, an anonymised contact and another project's collective are
    not; a collective with nobody to invite is left out with the reason."""
    from datetime import timedelta

    from django.utils import timezone

    from prospects.events.models import Registration, RegistrationStatus
    from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
    from tests.prospects.events.factories import public_event, registration_of

    event = public_event(world)
    partner_org = OrganisationFactory(name="Structure partenaire")
    named = PersonFactory(organisation=partner_org, first_name="Nora")
    PersonFactory(organisation=partner_org, first_name="Yann")  # a contact of a member structure
    MembershipFactory(project=world.project_a, organisation=partner_org, person=named)
    former = OrganisationFactory(name="Ancien membre")
    PersonFactory(organisation=former, first_name="Parti")
    MembershipFactory(
        project=world.project_a, organisation=former, left_on=timezone.localdate() - timedelta(days=3)
    )
    erased = PersonFactory(organisation=world.org_a, first_name="Effacé")
    erased.anonymised_at = timezone.now()
    erased.save()
    registration_of(event, world.person_b)  # already registered: stays as they are
    lonely = ProjectFactory(programme=world.programme, title="Projet sans collectif")
    data = {"action": "invite", "ids": ids(world.project_a, world.project_b, lonely), "event": event.pk}

    preview = text(staff_client.post(BULK, {**data, "step": "preview"}))
    assert f"Les contacts du collectif de ces projets seront invités à «\u202f{event.name}\u202f»." in preview
    assert "Projet sans collectif</a> — Aucun contact dans le collectif de ce projet." in preview
    assert "Ceux qui ont une adresse e-mail et une base légale reçoivent l’invitation par e-mail." in preview
    assert not Registration.objects.filter(status=RegistrationStatus.INVITED).exists()

    done = text(staff_client.post(BULK, {**data, "step": "apply"}))
    assert "2 projets modifiés." in done
    invited = set(
        Registration.objects.filter(event=event, status=RegistrationStatus.INVITED).values_list(
            "person__first_name", flat=True
        )
    )
    assert invited == {"Alice", "Nora", "Yann"}
    assert Registration.objects.filter(event=event, person=world.person_b).count() == 1
    assert (
        Registration.objects.get(event=event, person=world.person_b).status == RegistrationStatus.REGISTERED
    )


def test_only_events_to_come_are_offered(world, staff_client):
    from datetime import timedelta

    from django.utils import timezone

    from tests.prospects.events.factories import public_event

    past = public_event(world, name="Rencontre passée", date=timezone.localdate() - timedelta(days=10))
    coming = public_event(world, name="Rencontre à venir")
    page = text(staff_client.get(BULK, {"action": "invite", "ids": ids(world.project_a)}))
    assert "Rencontre à venir" in page and "Rencontre passée" not in page
    refused = text(
        staff_client.post(
            BULK, {"action": "invite", "ids": ids(world.project_a), "event": past.pk, "step": "apply"}
        )
    )
    assert "Sélectionnez un choix valide" in refused
    assert coming.registrations.count() == 0 and past.registrations.count() == 0


@pytest.mark.parametrize("bad", [str(10**30), "-5", "0"])
def test_an_id_no_row_can_have_is_refused_on_both_lists(world, staff_client, bad):
    for url in (BULK, reverse("prospects:prospect.bulk")):
        page = text(staff_client.post(url, {"action": "theme", "ids": bad, "step": "apply"}))
        assert (
            "La sélection de projets est invalide." in page
            or "La sélection de prospects est invalide." in page
        )
