"""Results.reasons(): the tidy table of failure and abandonment causes (docs/output.md, "Reasons")."""

import numpy as np


def test_reasons_table_sums_like_the_arrays_and_the_existing_counts(small_run):
    r = small_run.results
    table = r.reasons()
    assert list(table.columns) == ["day", "service", "dimension", "group", "kind", "reason", "value"]
    assert set(table["reason"].cat.categories) == {"connection", "equipment", "skill", "complexity",
                                                  "identity", "wait", "distance"}
    whole = table[table["dimension"] == "all"]
    failures = np.asarray(r["reasons/failures"])
    assert whole[whole["kind"] == "failures"]["value"].sum() == failures.sum()
    online = list(r.coordinate("channel")).index("online")
    attempts, successes = np.asarray(r["metrics/attempts"]), np.asarray(r["metrics/successes"])
    assert np.array_equal(failures.sum(axis=2),
                          attempts[..., online] - successes[..., online] + np.asarray(r["metrics/online_unequipped"]))
    assert np.array_equal(np.asarray(r["reasons/abandonments"]).sum(axis=2), np.asarray(r["metrics/abandonments"]))
    assert failures.sum() > 0
    # Every segment dimension adds up to the whole.
    for dimension in r.segment_dimensions:
        part = table[(table["dimension"] == dimension) & (table["kind"] == "abandonments")]
        assert part["value"].sum() == np.asarray(r["reasons/abandonments"]).sum()
