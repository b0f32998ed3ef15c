"""« Mon projet »'s one statement, PREPAREd once per connection with the partner, their organisation, person
and project as its arguments (programme.batch.Prepared.prepared_rows; on PostgreSQL, what CI runs): the
same rows as the statement sent with its values, for one partner and the next on the same prepared
statement, with and without a contact record — and beside another form that compiles to the same text."""

import pytest
from django.db import connection
from django.utils import timezone

from evaluation.portal import selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _both(user, project):
    values = {
        selectors._PARTNER: user.pk,
        selectors._ORGANISATION: user.organisation_id,
        selectors._PERSON: user.person_id,
        selectors._PROJECT: project.pk,
    }
    shape = user.person_id is not None
    today = timezone.localdate()
    sent = selectors._PAGE.rows(shape, values=values, today=today)
    prepared = selectors._PAGE.prepared_rows(shape, values=values, today=today, form="test-portal-page")
    return sent, prepared


def test_the_prepared_page_reads_what_the_statement_sent_with_its_values_reads(world):
    no_person = UserFactory(email="np@test.fr", role="partner", organisation=world.org_a)
    for user, project in (
        (world.partner_a, world.project_a),
        (world.partner_b, world.project_b),  # the same prepared statement, other arguments
        (world.partner_a, world.project_a),
        (no_person, world.project_a),  # another shape
    ):
        selectors._page_rows(user=user, project=project)  # the page's own form, on the same connection
        sent, prepared = _both(user, project)
        assert prepared == sent
        assert any(sent), "the page lists something"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'parcours_%%'")
            assert cursor.fetchone()[0] >= 1
