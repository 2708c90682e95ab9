"""Calibration tool, Sobol estimator, citizen indicators and the calibrated baseline."""

import shutil

import numpy as np
import pytest

import demat
from demat import calibrate, outreach, sensitivity

from conftest import REPO


# ------------------------------------------------------------ Sobol estimator

def test_sobol_estimators_recover_the_ishigami_indices():
    a, b = sensitivity.saltelli_matrices(3, 2 ** 12, seed=3)
    f = lambda u: sensitivity.ishigami(-np.pi + 2 * np.pi * u)  # noqa: E731
    fab = np.array([f(m) for m in sensitivity.ab_matrices(a, b)])
    first, total = sensitivity.sobol_indices(f(a), f(b), fab)
    s_true, st_true = sensitivity.ishigami_indices()
    np.testing.assert_allclose(s_true, [0.3139, 0.4424, 0.0], atol=1e-3)
    np.testing.assert_allclose(st_true, [0.5576, 0.4424, 0.2437], atol=1e-3)
    np.testing.assert_allclose(first, s_true, atol=0.03)
    np.testing.assert_allclose(total, st_true, atol=0.03)


def test_sobol_bootstrap_brackets_the_estimate_and_the_truth():
    a, b = sensitivity.saltelli_matrices(3, 2 ** 10, seed=5)
    f = lambda u: sensitivity.ishigami(-np.pi + 2 * np.pi * u)  # noqa: E731
    fa, fb = f(a), f(b)
    fab = np.array([f(m) for m in sensitivity.ab_matrices(a, b)])
    first, total = sensitivity.sobol_indices(fa, fb, fab)
    lo, hi = sensitivity.bootstrap(fa, fb, fab, resamples=300, level=0.99)
    s_true, st_true = sensitivity.ishigami_indices()
    assert np.all(lo[0] <= first) and np.all(first <= hi[0])
    assert np.all(lo[1] <= st_true + 1e-9) and np.all(st_true <= hi[1] + 1e-9)
    assert np.all(lo[0] <= s_true + 0.01) and np.all(s_true <= hi[0] + 0.01)


def test_sobol_indices_of_an_additive_function_are_its_variance_shares():
    a, b = sensitivity.saltelli_matrices(2, 2 ** 12, seed=7)
    f = lambda u: u[:, 0] + 2 * u[:, 1]  # noqa: E731  variances 1/12 and 4/12
    fab = np.array([f(m) for m in sensitivity.ab_matrices(a, b)])
    first, total = sensitivity.sobol_indices(f(a), f(b), fab)
    np.testing.assert_allclose(first, [0.2, 0.8], atol=0.02)
    np.testing.assert_allclose(total, [0.2, 0.8], atol=0.02)


def test_saltelli_design_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        sensitivity.saltelli_matrices(3, 100)


# ------------------------------------------------------------ calibration loss

def test_loss_is_zero_at_the_targets_and_scaled_by_the_tolerances():
    at_target = np.array([t.aim for t in calibrate.TARGETS])  # the value, or a bound minus its margin
    assert calibrate.loss(at_target) == 0.0
    one_tolerance_off = at_target + np.array([t.tolerance for t in calibrate.TARGETS])
    # every target one tolerance above its aim: 1 each ("below" targets count only above their aim: 1 too)
    assert calibrate.loss(one_tolerance_off) == pytest.approx(len(calibrate.TARGETS))
    below = at_target - np.array([t.tolerance for t in calibrate.TARGETS])
    expected = sum(0.0 if t.upper_bound else 1.0 for t in calibrate.TARGETS)
    assert calibrate.loss(below) == pytest.approx(expected)
    assert any(t.upper_bound for t in calibrate.TARGETS)


def test_an_upper_bound_with_a_margin_costs_on_the_bound_and_nothing_under_its_aim():
    bound = next(t for t in calibrate.TARGETS if t.upper_bound and t.margin > 0)
    assert bound.aim == pytest.approx(bound.value - bound.margin)
    assert bound.loss(bound.value) == pytest.approx((bound.margin / bound.tolerance) ** 2)
    assert bound.loss(bound.value) > 0.0
    assert bound.loss(bound.aim - 0.02) == 0.0
    assert bound.loss(bound.value + bound.tolerance) > 1.0


def test_loss_of_a_missing_measure_is_huge():
    model = np.array([t.value for t in calibrate.TARGETS])
    model[0] = np.nan
    assert calibrate.loss(model) >= 1e6


def test_box_mapping_round_trips_and_clips():
    u = np.linspace(0, 1, len(calibrate.PARAMETERS))
    values = calibrate.to_box(u)
    np.testing.assert_allclose(calibrate.from_box(values), u)
    clipped = calibrate.to_box(np.full(len(calibrate.PARAMETERS), 2.0))
    assert all(clipped[p.key] == p.high for p in calibrate.PARAMETERS)


def test_set_toml_value_replaces_a_commented_default_in_its_table():
    text = "name = \"x\"\n\n[behaviour]\n# ask_help = 0.3   # chance\nretry_days = 7\n\n[mediation]\n# ask_help = 9\n"
    out = calibrate.set_toml_value(text, "behaviour.ask_help", 0.5, "calibrated")
    assert "ask_help = 0.5   # calibrated" in out
    assert "# ask_help = 9" in out  # the other table is untouched
    out = calibrate.set_toml_value(out, "behaviour.decision_stigma", 2.0, "calibrated")
    assert out.index("decision_stigma = 2.0") > out.index("[behaviour]")
    two_lines = "[behaviour]\nask_help = 0.3   # a comment\n                # that goes on\n# retry_days = 7\n"
    out = calibrate.set_toml_value(two_lines, "behaviour.ask_help", 0.5, "calibrated")
    assert "goes on" not in out and "# retry_days = 7" in out
    with pytest.raises(KeyError, match="no table"):
        calibrate.set_toml_value(text, "nowhere.key", 1.0, "x")


def test_write_fit_installs_a_valid_scenario_with_the_values_and_the_fit(tmp_path):
    path = tmp_path / "hybrid.toml"
    shutil.copy(REPO / "scenarios" / "hybrid.toml", path)
    values = {p.key: round(p.low + 0.25 * (p.high - p.low), 4) for p in calibrate.PARAMETERS}
    calibrate.write_fit(path, values, "target  published  model\nx  34%  35%", "2026-01-02")
    calibrate.write_fit(path, values, "second fit", "2026-01-03")  # replaces the block, no duplicate
    text = path.read_text()
    assert text.count(calibrate.BEGIN) == 1 and "second fit" in text and "2026-01-03" in text
    sc = demat.Scenario.load(path).to_dict()
    for key, v in values.items():
        node = sc
        for part in key.split("."):
            node = node[part]
        assert node == pytest.approx(v)


# ------------------------------------------------------------ citizen indicators

def _run(changes, seed=3, days=365, size=4000, warmup=365):
    sc = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes(
        {"population.size": size, "days": days, "warmup_days": warmup, **changes})
    return demat.Simulation(sc, seed=seed, threads=1).run().results


@pytest.fixture(scope="module")
def indicators():
    return _run({})


def test_quarterly_non_take_up_is_the_mean_over_the_last_91_days(indicators):
    c = indicators["counts"][-91:].astype(float)
    expected = 1 - c[:, :, 1].sum(0) / c[:, :, 0].sum(0)
    np.testing.assert_allclose(indicators["non_take_up/quarter"], expected)


def test_persistent_non_take_up_is_a_subset_of_the_persistently_eligible(indicators):
    eligible = indicators["non_take_up/persistent_eligible"]
    never = indicators["non_take_up/persistent_not_receiving"]
    assert np.all(never <= eligible) and eligible.sum() > 0
    np.testing.assert_allclose(indicators["non_take_up/persistent"], never / eligible)
    # everyone is eligible for the tax return all year
    tax = list(indicators.coordinate("service")).index("income_tax_return")
    assert eligible[tax] == 4000
    # eligible all three quarters without receiving implies not receiving over the last quarter:
    # persistent non-take-up cannot exceed quarterly non-take-up by much
    assert np.all(indicators["non_take_up/persistent"] <= indicators["non_take_up/quarter"] + 0.05)


def test_procedure_indicators_follow_the_channels():
    closed = _run({"channels.online.enabled": False}, days=200)
    np.testing.assert_array_equal(closed["procedures/citizens"][:2], [0, 0])
    failing = _run({"behaviour.online_intercept": -20.0, "behaviour.online_skill": 0.0, "behaviour.max_failures": 1,
                    "behaviour.channel_online": 10.0}, days=200)
    did, gave_up, for_good = failing["procedures/share"]
    assert did < 0.01 and gave_up > 0.3 and for_good > 0.3
    assert list(failing.coordinate("procedures/indicator")) == ["did_online", "gave_up_online", "gave_up_for_good"]


def test_cohort_enrolment_rises_with_a_letter():
    # no outreach besides the letter, so that the letter's effect stands out of the noise at 6,000 citizens
    base = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes(
        {"warmup_days": 365, "services.minimum_income.outreach": 0.0})
    arms = outreach.experiment(base, "minimum_income", population=6000, seeds=[1], threads=1)
    none, letter = arms["no_contact"][0], arms["letter"][0]
    assert letter[1] > none[1] + 0.05  # the unaware learn of the right
    assert np.all((arms["letter_and_help"] >= 0) & (arms["letter_and_help"] <= 1))


def test_python_api_tables_of_the_indicators(indicators):
    table = indicators.non_take_up()
    assert list(table.index) == indicators.services
    np.testing.assert_allclose(table["quarter"], indicators["non_take_up/quarter"])
    assert (table["cohort_members_unaware"] <= table["cohort_members"]).all()
    shares = indicators.procedures()
    assert list(shares.index) == ["did_online", "gave_up_online", "gave_up_for_good"]
    assert 0 < shares["did_online"] < 1


def test_indicators_survive_the_hdf5_round_trip(indicators, tmp_path):
    path = tmp_path / "r.h5"
    indicators.save(path)
    back = demat.load(path)
    for name in ("non_take_up/quarter", "non_take_up/persistent_eligible", "procedures/share", "cohort/enrolled"):
        np.testing.assert_array_equal(back[name], indicators[name])
    assert list(back.coordinate("cohort/group")) == ["not_receiving", "unaware"]


# ------------------------------------------------------------ the calibrated baseline

# Targets the calibrated baseline misses (docs/validation.md, section 4), with
# the side they are missed on: the test guards against the miss growing, it
# does not pretend the target is met. None since the refit with the in-work
# benefit's stigma (in-work 29% < 30%, old-age minimum 49% within 50 +- 5):
# every target is checked against its own tolerance.
KNOWN_MISSES: dict[str, tuple[str, float]] = {}


@pytest.mark.slow
def test_calibrated_baseline_reproduces_the_targets_within_tolerance():
    """hybrid.toml as shipped, 3 replicates of 20,000 citizens (about a minute on one core)."""
    sc = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml")
    model = calibrate.simulate(sc, {}, seeds=[101, 102, 103], population=20000).mean(axis=0)
    misses = []
    for t, m in zip(calibrate.TARGETS, model):
        if t.name in KNOWN_MISSES:
            side, bound = KNOWN_MISSES[t.name]
            if (side == "above" and m < bound) or (side == "below" and m > bound):
                misses.append(f"{t.name}: model {m:.1%}, worse than the calibrated miss ({side} {bound:.0%})")
        elif (m > t.value) if t.upper_bound else abs(m - t.value) > t.tolerance:
            misses.append(f"{t.name}: model {m:.1%} vs {t.shown()} +- {t.tolerance:.0%}")
    assert not misses, misses
    assert set(KNOWN_MISSES) <= {t.name for t in calibrate.TARGETS}
