"""`__folded`: the database folds a column as `identity.folded` folds what is typed, so that the lists searched
by title or name find « Épicerie » for « epicerie », « Journée régionale » for « journee regionale », on
PostgreSQL (LOWER, REPLACE, TRANSLATE) as on SQLite (the function registered on each connection)."""

import pytest
from django.db.models import F
from django.urls import reverse

from evaluation.models import Lesson
from programme.identity import folded
from programme.lookups import COVERED, Folded
from programme.models import Organisation
from tests.evaluation.factories import IndicatorFactory, LessonFactory
from tests.factories import ProjectFactory
from tests.prospects.events.factories import OpenEventFactory

pytestmark = pytest.mark.django_db

SAMPLES = [
    "".join(COVERED),
    "ÉPICERIE Solidaire — L’Œuvre d’Ève, Saint-Étienne",
    "Cœur de Ville ÆGIR, Noël à l’Haÿ-les-Roses",
    "Ça alors ! Ôtez-vous de là, Übermensch",
]


def test_the_database_folds_every_covered_letter_as_python_does(world):
    organisation = world.org_a
    for text in SAMPLES:
        Organisation.objects.filter(pk=organisation.pk).update(description=text)
        in_sql = Organisation.objects.filter(pk=organisation.pk).annotate(f=Folded(F("description")))
        assert in_sql.values_list("f", flat=True).get() == folded(text), text


def test_a_folded_search_is_a_contains_of_the_folded_column(world):
    LessonFactory(programme=world.programme, title="Économie de la fonctionnalité")
    assert Lesson.objects.filter(title__folded__contains=folded("ECONOMIE DE")).count() == 1
    assert Lesson.objects.filter(title__folded__contains=folded("économie circulaire")).count() == 0


@pytest.mark.parametrize(
    ("url", "build", "typed", "shown"),
    [
        ("projects:project.list", "project", "epicerie", "Épicerie du Plateau"),
        ("prospects:event.list", "event", "journee regionale", "Journée Régionale de l’ÉSS"),
        ("evaluation:indicator.list", "indicator", "emplois crees", "Emplois créés"),
        ("evaluation:lesson.list", "lesson", "economie", "Économie de proximité"),
    ],
)
def test_lists_searched_by_title_find_it_without_accents(world, staff_client, url, build, typed, shown):
    {
        "project": lambda: ProjectFactory(programme=world.programme, cohort=world.cohort, title=shown),
        "event": lambda: OpenEventFactory(programme=world.programme, name=shown),
        "indicator": lambda: IndicatorFactory(name=shown),
        "lesson": lambda: LessonFactory(programme=world.programme, title=shown),
    }[build]()
    for query in (typed, typed.upper(), shown):
        page = staff_client.get(reverse(url), {"q": query}).content.decode()
        assert shown in page, (url, query)
    assert shown not in staff_client.get(reverse(url), {"q": "zzz introuvable"}).content.decode()
