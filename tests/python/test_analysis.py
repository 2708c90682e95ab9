import re

import numpy as np
import pytest

import demat
from demat import analysis


@pytest.fixture(scope="module")
def files(small, tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    run = folder / "hybrid.h5"
    demat.Simulation(small, seed=1, threads=1).run().results.save(run)
    online = small.with_changes({"name": "online_only", "channels.counter.enabled": False,
                                 "channels.phone.enabled": False, "channels.mediation.enabled": False})
    ensemble = folder / "online_only.h5"
    demat.run_ensemble(online, replicates=3, seed=5).save(ensemble)
    return run, ensemble


def test_load_runs_gives_one_set_per_scenario_with_runs(files):
    sets = analysis.load_runs(files)
    assert [s.label for s in sets] == ["hybrid", "online_only"]
    assert [s.runs for s in sets] == [1, 3]
    assert sets[1].capital["counts"].dims == ("run", "day", "service", "group", "state")
    assert not sets[1].parameters["services.minimum_income.channels.counter.enabled"]


def test_tidy_table_of_several_files(files):
    table = analysis.tidy(files, segments=False, metrics=False)
    assert set(table.scenario.unique()) == {"hybrid", "online_only"}
    assert set(table[table.scenario == "online_only"].run.dropna().unique()) == {0, 1, 2}


def test_key_numbers_agree_with_the_arrays(files):
    sets = analysis.load_runs(files[:1])
    numbers = analysis.key_numbers(sets).set_index("measure")
    r = demat.load(files[0])
    benefits = [i for i, s in enumerate(r.services) if s != "income_tax_return"]
    c = r.segments("capital_quintile")[-90:][:, benefits].sum(axis=1)
    take_up = c[..., 1] / c[..., 0]
    assert numbers.loc["divide index Q5 - Q1 (points)", "mean"] == pytest.approx(
        100 * (take_up[:, 4] - take_up[:, 0]).mean())


def test_report_writes_figures_and_a_page_that_references_them(files, tmp_path):
    page = analysis.write_report(files, tmp_path / "report")
    with open(page, encoding="utf-8") as f:
        html = f.read()
    images = re.findall(r"<img src='([^']+)'", html)
    assert len(images) == 6 + len(files)  # (b) once per scenario
    for name in images:
        png = tmp_path / "report" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "http" not in html.replace("http-equiv", "")  # nothing fetched from elsewhere
    assert "divide index" in html and "channels.counter.enabled" in html


def test_report_command_line(files, tmp_path):
    from demat.analysis.__main__ import main

    assert main(["report", str(files[0]), "-o", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "index.html").exists()
    assert main(["report", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "r2")]) == 2


def test_example_runs_small_and_ends_in_the_report(tmp_path):
    import importlib.util

    from conftest import REPO

    spec = importlib.util.spec_from_file_location("compare_channels",
                                                  REPO / "analysis" / "examples" / "compare_channels.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert example.main(["--population", "2000", "--days", "30", "--replicates", "2", "-o", str(tmp_path)]) == 0
    for name in example.SCENARIOS:
        r = demat.load(tmp_path / f"{name}.h5")
        assert r["counts"].shape[:2] == (2, 30) and r.attrs["scenario_name"] == name
    assert (tmp_path / "report" / "index.html").exists()


# ---- issue 12, item 12: what a reader of the report trips on ------------------------------------------


def test_queue_wait_panel_says_closed_instead_of_drawing_zero_bars(files):
    from demat.analysis import figures

    sets = analysis.load_runs(files)
    fig = figures.queues(sets)
    panel = fig.axes[1]
    texts = [t.get_text() for t in panel.texts]
    # online_only closes phone, counter and mediation: three "closed", no bar of height 0 for them.
    assert texts.count("closed") == 3, texts
    served = [(s.label, ch) for s in sets for ch in ("phone", "counter", "mediation")
              if float(s.metrics["queue_served"].sel(channel=ch).sum()) > 0]
    bars = [p for p in panel.patches if p.get_width() > 0]
    assert len(bars) == len(served) == 3, (served, [p.get_height() for p in bars])
    # Each drawn bar carries its value, so that a same-day wait does not read as a missing bar.
    values = [t for t in texts if t != "closed"]
    assert len(values) == len(bars) and all(v == "<0.1" or float(v) >= 0 for v in values), values


def test_figures_name_their_measure(files):
    from demat.analysis import figures
    from demat.analysis.load import END_WINDOW_DAYS

    sets = analysis.load_runs(files)
    fig = figures.comparison(sets)
    assert "benefits pooled" in fig.axes[0].get_title() and f"last {END_WINDOW_DAYS} recorded days" in fig.axes[0].get_title()
    assert "365 recorded days" in fig.axes[1].get_title()
    fig = figures.divide(sets)
    assert f"last {END_WINDOW_DAYS} recorded days" in fig.axes[0].get_ylabel()
    # Helpers' burden: with replicates the counts are means over runs, and the axis says so.
    assert "mean over runs" in figures.queues(sets).axes[2].get_ylabel()
    assert "mean over runs" not in figures.queues(sets[:1]).axes[2].get_ylabel()


def test_report_header_gives_each_files_size_when_they_differ(files, small, tmp_path):
    bigger = tmp_path / "bigger.h5"
    demat.Simulation(small.with_changes({"name": "bigger", "population.size": 3500}), seed=2,
                     threads=1).run().results.save(bigger)
    from pathlib import Path

    text = Path(analysis.write_report([files[0], bigger], tmp_path / "r")).read_text(encoding="utf-8")
    header = text.split("<h2>", 1)[0]
    assert "of different sizes" in header and "3,000 citizens" in header and "3,500 citizens" in header
    same = Path(analysis.write_report(files, tmp_path / "r2")).read_text(encoding="utf-8").split("<h2>", 1)[0]
    assert "of different sizes" not in same and "online_only: 3 run(s)" in same


def test_divide_figure_starts_its_axis_at_zero(files):
    from demat.analysis import figures

    fig = figures.divide(analysis.load_runs(files))
    bottom, top = fig.axes[0].get_ylim()
    # Heights compare only from zero: an axis from 30% made a 5-point gap look like a doubling.
    assert bottom == 0 and top > 0
    highest = max(float(max(line.get_ydata())) for line in fig.axes[0].get_lines())
    assert top > highest + 1  # the highest point is not cut by the frame


def test_the_income_tax_return_reads_fulfilled_not_receiving_or_take_up(files, tmp_path):
    from pathlib import Path

    from demat.analysis import figures

    sets = analysis.load_runs(files)
    assert "income_tax_return" not in sets[0].benefits  # an obligation
    fig = figures.non_take_up(sets[0])
    panel = next(ax for ax in fig.axes if ax.get_title().startswith("income tax return"))
    assert "obligation" in panel.get_title()
    labels = [c.get_label() for c in panel.collections]
    assert labels[0] == "fulfilled" and "receiving" not in labels, labels
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "fulfilled (obligation)" in legend and "receiving (benefit)" in legend and "receiving" not in legend
    benefit = next(ax for ax in fig.axes if ax.get_title() == "minimum income")
    assert benefit.collections[0].get_label() == "receiving"
    # Nowhere in the page is the obligation said to be received or taken up.
    text = Path(analysis.write_report(files, tmp_path / "r")).read_text(encoding="utf-8")
    for phrase in ("income tax return take-up", "income_tax_return take-up", "take-up of the income tax",
                   "income tax return receiving"):
        assert phrase not in text.lower()
    assert "fulfilled" in text


def test_quintile_lines_that_coincide_stay_apart_by_dash_and_marker(files):
    from demat.analysis import figures

    fig = figures.take_up_by_quintile(analysis.load_runs(files))
    for ax in fig.axes:
        lines = [line for line in ax.get_lines() if line.get_label().startswith("Q")]
        assert len(lines) == 5
        styles = {(str(line.get_linestyle()), str(line.get_dashes() if hasattr(line, "get_dashes") else ""),
                   line.get_marker()) for line in lines}
        assert len({line.get_marker() for line in lines}) == 5, styles
        assert len({repr(line._dash_pattern) for line in lines}) == 5  # five dash patterns, the first solid


# ---- issue 14, outputs by household: take-up by household type -----------------------------------


def test_results_follow_the_household_dimensions(files):
    r = demat.load(files[0])
    assert {"household_type", "tenure"} <= set(r.segment_dimensions)
    table = r.to_dataframe(metrics=False)
    groups = table[table.dimension == "household_type"].group.unique()
    assert set(groups) == {"single", "couple", "single_parent", "couple_children", "other"}
    assert set(table[table.dimension == "tenure"].group.unique()) == {"owner", "private_tenant", "social_tenant"}
    # Summing the groups gives the population, state by state and day by day.
    assert (r.segments("household_type").sum(axis=2) == r["counts"]).all()
    assert (r.segments("tenure").sum(axis=2) == r["counts"]).all()


def test_take_up_by_household_type_bars_are_the_arrays(files):
    from demat.analysis import figures
    from demat.analysis.load import END_WINDOW_DAYS

    sets = analysis.load_runs(files[:1])
    fig = figures.take_up_by_segment(sets)
    assert figures.SEGMENT_PANELS[0] == "household_type"
    panel = fig.axes[0]
    heights = [p.get_height() for p in panel.patches]
    r = demat.load(files[0])
    benefits = [i for i, s in enumerate(r.services) if s != "income_tax_return"]
    c = r.segments("household_type")[-END_WINDOW_DAYS:][:, benefits].sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = 100 * (c[..., 1] / c[..., 0]).mean(axis=0)
    assert [t.get_text() for t in panel.get_xticklabels()] == ["single", "couple", "single_parent",
                                                                "couple_children", "other"]
    # "other" is empty in the model: no bar (NaN), the four others drawn at their take-up.
    assert np.isnan(heights[4]) and np.isnan(expected[4])
    assert heights[:4] == pytest.approx(list(expected[:4]))


def test_take_up_by_segment_says_so_when_a_file_lacks_the_dimension(files, tmp_path):
    import shutil

    import h5py
    from demat.analysis import figures

    old = tmp_path / "old.h5"
    shutil.copy(files[0], old)
    with h5py.File(old, "r+") as f:
        del f["segments/household_type"]
    sets = analysis.load_runs([old])
    assert "household_type" not in sets[0].segments and "tenure" in sets[0].segments
    fig = figures.take_up_by_segment(sets)
    assert [t.get_text() for t in fig.axes[0].texts] == ["no /segments/household_type in these files"]
    assert not fig.axes[0].patches


def test_pooled_run_files_pool_their_segments(files, tmp_path):
    import shutil

    copy = tmp_path / "hybrid.h5"
    shutil.copy(files[0], copy)
    (s,) = analysis.load_runs([files[0], copy])
    assert s.runs == 2
    assert {d: ds.sizes["run"] for d, ds in s.segments.items()} == {"household_type": 2, "tenure": 2}
