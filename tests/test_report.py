"""``milieusim report``: one self-contained file of a real sweep, readable offline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from clitools import assert_one_line_error, invoke

from milieusim.analysis.report import build_report, render_report
from milieusim.experiment import load_results
from milieusim.plots.kinds import default_kinds


@pytest.fixture(scope="module")
def report_html(crn_dir: Path) -> Path:
    result = invoke("report", crn_dir)
    assert result.exit_code == 0, result.output
    path = crn_dir / "report.en.html"
    assert result.stdout.strip().endswith("report.en.html") and path.is_file()
    return path


def test_html_report_is_self_contained(report_html: Path, crn_dir: Path) -> None:
    text = report_html.read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text and "url(" not in text
    sources = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert len(sources) == len(default_kinds(load_results(crn_dir)))
    for fact in ("paired.toml", "sha256", "Experiment seed", "11", "Replications per point"):
        assert fact in text
    assert "Git commit" in text and "uv.lock sha256" in text
    assert "fewer than 5" in text  # 4 replications: the warning is in the report
    assert re.search(r"milieusim sweep \S*paired\.toml --out \S+", text)
    assert "0.371 [" in text or "0.37" in text  # a mean with its interval


def test_markdown_report_in_french(crn_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rapport.md"
    result = invoke("report", crn_dir, "--lang", "fr", "--format", "md", "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Droit à l'erreur et inertie, apparié")
    assert "## Ce qui a été simulé" in text and "## Avertissements" in text
    assert text.count("](data:image/png;base64,") == len(default_kinds(load_results(crn_dir)))


def test_report_of_a_sobol_design_has_its_indices(sobol_dir: Path) -> None:
    report = build_report(sobol_dir)
    assert report.sensitivity is not None and report.sensitivity_method == "Sobol"
    text = render_report(report, "md")
    assert "## Sensitivity indices" in text and "ST [95% CI]" in text


def test_report_lists_failed_runs(grid_dir: Path) -> None:
    report = build_report(grid_dir)
    assert any("1 run failed" in w for w in report.warnings)


def test_report_errors_are_one_line(crn_dir: Path, tmp_path: Path) -> None:
    assert_one_line_error(invoke("report", tmp_path / "nope"), "no such folder")
    assert_one_line_error(
        invoke("report", crn_dir, "--format", "md", "--out", tmp_path / "r.html"),
        "does not match --format md",
    )


@pytest.mark.browser
@pytest.mark.slow
def test_report_opens_offline_in_chromium(report_html: Path) -> None:
    """Headless Chromium shows every figure, and the page asks for nothing outside."""
    from browser import CHROMIUM, launch_chromium

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []

    def record(route: Any) -> None:
        url = route.request.url
        requests.append(url)
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            route.abort()

    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            page = chromium.new_page()
            page.route("**/*", record)
            page.goto(report_html.as_uri())
            page.wait_for_load_state("load")
            shown = page.evaluate(
                "[...document.images].map(i => i.complete && i.naturalWidth > 100)"
            )
        finally:
            chromium.close()
    assert shown and all(shown)
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert outside == []
