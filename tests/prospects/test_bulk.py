"""Bulk actions on the prospect list: choose → confirm (what will happen, the rows refused and why) →
apply once, one audit entry per record; a large selection needs an explicit confirmation."""

from unittest import mock

import pytest
from django.urls import reverse

from programme import bulk_actions
from programme.models import AuditEntry, Theme
from prospects import services
from prospects.models import Prospect, Stage
from tests.factories import OrganisationFactory

from .factories import prospect_in

BULK = reverse("prospects:prospect.bulk")


@pytest.fixture
def rows(world):
    """Three prospects: two identified, one already contacted."""
    return [
        prospect_in(world, organisation=OrganisationFactory(name="Alpha Asso")),
        prospect_in(world, organisation=OrganisationFactory(name="Bêta Coop")),
        prospect_in(world, organisation=OrganisationFactory(name="Gamma Scic"), stage=Stage.CONTACTED),
    ]


def ids(prospects) -> list[int]:
    return [p.pk for p in prospects]


def text(response) -> str:
    return response.content.decode()


def test_the_list_offers_a_checkbox_per_row_and_the_action_menu(world, rows, staff_client):
    page = text(staff_client.get(reverse("prospects:prospect.list")))
    assert page.count('name="ids"') == 3
    assert "Pour la sélection" in page and "Changer d’étape" in page and "Assigner le suivi" in page
    assert "les 3 prospects de ce filtre" in page


def test_move_confirmation_lists_what_will_happen_and_the_refusals_per_row(world, rows, staff_client):
    page = text(staff_client.get(BULK, {"action": "move", "ids": ids(rows)}))
    assert "3 prospects sélectionnés" in page and "Nouvelle étape" in page
    preview = text(
        staff_client.post(
            BULK, {"action": "move", "ids": ids(rows), "to_stage": Stage.CONTACTED, "step": "preview"}
        )
    )
    assert "Ces prospects passeront à l’étape «\u202fContacté\u202f»." in preview
    assert "2 prospects seront modifiés" in preview
    assert "Gamma Scic</a> — Le prospect est déjà à l’étape «\u202fContacté\u202f»." in preview
    # Nothing changed yet.
    assert not Prospect.objects.filter(stage=Stage.CONTACTED).exclude(pk=rows[2].pk).exists()


def test_move_applies_the_allowed_rows_and_lists_the_refused_ones(world, rows, staff_client):
    response = staff_client.post(
        BULK, {"action": "move", "ids": ids(rows), "to_stage": Stage.CONTACTED, "step": "apply"}
    )
    page = text(response)
    assert "2 prospects modifiés." in page and "Gamma Scic" in page
    assert set(Prospect.objects.filter(stage=Stage.CONTACTED).values_list("pk", flat=True)) == set(ids(rows))
    entries = AuditEntry.objects.filter(action="prospect.stage_changed")
    assert sorted(int(e.object_id) for e in entries) == sorted(ids(rows[:2]))


def test_a_move_the_rules_forbid_is_refused_for_every_row(world, rows):
    result = services.prospects_bulk_move(actor=world.staff, prospect_ids=ids(rows), to_stage=Stage.RETAINED)
    assert result.applied == []
    assert [r for _p, r in result.refused] == [
        "Seul le comité de sélection retient ou non un candidat (page Sélection)."
    ] * 3
    # Discarding needs a reason, for each row.
    result = services.prospects_bulk_move(actor=world.staff, prospect_ids=ids(rows), to_stage=Stage.DISCARDED)
    assert result.applied == [] and len(result.refused) == 3
    result = services.prospects_bulk_move(
        actor=world.staff, prospect_ids=ids(rows), to_stage=Stage.DISCARDED, reason="Hors territoire"
    )
    assert len(result.applied) == 3
    assert set(Prospect.objects.values_list("discard_reason", flat=True)) == {"Hors territoire"}


def test_assign_gives_the_follow_up_person_with_an_audit_entry_per_record(world, rows, staff_client):
    rows[0].owner = world.director
    rows[0].save()
    page = text(
        staff_client.post(
            BULK, {"action": "assign", "ids": ids(rows), "owner": world.director.pk, "step": "apply"}
        )
    )
    assert "2 prospects modifiés." in page and "Déjà suivi par Dominique" in page
    assert set(Prospect.objects.values_list("owner_id", flat=True)) == {world.director.pk}
    entries = AuditEntry.objects.filter(action="prospect.updated", changes__has_key="owner")
    assert sorted(int(e.object_id) for e in entries) == sorted(ids(rows[1:]))
    assert all(e.actor_id == world.staff.pk for e in entries)


def test_assigning_a_partner_is_refused_and_saves_nothing(world, rows, staff_client):
    page = text(
        staff_client.post(
            BULK, {"action": "assign", "ids": ids(rows), "owner": world.partner_a.pk, "step": "apply"}
        )
    )
    assert "Sélectionnez un choix valide" in page or "Choisissez" in page
    assert not Prospect.objects.filter(owner__isnull=False).exists()
    with pytest.raises(Exception, match="membre actif"):
        services.prospects_bulk_assign(actor=world.staff, prospect_ids=ids(rows), owner=world.partner_a)


def test_add_theme_skips_the_prospects_that_have_it(world, rows, staff_client):
    theme = Theme.objects.create(name="Économie circulaire")
    rows[1].themes.add(theme)
    page = text(
        staff_client.post(BULK, {"action": "theme", "ids": ids(rows), "theme": theme.pk, "step": "apply"})
    )
    assert "2 prospects modifiés." in page and "A déjà la thématique" in page
    assert all(theme in p.themes.all() for p in Prospect.objects.all())
    assert AuditEntry.objects.filter(action="prospect.updated", changes__has_key="themes").count() == 2


def test_select_all_takes_every_row_of_the_filter(world, rows, staff_client):
    prospect_in(world, organisation=OrganisationFactory(name="Hors filtre"), stage=Stage.INTERESTED)
    page = text(staff_client.get(BULK, {"action": "move", "all": "True", "filters": "stage=identified"}))
    assert "2 prospects sélectionnés" in page
    staff_client.post(
        BULK,
        {
            "action": "move",
            "all": "True",
            "filters": "stage=identified",
            "to_stage": Stage.INTERESTED,
            "step": "apply",
        },
    )
    assert Prospect.objects.filter(stage=Stage.INTERESTED).count() == 3


def test_bad_input_is_refused_with_a_clear_message(world, rows, staff_client):
    page = text(staff_client.post(BULK, {"action": "move", "ids": ids(rows), "step": "apply"}))
    assert "Choisissez l’étape de destination." in page
    page = text(
        staff_client.post(BULK, {"action": "move", "ids": ["abc"], "to_stage": "contacted", "step": "apply"})
    )
    assert "La sélection de prospects est invalide." in page
    page = text(staff_client.post(BULK, {"action": "move", "to_stage": "contacted", "step": "apply"}))
    assert "Cochez au moins un prospect dans la liste." in page
    response = staff_client.get(BULK, {"action": "explode", "ids": ids(rows)}, follow=True)
    assert "Choisissez une action dans le menu" in text(response)
    assert (
        not AuditEntry.objects.filter(action__startswith="prospect.")
        .exclude(action="prospect.created")
        .exists()
    )


def test_over_the_limit_without_confirmation_is_refused_and_saves_nothing(world, rows, staff_client):
    with mock.patch.object(bulk_actions, "CONFIRM_ABOVE", 2):
        preview = text(
            staff_client.post(
                BULK, {"action": "move", "ids": ids(rows), "to_stage": Stage.INTERESTED, "step": "preview"}
            )
        )
        assert "Je confirme l’action sur 3 prospects" in preview
        page = text(
            staff_client.post(
                BULK, {"action": "move", "ids": ids(rows), "to_stage": Stage.INTERESTED, "step": "apply"}
            )
        )
        assert (
            "Cette action porte sur 3 prospects\u202f: cochez «\u202fJe confirme l’action sur 3 prospects\u202f»"
            in page
        )
        assert "Rien n’a été modifié." in page
        assert not Prospect.objects.filter(stage=Stage.INTERESTED).exists()
        staff_client.post(
            BULK,
            {
                "action": "move",
                "ids": ids(rows),
                "to_stage": Stage.INTERESTED,
                "confirmed": "on",
                "step": "apply",
            },
        )
        assert Prospect.objects.filter(stage=Stage.INTERESTED).count() == 3


def test_the_service_refuses_more_than_a_thousand_without_confirmation(world):
    with pytest.raises(Exception, match="Rien n’a été modifié"):
        services.prospects_bulk_move(actor=world.staff, prospect_ids=range(1, 1002), to_stage=Stage.CONTACTED)


def test_a_double_submit_applies_once(world, rows, staff_client):
    data = {
        "action": "move",
        "ids": ids(rows),
        "to_stage": Stage.INTERESTED,
        "step": "apply",
        "submission_token": "d" * 32,
    }
    first = staff_client.post(BULK, data)
    second = staff_client.post(BULK, data)
    assert "3 prospects modifiés." in text(first)
    assert "déjà été envoyé" in text(second)
    assert AuditEntry.objects.filter(action="prospect.stage_changed").count() == 3


def test_partners_get_404(world, rows, partner_a_client):
    assert partner_a_client.get(BULK, {"action": "move", "ids": ids(rows)}).status_code == 404
    assert (
        partner_a_client.post(
            BULK, {"action": "move", "ids": ids(rows), "to_stage": "contacted", "step": "apply"}
        ).status_code
        == 404
    )
    assert not Prospect.objects.filter(stage=Stage.CONTACTED).exclude(pk=rows[2].pk).exists()


def test_a_former_colleague_s_prospects_are_found_and_handed_over(world, rows, staff_client):
    """A colleague gone (account closed) still follows prospects: the « Suivi par » filter lists them, marked,
    and « Assigner le suivi » hands their prospects over. A former member who follows nothing is not listed."""
    from tests.factories import UserFactory

    gone = UserFactory(role="staff", first_name="Paul", last_name="Parti", is_active=False)
    UserFactory(role="staff", first_name="Jean", last_name="Oublié", is_active=False)
    Prospect.objects.filter(pk__in=ids(rows[:2])).update(owner=gone)
    page = text(staff_client.get(reverse("prospects:prospect.list")))
    assert "Paul Parti (compte fermé)" in page and "Jean Oublié" not in page
    filtered = text(staff_client.get(reverse("prospects:prospect.list"), {"owner": gone.pk}))
    assert "Alpha Asso" in filtered and "Bêta Coop" in filtered and "Gamma Scic" not in filtered
    staff_client.post(
        BULK,
        {
            "action": "assign",
            "all": "True",
            "filters": f"owner={gone.pk}",
            "owner": world.staff.pk,
            "step": "apply",
        },
    )
    assert set(Prospect.objects.filter(owner=world.staff).values_list("pk", flat=True)) == set(ids(rows[:2]))
    assert not Prospect.objects.filter(owner=gone).exists()
