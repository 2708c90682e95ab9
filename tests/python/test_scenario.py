import pytest

import demat
from conftest import REPO


def test_with_changes_returns_a_validated_copy(small):
    changed = small.with_changes({"services.minimum_income.channels.counter.enabled": False})
    assert "enabled = false" in changed.to_toml() and "enabled = false" not in small.to_toml()
    assert changed.population_size == small.population_size == 3000


def test_top_level_channel_key_changes_every_service(small):
    closed = small.with_changes({"channels.counter.enabled": False}).to_dict()
    assert all(not s["channels"]["counter"]["enabled"] for s in closed["services"].values())


def test_base_files_resolve_relative_to_the_original_file():
    online = demat.Scenario.load(REPO / "scenarios" / "online_only.toml")
    changed = online.with_changes({"days": 10})
    assert changed.services == online.services and changed.days == 10
    assert all(not s["channels"]["phone"]["enabled"] for s in changed.to_dict()["services"].values())


def test_from_dict_round_trips_through_to_dict(small):
    again = demat.Scenario.from_dict(small.to_dict())
    assert again == small


def test_unknown_key_names_the_key_and_suggests():
    with pytest.raises(demat.ScenarioError) as info:
        demat.Scenario.load(REPO / "scenarios" / "hybrid.toml").with_changes({"population.sise": 10})
    assert isinstance(info.value, ValueError)
    assert info.value.key == "population.sise"
    assert "population.size" in str(info.value)  # the suggestion


def test_out_of_range_value_names_the_range(small):
    with pytest.raises(demat.ScenarioError, match=r"key 'days': expected an integer in \[1, 36500\], got 0"):
        small.with_changes({"days": 0})
    with pytest.raises(demat.ScenarioError, match="behaviour.ask_help"):
        small.with_changes({"behaviour.ask_help": 1.5})


def test_bad_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ndays = -4\n')
    with pytest.raises(demat.ScenarioError) as info:
        demat.Scenario.load(bad)
    assert info.value.file.endswith("bad.toml") and info.value.line == 2 and info.value.key == "days"


def test_wrong_python_type_is_a_scenario_error(small):
    with pytest.raises(demat.ScenarioError, match="days"):
        demat.Scenario.from_dict({"days": object()})
