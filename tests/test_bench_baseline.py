"""The benchmark's baseline keeps every read the page runs: a prepared read (the inbox's, PREPAREd once per
connection) is replayed as its EXECUTE — left out, the inbox's baseline was a tenth of its own SQL."""

from benchmarks.common import reads_only


def test_a_prepared_read_is_part_of_the_baseline():
    first = "DEALLOCATE ALL; PREPARE parcours_ab AS SELECT 1; SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE parcours_ab(7)"
    again = "SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE parcours_ab(7)"
    statements = [
        ("SELECT id FROM t WHERE x = %s", (1,)),
        (first, None),
        (again, None),
        ("UPDATE t SET x = 1", ()),
        ("SAVEPOINT s1", ()),
    ]
    assert reads_only(statements) == [
        ("SELECT id FROM t WHERE x = %s", (1,)),
        (again, None),
        (again, None),
    ]
