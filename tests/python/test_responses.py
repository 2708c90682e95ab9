"""demat.responses and `python3 -m demat.validation --responses` (docs/validation.md, Responses)."""

import numpy as np
import pytest

import demat
from demat import responses, validation

from conftest import REPO


@pytest.fixture(scope="module")
def short():
    """hybrid.toml at 10,000 citizens (4 zones: the first fifth of the closing order is 1 zone), 120 recorded days."""
    return demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes({"days": 120, "warmup_days": 60})


def test_closure_experiment_pairs_the_runs_and_measures_the_closed_zones(short):
    out = responses.closure_experiment(short, 10000, [1, 2], 0.2, workers=1)
    assert responses.MEASURES == ("first_claims", "first_payments", "claims_submitted")
    assert out["open"].shape == out["closed"].shape == (2, 3, 3)  # [seed, measure, education]
    assert (out["open"].sum(axis=2) > 0).all()
    # The relative change is the closed run over the open one, per seed.
    np.testing.assert_allclose(out["first_claims"], out["closed"][:, 0].sum(axis=1) / out["open"][:, 0].sum(axis=1) - 1)
    np.testing.assert_allclose(out["claims_submitted"], out["closed"][:, 2].sum(axis=1) / out["open"][:, 2].sum(axis=1) - 1)
    np.testing.assert_allclose(out["first_payments_by_education"], out["closed"][:, 1] / out["open"][:, 1] - 1)
    # Re-claims of interrupted rights are claims filed but not first claims.
    assert (out["open"][:, 0].sum(axis=1) < out["open"][:, 2].sum(axis=1)).all()
    # The counts are those of /counter_closure's first rank group, benefits only.
    r = demat.Simulation(short.with_changes({"population.size": 10000}), seed=1, threads=1).run().results
    counts = responses.closure_counts(r, responses.benefits(short), 0.2)
    assert counts["first_claims"] == [int(v) for v in out["open"][0, 0]]
    assert counts["claims_submitted"] == [int(v) for v in out["open"][0, 2]]
    services = list(r.coordinate("service"))
    assert "income_tax_return" in services and "income_tax_return" not in responses.benefits(short)


def test_responses_are_judged_on_their_tolerance():
    # Claims filed (re-claims included) are not judged: the first claims are.
    closure = {"first_claims": np.array([-0.11, -0.07]), "claims_submitted": np.array([0.05, 0.05]),
               "first_payments": np.array([-0.02, -0.01])}
    judged = responses.evaluate(closure, np.array([0.20, 0.22]))
    assert [ok for _r, _v, ok in judged] == [True, False, True]


def test_validation_responses_rejects_a_share_that_is_not_a_fifth(capsys):
    assert validation.main(["--responses", "--closure-share", "0.3", "--population", "100", "--replicates", "1"]) == 2
    assert "--closure-share" in capsys.readouterr().err


def test_validation_responses_rejects_a_bad_set(capsys, tmp_path):
    assert validation.main(["--responses", "--set", "nokey", "--cache", str(tmp_path / "c.jsonl")]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
