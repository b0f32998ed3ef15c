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


def test_fast_operations_take_more_turns_slow_ones_their_repeat(monkeypatch):
    import time

    from benchmarks import common

    monkeypatch.setattr(common, "MIN_SECONDS", 0.05)
    fast, baseline = common.measure_interleaved([("a", lambda: None), ("b", lambda: None)], repeat=5)
    assert len(fast.samples) == len(baseline.samples) == common.MAX_REPEAT  # 0.05 s of turns: the cap first
    (slow,) = common.measure_interleaved([("slow", lambda: time.sleep(0.02))], repeat=5)
    assert len(slow.samples) == 5  # five turns already took longer than MIN_SECONDS
