"""Several querysets read in one statement give exactly what each gives on its own."""

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from programme.batch import gather, planned, rows_of, run_alone, run_batched, union_rows
from projects.funding.models import Instalment
from projects.models import Milestone, Project
from tests.factories import ProjectFactory


def _data(world):
    project = ProjectFactory(programme=world.programme, cohort=world.cohort, title="Épicerie « solidaire »")
    for day, title in ((date(2026, 1, 5), "Premier jalon"), (date(2026, 3, 9), "Deuxième")):
        Milestone.objects.create(project=project, title=title, due_date=day)
    return project


def test_a_union_reads_each_queryset_as_django_would(world, django_assert_num_queries):
    _data(world)
    querysets = [
        # dicts with a date, a text and an id
        Milestone.objects.order_by("due_date").values("pk", "title", "due_date", "project__title"),
        # tuples: a count per month (the truncated date converted back to a date)
        Milestone.objects.annotate(month=TruncMonth("due_date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month"),
        # flat values
        Project.objects.order_by("pk").values_list("title", flat=True),
        # nothing can match: no SQL, no rows
        Project.objects.filter(pk__in=[]).values_list("pk", flat=True),
        # a sum of amounts over no rows: one row holding None
        Instalment.objects.values_list(Sum("amount")),
    ]
    alone = [list(queryset) for queryset in querysets]
    with django_assert_num_queries(1):
        together = union_rows(querysets)
    assert [sorted(map(repr, rows)) for rows in together] == [sorted(map(repr, rows)) for rows in alone]
    assert together[1] and isinstance(together[1][0][0], date)
    assert together[3] == []


def test_plans_run_alone_or_side_by_side_give_the_same_result(world, django_assert_num_queries):
    project = _data(world)

    @planned
    def milestones_per_project(*, project_id: int):
        (rows,) = yield (Milestone.objects.filter(project_id=project_id).values_list("title", flat=True),)
        return sorted(rows)

    def titles():
        return (yield from rows_of(Project.objects.filter(pk=project.pk).values_list("title", flat=True)))

    assert milestones_per_project(project_id=project.pk) == ["Deuxième", "Premier jalon"]
    alone = run_alone(gather(milestones_per_project.plan(project_id=project.pk), titles()))
    with django_assert_num_queries(1):
        together = run_batched(gather(milestones_per_project.plan(project_id=project.pk), titles()))
    assert together == alone == [["Deuxième", "Premier jalon"], ["Épicerie « solidaire »"]]


def test_a_value_under_another_querysets_date_column_keeps_its_own_type(world):
    """On SQLite the parts share columns by position: a text or a number placed where the first part has a
    date must not go through that column's date conversion (the portal's lists met it as a None)."""
    _data(world)
    querysets = [
        Milestone.objects.order_by("pk").values_list("due_date", "title"),  # a date first
        Project.objects.order_by("pk").values_list("title", "pk"),  # text, then a number, in its place
    ]
    alone = [list(queryset) for queryset in querysets]
    assert union_rows(querysets) == alone
    assert union_rows(list(reversed(querysets))) == list(reversed(alone))


def test_a_prepared_statement_is_built_once_per_shape_and_run_for_each_requests_values(
    world, django_assert_num_queries
):
    from programme.batch import SENTINEL_DAY, Prepared, stand_in

    first, second = _data(world), _data(world)
    Milestone.objects.create(project=second, title="Plus tard", due_date=date(2026, 6, 1))
    built = []

    def build(titled):
        built.append(titled)
        milestones = Milestone.objects.filter(project_id=stand_in(0), due_date__lt=SENTINEL_DAY)
        fields = ("title", "due_date") if titled else ("due_date",)
        return [milestones.order_by("due_date").values_list(*fields), Project.objects.values_list("pk")]

    prepared = Prepared(build)
    with django_assert_num_queries(1):
        rows, _projects = prepared.rows(True, values={stand_in(0): first.pk}, today=date(2026, 3, 1))
    assert rows == [("Premier jalon", date(2026, 1, 5))]  # before 1 March, of the first project only
    rows, _projects = prepared.rows(True, values={stand_in(0): second.pk}, today=date(2026, 12, 31))
    assert sorted(rows) == [
        ("Deuxième", date(2026, 3, 9)),
        ("Plus tard", date(2026, 6, 1)),
        ("Premier jalon", date(2026, 1, 5)),
    ]
    rows, _projects = prepared.rows(False, values={stand_in(0): second.pk}, today=date(2026, 3, 1))
    assert rows == [(date(2026, 1, 5),)]
    assert built == [True, False]  # built and compiled once per shape


def test_prepared_models_are_the_querysets_own_instances_related_rows_and_annotations_included(
    world, django_assert_num_queries
):
    from django.db.models import F

    from programme.batch import PreparedModels, stand_in

    first, second = _data(world), _data(world)
    built = []

    def build(_shape):
        built.append(_shape)
        return (
            Project.objects.select_related("cohort", "programme")
            .annotate(programme_name=F("programme__name"))
            .filter(pk=stand_in(0))
        )

    prepared = PreparedModels(build)
    for project in (first, second):
        expected = Project.objects.select_related("cohort", "programme").get(pk=project.pk)
        with django_assert_num_queries(1):
            (found,) = prepared.objects(values={stand_in(0): project.pk}, today=date(2026, 3, 1))
        with django_assert_num_queries(0):  # the related rows and the annotation came with it
            assert (found.cohort.name, found.programme.name, found.programme_name) == (
                expected.cohort.name,
                expected.programme.name,
                expected.programme.name,
            )
        assert found == expected and found._state.adding is False
        assert {f.attname: getattr(found, f.attname) for f in Project._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Project._meta.concrete_fields
        }
    assert prepared.objects(values={stand_in(0): 0}, today=date(2026, 3, 1)) == []
    assert built == [None]  # built and compiled once
