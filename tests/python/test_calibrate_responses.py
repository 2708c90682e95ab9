"""`python3 -m demat.calibrate --responses`: the responses of demat.responses fitted with the levels."""

import numpy as np
import pytest

import demat
from demat import calibrate, responses

from conftest import REPO


def test_response_residuals_are_scaled_gaps_and_a_missing_response_is_huge():
    published = [r.value for r in responses.RESPONSES]
    at = [np.array([v, v]) for v in published]
    np.testing.assert_allclose(calibrate.response_residuals(at), 0.0)
    off = [np.array([v + r.tolerance]) for v, r in zip(published, responses.RESPONSES)]
    np.testing.assert_allclose(calibrate.response_residuals(off), 1.0)
    # No first claim in the closed zones of one seed: the closure cannot be read, so the point is refused.
    missing = [np.array([-0.1, np.nan]), np.array([-0.16]), np.array([0.18])]
    assert calibrate.response_residuals(missing)[0] == 1e3


def test_response_parameters_are_fitted_only_with_the_responses():
    levels = {p.key for p in calibrate.PARAMETERS}
    extra = {p.key for p in calibrate.RESPONSE_PARAMETERS}
    assert levels.isdisjoint(extra)
    assert {p.key for p in calibrate.fitted_parameters(False)} == levels
    assert {p.key for p in calibrate.fitted_parameters(True)} == levels | extra
    # Each is a key of the scenario (the fit reads its start there and writes its value back).
    sc = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml")
    for p in calibrate.RESPONSE_PARAMETERS:
        assert p.low <= calibrate._current(sc, p.key) <= p.high, p.key


def test_fit_with_responses_moves_the_response_parameters_to_the_published_responses(monkeypatch):
    """A model whose levels sit on their targets whatever the values and whose closure response is a known
    function of two response parameters: the fit must find the values that give the published responses, and
    the level runs must never be given a response parameter (they would be run again for nothing)."""
    aims = np.array([t.aim for t in calibrate.TARGETS])
    level_calls = []

    def fake_levels(scenario, points, seeds, population, threads=1, targets=calibrate.TARGETS, executor=None,
                    cache=None):
        level_calls.extend(points)
        return [np.tile(aims, (len(seeds), 1)) for _ in points]

    def fake_responses(scenario, points, settings, threads=1, executor=None, cache=None):
        out = []
        for v in points:
            first = -0.025 * v["behaviour.decision_access"]               # -10% at 4
            new = first - 0.004 * v["behaviour.decision_wait"]           # -16% at wait 15 with access 4
            out.append([np.full(len(settings.seeds), first), np.full(len(settings.seeds), new),
                        np.full(len(settings.outreach_seeds), 0.18)])
        return out

    monkeypatch.setattr(calibrate, "simulate_many", fake_levels)
    monkeypatch.setattr(calibrate, "simulate_responses", fake_responses)
    sc = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml")
    settings = calibrate.ResponseSettings(1000, (1, 2), 1000, (1,))
    values, best = calibrate.fit(sc, [1], 1000, screening=0, iterations=120, log=lambda s: None,
                                 responses=settings)
    assert best < 0.01
    assert values["behaviour.decision_access"] == pytest.approx(4.0, abs=0.2)
    assert values["behaviour.decision_wait"] == pytest.approx(15.0, abs=1.0)
    extra = {p.key for p in calibrate.RESPONSE_PARAMETERS}
    assert level_calls and all(extra.isdisjoint(pt) for pt in level_calls)
    # Without the responses nothing moves them: the levels alone cannot see them.
    values, _ = calibrate.fit(sc, [1], 1000, screening=0, iterations=20, log=lambda s: None)
    assert extra.isdisjoint(values)


def test_cli_refuses_a_response_size_below_one(capsys):
    with pytest.raises(SystemExit) as e:
        calibrate.main(["--responses", "--response-replicates", "0", "--dry-run"])
    assert e.value.code == 2
    assert "--response-replicates: expected a positive integer, got 0" in capsys.readouterr().err


def _fake_model(monkeypatch, responses_of):
    """Levels on their targets whatever the values; the responses of each point given by ``responses_of`` (a
    point's values -> [first claims, new recipients, help arm]). Returns the list of points the responses saw."""
    aims = np.array([t.aim for t in calibrate.TARGETS])
    seen = []
    monkeypatch.setattr(calibrate, "simulate_many",
                        lambda sc, points, seeds, *a, **k: [np.tile(aims, (len(seeds), 1)) for _ in points])

    def fake_responses(scenario, points, settings, threads=1, executor=None, cache=None):
        seen.extend(points)
        return [[np.array([r]) for r in responses_of(v)] for v in points]

    monkeypatch.setattr(calibrate, "simulate_responses", fake_responses)
    return seen


def test_fixed_levels_move_only_the_response_parameters(monkeypatch):
    seen = _fake_model(monkeypatch, lambda v: [-0.025 * v["behaviour.decision_access"], -0.16, 0.18])
    sc = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml")
    settings = calibrate.ResponseSettings(1000, (1,), 1000, (1,))
    values, best = calibrate.fit(sc, [1], 1000, screening=0, iterations=40, log=lambda s: None,
                                 responses=settings, fixed_levels=True)
    assert set(values) == {p.key for p in calibrate.RESPONSE_PARAMETERS}
    assert values["behaviour.decision_access"] == pytest.approx(4.0, abs=0.2) and best < 0.01
    assert all(set(pt) == set(values) for pt in seen)
    with pytest.raises(ValueError, match="needs responses"):
        calibrate.fit(sc, [1], 1000, screening=0, iterations=1, log=lambda s: None, fixed_levels=True)


def test_level_runs_keep_the_response_parameters_when_the_scenario_itself_closes_something():
    plain = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml")
    closing = demat.Scenario.load(REPO / "scenarios" / "transition_online_only.toml")
    every = calibrate.fitted_parameters(True)
    extra = {p.key for p in calibrate.RESPONSE_PARAMETERS}
    assert extra.isdisjoint(calibrate.level_run_keys(plain, every))
    assert extra <= calibrate.level_run_keys(closing, every)  # its close_channel lets them act on every run


def test_the_help_arm_fits_the_weight_of_complexity_with_the_response_parameters_held(monkeypatch):
    """The outreach help arm as a known function of the weight of complexity (18% at 9): with the response
    parameters held, the fit must find that weight and never move, nor report, the held keys."""
    seen = _fake_model(monkeypatch, lambda v: [-0.10, -0.16, 0.02 * v["behaviour.decision_complexity"]])
    sc = demat.Scenario.load(REPO / "scenarios" / "hybrid.toml")
    settings = calibrate.ResponseSettings(1000, (1,), 1000, (1,))
    held = [p.key for p in calibrate.RESPONSE_PARAMETERS]
    values, best = calibrate.fit(sc, [1], 1000, screening=0, iterations=80, log=lambda s: None,
                                 responses=settings, hold=held)
    assert values["behaviour.decision_complexity"] == pytest.approx(9.0, abs=0.3) and best < 0.01
    assert set(held).isdisjoint(values) and all(set(held).isdisjoint(pt) for pt in seen)
    with pytest.raises(ValueError, match="not a fitted parameter: behaviour.nothing"):
        calibrate.fit(sc, [1], 1000, screening=0, iterations=1, log=lambda s: None, hold=["behaviour.nothing"])


def test_cli_refuses_to_hold_a_key_it_does_not_fit(capsys):
    with pytest.raises(SystemExit) as e:
        calibrate.main(["--hold", "behaviour.decision_access", "--dry-run"])  # a response key, without --responses
    assert e.value.code == 2
    assert "--hold: expected one of the fitted parameters" in capsys.readouterr().err
