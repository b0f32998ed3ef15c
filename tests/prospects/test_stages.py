"""Stage rules: every allowed manual move works and is recorded; every refused move is refused with its
reason and changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from programme.models import AuditEntry
from prospects import services
from prospects.models import STAGE_RANK, Prospect, Stage, StageChange

from .factories import prospect_in

ALL = [s.value for s in Stage]
ALLOWED = [(a, b) for a in ALL for b in ALL if b in services.MANUAL_MOVES[a]]
REFUSED = [(a, b) for a in ALL for b in ALL if b not in services.MANUAL_MOVES[a]]


@pytest.mark.parametrize(("from_stage", "to_stage"), ALLOWED)
def test_allowed_moves_are_recorded(world, from_stage, to_stage):
    prospect = prospect_in(world, stage=from_stage)
    reason = "Hors territoire" if to_stage == Stage.DISCARDED else ""
    services.prospect_move(actor=world.staff, prospect=prospect, to_stage=to_stage, reason=reason)
    prospect.refresh_from_db()
    assert prospect.stage == to_stage
    assert prospect.discard_reason == reason
    change = StageChange.objects.get(prospect=prospect)
    assert (change.from_stage, change.to_stage, change.changed_by) == (from_stage, to_stage, world.staff)
    assert AuditEntry.objects.filter(action="prospect.stage_changed", object_id=str(prospect.pk)).exists()


@pytest.mark.parametrize(("from_stage", "to_stage"), REFUSED)
def test_refused_moves_say_why_and_change_nothing(world, from_stage, to_stage):
    prospect = prospect_in(world, stage=from_stage)
    with pytest.raises(ValidationError) as refusal:
        services.prospect_move(actor=world.staff, prospect=prospect, to_stage=to_stage, reason="motif")
    message = refusal.value.messages[0]
    assert message and message[0].isupper()  # a French sentence, not a code
    assert Prospect.objects.get(pk=prospect.pk).stage == from_stage
    assert not StageChange.objects.filter(prospect=prospect).exists()


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "expected"),
    [
        (Stage.INTERESTED, Stage.PREQUALIFIED, "entretien de pré-qualification est terminé"),
        (Stage.CONTACTED, Stage.CANDIDATE, "Seul un prospect pré-qualifié"),
        (Stage.CANDIDATE, Stage.RETAINED, "comité de sélection"),
        (Stage.CANDIDATE, Stage.NOT_RETAINED, "comité de sélection"),
        (Stage.RETAINED, Stage.DISCARDED, "définitive"),
        (Stage.IDENTIFIED, Stage.IDENTIFIED, "déjà à l’étape"),
        (Stage.INTERVIEW_PLANNED, Stage.IDENTIFIED, "impossible"),
    ],
)
def test_refusal_reasons(world, from_stage, to_stage, expected):
    prospect = prospect_in(world, stage=from_stage)
    with pytest.raises(ValidationError, match=expected):
        services.prospect_move(actor=world.staff, prospect=prospect, to_stage=to_stage)


def test_discarding_needs_a_reason(world):
    prospect = prospect_in(world, stage=Stage.CONTACTED)
    with pytest.raises(ValidationError, match="pourquoi"):
        services.prospect_move(actor=world.staff, prospect=prospect, to_stage=Stage.DISCARDED, reason="  ")
    prospect.refresh_from_db()
    assert prospect.stage == Stage.CONTACTED


def test_furthest_rank_keeps_the_furthest_stage_reached(world):
    prospect = prospect_in(world)
    services.prospect_move(actor=world.staff, prospect=prospect, to_stage=Stage.INTERESTED)
    services.prospect_move(actor=world.staff, prospect=prospect, to_stage=Stage.CONTACTED)
    services.prospect_move(actor=world.staff, prospect=prospect, to_stage=Stage.DISCARDED, reason="Pas prêt")
    prospect.refresh_from_db()
    assert prospect.furthest_rank == STAGE_RANK[Stage.INTERESTED]


def test_database_refuses_a_discard_without_reason(world):
    from django.db import IntegrityError, transaction

    prospect = prospect_in(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.filter(pk=prospect.pk).update(stage=Stage.DISCARDED, discard_reason="")
