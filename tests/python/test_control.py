"""Digital control from Python (docs/output.md, "/control"): the tidy table,
the fairness table, the chilling effect of a paired run, the figure."""
import numpy as np
import pytest

import demat
import demat.control
from conftest import REPO


@pytest.fixture(scope="module")
def pair():
    base = demat.Scenario.load(REPO / "scenarios" / "algorithmic_control.toml").with_changes(
        {"population.size": 4000, "days": 120, "warmup_days": 60})
    on = demat.Simulation(base, seed=3, threads=1).run().results
    off = demat.Simulation(base.with_changes({"control.enabled": False}), seed=3, threads=1).run().results
    return on, off


def test_control_table_is_tidy_and_sums_like_the_arrays(pair):
    on, _ = pair
    table = on.control()
    assert list(table.columns) == ["day", "service", "dimension", "group", "event", "value"]
    everyone = table[table.dimension == "all"]
    assert everyone.value.sum() == np.asarray(on["control/events"]).sum()
    # Every segment dimension splits the same events among its groups.
    for dimension in on.segment_dimensions:
        part = table[table.dimension == dimension]
        assert part.value.sum() == everyone.value.sum(), dimension
    assert set(table.day.unique()) == set(np.asarray(on.coordinate("control/day")))
    assert everyone[everyone.event == "scored"].value.sum() > 0


def test_fairness_table_has_a_row_per_group_and_the_precision_columns(pair):
    on, _ = pair
    fair = on.control_fairness()
    assert fair.loc["capital_quintile"].shape[0] == 5 and fair.loc["territory"].shape[0] == 3
    assert {"control_rate_per_1000", "over_control_index", "false_positive_rate", "equal_opportunity_difference",
            "precision", "random_precision"} <= set(fair.columns)
    months = fair.loc["territory", "recipient_months"].sum()
    controls = fair.loc["territory", "controls"].sum()
    # The whole population's rate is the recipient-weighted mean of the groups'.
    rate = 1000 * controls / months
    weighted = (fair.loc["territory", "control_rate_per_1000"] * fair.loc["territory", "recipient_months"]).sum() / months
    assert weighted == pytest.approx(rate)


def test_chilling_is_on_minus_off_and_refuses_a_run_without_control(pair):
    on, off = pair
    chill = demat.control.chilling(on, off)
    row = chill.loc[("minimum_income", "all", "all")]
    assert row.take_up_difference == pytest.approx(row.take_up_on - row.take_up_off)
    assert row.claims_difference == row.claims_on - row.claims_off
    with pytest.raises(ValueError):
        demat.control.chilling(off, on)
    with pytest.raises(ValueError):
        off.control()


def test_figure_draws_both_selections(pair, tmp_path):
    on, _ = pair
    fig = demat.control.figure(on, on)
    fig.savefig(tmp_path / "control.png")
    assert (tmp_path / "control.png").stat().st_size > 1000


def test_control_summary_is_the_arrays_totals_and_the_capital_rows(pair):
    on, off = pair
    s = on.control_summary()
    events = np.asarray(on["control/events"])
    names = list(on.coordinate("control/event"))
    total = lambda *n: int(sum(events[:, :, names.index(x)].sum() for x in n))
    assert s["controls"] == total("automated", "documents", "visit") > 0
    assert s["errors_found"] == total("found_innocent", "found_deliberate")
    assert s["suspensions"] == total("suspensions")
    assert s["wrongful_suspensions"] == total("wrongful_suspensions")
    fair = on.control_fairness().loc["capital_quintile"]
    assert s["control_rate_per_1000"] == pytest.approx(list(fair["control_rate_per_1000"]), nan_ok=True)
    assert s["over_control_index"] == pytest.approx(list(fair["over_control_index"]), nan_ok=True)
    assert s["precision"] == pytest.approx(float(fair["precision"].iloc[0]))
    assert s["random_precision"] == pytest.approx(float(fair["random_precision"].iloc[0]))
    with pytest.raises(ValueError):
        off.control_summary()


def test_document_requests_and_the_suspended_stock_by_segment(pair):
    on, _ = pair
    answers = np.asarray(on["control/answers"])
    labels = list(on.coordinate("control/answer"))
    assert labels[:4] == ["answered_online", "answered_phone", "answered_counter", "answered_mediation"]
    assert labels[-2:] == ["unanswered_deadline", "unanswered_withdrawal"]
    assert answers.shape == (len(on.coordinate("control/day")), len(on.services), len(labels))
    events = np.asarray(on["control/events"])
    names = list(on.coordinate("control/event"))
    # Each request is settled once at most (some are still open at the end).
    assert 0 < answers.sum() <= events[:, :, names.index("documents")].sum()
    stock = np.asarray(on["control/suspended"])
    for dimension in on.segment_dimensions:
        by_group = np.asarray(on[f"control/segments/{dimension}/suspended"])
        assert (by_group.sum(axis=2) == stock).all(), dimension


def test_summary_autonomy_leaves_out_the_answers_to_document_requests(pair):
    on, off = pair
    alone = np.asarray(on["metrics/autonomous_completions"]).sum(axis=0)
    helped = np.asarray(on["metrics/assisted_completions"]).sum(axis=0)
    answers = np.asarray(on["control/answer_completions"]).sum(axis=0)  # [service][autonomous, assisted]
    assert list(on.coordinate("control/help")) == ["autonomous", "assisted"]
    assert answers.sum() > 0 and (answers[:, 0] <= alone).all() and (answers[:, 1] <= helped).all()
    for s, (_, row) in enumerate(on.summary().iterrows()):
        others = alone[s] + helped[s] - answers[s].sum()
        if others:
            assert row["autonomy_share"] == pytest.approx((alone[s] - answers[s, 0]) / others)
        if answers[s].sum():
            assert row["answer_autonomy_share"] == pytest.approx(answers[s, 0] / answers[s].sum())
    off_alone = np.asarray(off["metrics/autonomous_completions"]).sum(axis=0)
    off_helped = np.asarray(off["metrics/assisted_completions"]).sum(axis=0)
    for s, (_, row) in enumerate(off.summary().iterrows()):
        if off_alone[s] + off_helped[s]:
            assert row["autonomy_share"] == pytest.approx(off_alone[s] / (off_alone[s] + off_helped[s]))
        assert np.isnan(row["answer_autonomy_share"])
