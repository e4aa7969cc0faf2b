"""Figures of experiment results: labels in both languages, files, reproducibility, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import assert_one_line_error, invoke
from matplotlib.figure import Figure

from milieusim.analysis import ResultsError
from milieusim.experiment.store import load_results
from milieusim.plots import (
    KINDS,
    default_kinds,
    make_figure,
    plot_curves,
    plot_funnel,
    plot_heatmap,
    plot_scatter,
    plot_sensitivity,
    save_figure,
)
from milieusim.plots.kinds import FORMATS
from milieusim.text import outcome_label, param_label

WEEKS = {"en": "Weeks", "fr": "Semaines"}
MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


def texts(fig: Figure) -> str:
    """Every text of the figure (titles, labels, ticks, legends, annotations)."""
    fig.canvas.draw()
    found = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return "\n".join(found)


def visible_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def share_label(lang: str) -> str:
    return f"{outcome_label('adoption_share', lang, unit=False)} (%)"


# --- each kind, in both languages -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_curves_labels(grid_dir: Path, lang: str) -> None:
    fig = plot_curves(grid_dir, lang=lang)
    ax = fig.axes[0]
    assert ax.get_xlabel() == WEEKS[lang]
    assert ax.get_ylabel() == share_label(lang)
    assert len(ax.lines) == 4 and len(ax.collections) == 4  # a mean and a band per point
    legend = ax.get_legend()
    entries = [t.get_text() for t in legend.get_texts()]
    assert any(param_label("inertia", lang, unit=False, short=True) in e for e in entries)
    title = "Inertia and the right to error" if lang == "en" else "Inertie et droit à l'erreur"
    assert fig.get_suptitle() == title


def test_curves_facets_a_larger_grid(grid33_dir: Path) -> None:
    fig = plot_curves(grid33_dir, lang="fr")
    axes = visible_axes(fig)
    assert len(axes) == 3
    assert axes[0].get_title("left").startswith("Tolérance à l'expérimentation = 0,1")
    assert fig.get_supxlabel() == "Semaines"
    assert all(len(ax.lines) == 3 for ax in axes)


def test_curves_show_a_subset_of_a_sampled_design(sobol_dir: Path) -> None:
    fig = plot_curves(sobol_dir, "ideas")
    ax = fig.axes[0]
    assert "5 of 20 design points" in ax.get_title("left").replace("\n", " ")
    assert ax.get_ylabel() == outcome_label("ideas", "en")
    assert "other points (15)" in texts(fig)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_heatmap_labels(grid_dir: Path, lang: str) -> None:
    fig = plot_heatmap(grid_dir, "approvals", lang=lang)
    ax, bar = fig.axes
    assert ax.get_xlabel() == param_label("inertia", lang)
    assert ax.get_ylabel().replace("\n", " ") == param_label("experimentation_tolerance", lang)
    assert bar.get_ylabel().replace("\n", " ") == outcome_label("approvals", lang)
    assert len(ax.texts) == 4  # one annotation per cell
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == (["0.2", "0.8"] if lang == "en" else ["0,2", "0,8"])


def test_heatmap_needs_two_grid_parameters(lhs_dir: Path, knockout_dir: Path) -> None:
    with pytest.raises(ResultsError, match="needs a grid"):
        plot_heatmap(lhs_dir)
    with pytest.raises(ResultsError, match="two varied parameters"):
        plot_heatmap(knockout_dir)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sensitivity_labels_sobol(sobol_dir: Path, lang: str) -> None:
    fig = plot_sensitivity(sobol_dir, "ideas", lang=lang)
    ax = fig.axes[0]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(
        param_label(p, lang) for p in ("inertia", "openness", "experimentation_tolerance")
    )
    expected = "Share of the output variance" if lang == "en" else "Part de la variance"
    assert ax.get_xlabel().startswith(expected)
    assert len(ax.patches) == 6  # S1 and ST per parameter
    assert "S1" in texts(fig) and "ST" in texts(fig)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sensitivity_labels_morris(morris_dir: Path, lang: str) -> None:
    fig = plot_sensitivity(morris_dir, "adoption_share", lang=lang)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("Elementary effect" if lang == "en" else "Effet élémentaire")
    assert "μ*" in texts(fig) and "σ" in texts(fig)


def test_sensitivity_refuses_grids_and_constant_outcomes(grid_dir: Path, sobol_dir: Path) -> None:
    with pytest.raises(ResultsError, match="sobol, morris or fast"):
        plot_sensitivity(grid_dir)
    with pytest.raises(ResultsError, match="does not vary"):
        plot_sensitivity(sobol_dir, "paralysis")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_funnel_labels(grid_dir: Path, lang: str) -> None:
    fig = plot_funnel(grid_dir, lang=lang)
    ax = fig.axes[0]
    stages = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert stages[0] == ("Ideas" if lang == "en" else "Idées")  # the top row
    assert len(stages) == 5
    assert ax.get_xlabel().startswith(
        "Innovations per run" if lang == "en" else "Innovations par simulation"
    )
    assert len(ax.patches) == 5 * 4  # by point: 4 points
    assert ax.get_legend() is not None


def test_funnel_pools_many_points(sobol_dir: Path) -> None:
    fig = plot_funnel(sobol_dir)
    ax = fig.axes[0]
    assert len(ax.patches) == 5
    assert "20 design points pooled" in ax.get_title("left").replace("\n", " ")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_scatter_labels(grid_dir: Path, lang: str) -> None:
    fig = plot_scatter(grid_dir, "mean_adoption_share", x="experimentation_tolerance", lang=lang)
    ax = fig.axes[0]
    assert ax.get_xlabel() == param_label("experimentation_tolerance", lang)
    assert ax.get_ylabel().replace("\n", " ") == (
        f"{outcome_label('mean_adoption_share', lang, unit=False)} (%)"
    )
    assert len(ax.collections[0].get_offsets()) == 11  # the ok runs


def test_scatter_of_a_choice_parameter_and_of_a_sample(knockout_dir: Path, lhs_dir: Path) -> None:
    fig = plot_scatter(knockout_dir, "ideas")
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["none", "marginaux sécants", "ordinary staff"]  # schema order
    fr = plot_scatter(knockout_dir, "ideas", lang="fr").axes[0].get_xticklabels()
    assert [t.get_text() for t in fr] == ["aucun", "marginaux sécants", "agents ordinaires"]
    assert fig.get_suptitle() == "grid"  # no title in the manifest: the file name
    fig = plot_scatter(lhs_dir, "ideas", x="openness", lang="fr")
    assert "classes" in texts(fig)


# --- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_in_each_format_are_reproducible(grid_dir: Path, tmp_path: Path, fmt: str) -> None:
    first = save_figure(plot_curves(grid_dir, lang="fr"), tmp_path / f"a.{fmt}")
    second = save_figure(plot_curves(load_results(grid_dir), lang="fr"), tmp_path / "b", fmt)
    data = first.read_bytes()
    assert data.startswith(MAGIC[fmt]) and len(data) > 10_000
    assert data == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"a.{fmt}", "b"]


def test_every_kind_through_make_figure(sobol_dir: Path, grid_dir: Path) -> None:
    from milieusim.cli.analysis import plot

    choices = {p.name: list(getattr(p.type, "choices", [])) for p in plot.params}
    assert choices["kinds"] == list(KINDS) and choices["fmt"] == list(FORMATS)
    assert all(
        f"      {name:<18}{kind.help}\n" in (plot.help or "") for name, kind in KINDS.items()
    )  # the help lists the registry's kinds
    assert default_kinds(grid_dir) == ["curves", "heatmap", "scatter", "funnel"]
    assert default_kinds(sobol_dir) == ["curves", "sensitivity", "scatter", "funnel"]
    assert default_kinds(grid_dir, "t50_median") == ["heatmap", "scatter", "funnel"]
    for kind in default_kinds(grid_dir):
        assert visible_axes(make_figure(grid_dir, kind, lang="fr"))
    with pytest.raises(ValueError, match="unknown figure kind"):
        make_figure(grid_dir, "pie")


# --- the plot command -----------------------------------------------------------------------


def test_plot_writes_the_default_kinds(grid_dir: Path) -> None:
    result = invoke("plot", grid_dir, "--lang", "fr")
    assert result.exit_code == 0, result.output
    names = ["curves", "heatmap", "scatter", "funnel"]
    shown = [Path(line).name for line in result.stdout.splitlines()]
    assert shown == [f"{n}.fr.png" for n in names]
    for name in names:
        assert (grid_dir / "figures" / f"{name}.fr.png").read_bytes().startswith(MAGIC["png"])
    # 3 replications per point: the same warning as analyze gives
    assert "warning: only 2 ok runs at some design point" in result.stderr


def test_french_figures_do_not_overwrite_the_english(grid_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "g"
    shutil.copytree(grid_dir, folder)
    shutil.rmtree(folder / "figures", ignore_errors=True)
    assert invoke("plot", folder, "--kind", "heatmap").exit_code == 0
    english = (folder / "figures" / "heatmap.png").read_bytes()
    assert invoke("plot", folder, "--kind", "heatmap", "--lang", "fr").exit_code == 0
    assert (folder / "figures" / "heatmap.png").read_bytes() == english
    french = (folder / "figures" / "heatmap.fr.png").read_bytes()
    assert french != english


def test_plot_warns_on_quick_results(grid_dir: Path, tmp_path: Path) -> None:
    import json
    import shutil

    folder = tmp_path / "q"
    shutil.copytree(grid_dir, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**manifest, "quick": True}), "utf-8")
    result = invoke("plot", folder, "--kind", "heatmap")
    assert result.exit_code == 0, result.output
    assert "warning: these are --quick results" in result.stderr


def test_plot_one_kind_to_a_file(sobol_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report" / "sobol.svg"
    result = invoke("plot", sobol_dir, "--kind", "sensitivity", "--outcome", "ideas", "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(MAGIC["svg"])
    result = invoke(
        "plot",
        sobol_dir,
        "--kind",
        "scatter",
        "--x",
        "openness",
        "--format",
        "pdf",
        "--out",
        tmp_path / "scatter",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "scatter.pdf").read_bytes().startswith(MAGIC["pdf"])


def test_plot_fails_cleanly(grid_dir: Path, knockout_dir: Path, tmp_path: Path) -> None:
    assert_one_line_error(invoke("plot", tmp_path / "nope"), "no such folder")
    assert_one_line_error(
        invoke("plot", grid_dir, "--kind", "sensitivity"), "sobol, morris or fast"
    )
    assert_one_line_error(
        invoke("plot", knockout_dir, "--kind", "heatmap"), "two varied parameters"
    )
    assert_one_line_error(
        invoke("plot", grid_dir, "--outcome", "adoptoin_share"), "did you mean 'adoption_share'"
    )
    assert_one_line_error(
        invoke("plot", grid_dir, "--kind", "scatter", "--x", "inertai"),
        "unknown parameter 'inertai'",
        "did you mean 'inertia'",
    )
    assert_one_line_error(
        invoke("plot", grid_dir, "--out", tmp_path / "x.png"), "exactly one --kind"
    )
    assert_one_line_error(
        invoke("plot", grid_dir, "--kind", "curves", "--out", tmp_path / "x.jpg"),
        "unknown figure format 'jpg'",
    )
    assert_one_line_error(
        invoke(
            "plot", grid_dir, "--kind", "curves", "--format", "svg", "--out", tmp_path / "x.png"
        ),
        "does not match",
    )
    assert_one_line_error(
        invoke("plot", grid_dir, "--kind", "curves", "--outcome", "t50_median"),
        "curves",
        "no time series",
    )
    assert list(tmp_path.iterdir()) == []


def test_help_texts_have_examples() -> None:
    for command in ("analyze", "plot", "replications", "export", "discover", "report"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout and f"milieusim {command} " in result.stdout
