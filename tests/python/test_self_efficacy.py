"""Results.discouraged(): decisions not to claim and those discouraged by self-efficacy (docs/output.md)."""

import numpy as np

import demat


def test_discouraged_table_sums_like_the_arrays_and_is_zero_without_the_weight(small_run):
    r = small_run.results
    table = r.discouraged()
    assert list(table.columns) == ["day", "service", "dimension", "group", "declined", "discouraged",
                                   "discouraged_share"]
    whole = table[table["dimension"] == "all"]
    assert whole["declined"].sum() == np.asarray(r["metrics/claims_declined"]).sum() > 0
    assert table["discouraged"].sum() == 0  # behaviour.self_efficacy_claim = 0 by default
    for dimension in r.segment_dimensions:
        assert table[table["dimension"] == dimension]["declined"].sum() == whole["declined"].sum()


def test_a_decision_weight_discourages_the_least_capital_most(small):
    scenario = small.with_changes({"behaviour.self_efficacy_claim": 4.0, "population.size": 20000, "days": 120})
    table = demat.Simulation(scenario, seed=3, threads=2).run().results.discouraged()
    by_quintile = table[table["dimension"] == "capital_quintile"].groupby("group", observed=True)[
        ["declined", "discouraged"]].sum()
    share = by_quintile["discouraged"] / by_quintile["declined"]
    assert by_quintile["discouraged"].sum() > 50
    assert share.iloc[0] > share.iloc[-1]
