"""A report of a sweep: one self-contained HTML or Markdown file, readable offline.

What was run (the experiment, design, replications, seeds, versions, the git commit and
lock-file hash when the manifest has them), what a reader should know first (warnings),
the per-point summary with its intervals, the sensitivity indices of sobol and morris
designs, the default figures (embedded as base64 PNG: no file beside it, no outside
request) and the command that reproduces the results.
"""

from __future__ import annotations

import base64
import html
import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    design_kind,
    experiment_title,
    ok_runs,
    results_warnings,
    varied_parameters,
)
from milieusim.text import format_number, format_value, language, outcome_label, param_label

__all__ = ["REPORT_FORMATS", "Report", "build_report", "render_report"]

REPORT_FORMATS: tuple[str, ...] = ("html", "md")

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "what": "What was run",
        "warnings": "Warnings",
        "none": "None.",
        "summary": "Outcomes per design point",
        "summary_note": "Mean over the ok runs of each point, with the 95% confidence "
        "interval of the mean (Student t, clipped to the outcome's range).",
        "more": "{k} more points in analysis/summary.csv (milieusim analyze).",
        "sensitivity": "Sensitivity indices",
        "sensitivity_note": "{method} indices of each parameter with their 95% bootstrap "
        "intervals, from the means over replications.",
        "figures": "Figures",
        "reproduce": "Reproduce",
        "reproduce_note": "The same experiment file, seed and versions give the same "
        "results, byte for byte, whatever the number of workers.",
        "experiment": "Experiment",
        "design": "Design",
        "varied": "Varied parameters",
        "points": "Design points",
        "replications": "Replications per point",
        "runs": "Runs",
        "ok_failed": "{ok} ok, {failed} failed",
        "seed": "Experiment seed",
        "seeds": "Run seeds",
        "steps": "Weeks per run",
        "scenario": "Base scenario",
        "quick": "Reduced (--quick)",
        "yes": "yes",
        "status": "Status",
        "when": "Run",
        "versions": "Versions",
        "platform": "Platform",
        "git": "Git commit",
        "lock": "uv.lock sha256",
        "unknown": "not recorded in the manifest",
        "point": "point",
        "parameter": "parameter",
        "failed_runs": "{k} run{s} failed (their tracebacks are in the runs table, "
        "column error); rerun them with milieusim sweep … --resume.",
    },
    "fr": {
        "what": "Ce qui a été simulé",
        "warnings": "Avertissements",
        "none": "Aucun.",
        "summary": "Indicateurs par point du plan",
        "summary_note": "Moyenne sur les simulations réussies de chaque point, avec "
        "l'intervalle de confiance à 95\u00a0% de la moyenne (Student, borné au domaine "
        "de l'indicateur).",
        "more": "{k} points de plus dans analysis/summary.csv (milieusim analyze).",
        "sensitivity": "Indices de sensibilité",
        "sensitivity_note": "Indices de {method} de chaque paramètre, avec leurs "
        "intervalles bootstrap à 95\u00a0%, calculés sur les moyennes des réplications.",
        "figures": "Figures",
        "reproduce": "Reproduire",
        "reproduce_note": "Le même fichier d'expérience, la même graine et les mêmes "
        "versions donnent les mêmes résultats, à l'octet près, quel que soit le nombre "
        "de processus.",
        "experiment": "Expérience",
        "design": "Plan",
        "varied": "Paramètres variés",
        "points": "Points du plan",
        "replications": "Réplications par point",
        "runs": "Simulations",
        "ok_failed": "{ok} réussies, {failed} en échec",
        "seed": "Graine de l'expérience",
        "seeds": "Graines des simulations",
        "steps": "Semaines par simulation",
        "scenario": "Scénario de base",
        "quick": "Version réduite (--quick)",
        "yes": "oui",
        "status": "État",
        "when": "Simulée",
        "versions": "Versions",
        "platform": "Plateforme",
        "git": "Commit git",
        "lock": "sha256 de uv.lock",
        "unknown": "absent du manifeste",
        "point": "point",
        "parameter": "paramètre",
        "failed_runs": "{k} simulation{s} en échec (traces dans la table runs, colonne "
        "error)\u00a0; relancez-les avec milieusim sweep … --resume.",
    },
}

MAX_POINTS = 30
"""Points shown in the summary table (all are in analysis/summary.csv)."""


@dataclass
class Report:
    """The parts of a report, before rendering."""

    title: str
    facts: list[tuple[str, str]]
    warnings: list[str]
    summary: pd.DataFrame
    more_points: int
    sensitivity: pd.DataFrame | None
    sensitivity_method: str
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    lang: str = "en"


def _manifest(results: ResultsLike) -> Mapping[str, Any]:
    manifest = results.manifest
    return manifest if isinstance(manifest, Mapping) else {}


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = mapping.get(key)
        if value not in (None, ""):
            return value
    return None


def reproduce_command(results: ResultsLike, directory: str) -> list[str]:
    """``milieusim sweep EXPERIMENT --out DIR [--replications R] [--quick]``."""
    manifest = _manifest(results)
    experiment = manifest.get("experiment") or {}
    name = experiment.get("name") if isinstance(experiment, Mapping) else None
    path = experiment.get("path") if isinstance(experiment, Mapping) else None
    shipped = isinstance(path, str) and Path(path).parent.name in ("experiments", "_experiments")
    target = str(name) if name and shipped else str(path or name or "EXPERIMENT")
    command = ["milieusim", "sweep", target, "--out", directory]
    reps = manifest.get("replications")
    history = manifest.get("history")
    first = history[0].get("replications") if isinstance(history, list) and history else None
    if isinstance(reps, int) and isinstance(first, int) and reps != first:
        command += ["--replications", str(reps)]
    if manifest.get("quick"):
        command.append("--quick")
    return command


def _facts(results: ResultsLike, lang: str) -> list[tuple[str, str]]:
    text = _TEXT[lang]
    manifest = _manifest(results)
    experiment = manifest.get("experiment") or {}
    experiment = experiment if isinstance(experiment, Mapping) else {}
    runs = results.runs
    ok = len(ok_runs(results))
    facts: list[tuple[str, str]] = []
    where = experiment.get("path") or experiment.get("name") or ""
    sha = experiment.get("sha256")
    facts.append((text["experiment"], f"{where}" + (f" (sha256 {sha})" if sha else "")))
    design = manifest.get("design") or {}
    kind = design_kind(results)
    description = design.get("description") if isinstance(design, Mapping) else None
    facts.append((text["design"], str(description or kind)))
    varied = varied_parameters(results)
    facts.append(
        (text["varied"], ", ".join(f"{p} ({param_label(p, lang, unit=False)})" for p in varied))
    )
    points = int(runs["point_id"].nunique()) if len(runs) else 0
    facts.append((text["points"], str(points)))
    reps = manifest.get("replications")
    facts.append((text["replications"], str(reps if reps is not None else "?")))
    facts.append(
        (text["runs"], f"{len(runs)}: " + text["ok_failed"].format(ok=ok, failed=len(runs) - ok))
    )
    if manifest.get("seed") is not None:
        facts.append((text["seed"], str(manifest["seed"])))
    if manifest.get("seeds"):
        facts.append((text["seeds"], str(manifest["seeds"])))
    if manifest.get("steps") is not None:
        facts.append((text["steps"], str(manifest["steps"])))
    scenario = manifest.get("scenario")
    if isinstance(scenario, Mapping) and scenario.get("name"):
        facts.append((text["scenario"], str(scenario["name"])))
    if manifest.get("quick"):
        facts.append((text["quick"], text["yes"]))
    facts.append((text["status"], str(manifest.get("status") or "?")))
    started, finished = manifest.get("started"), manifest.get("finished")
    if started:
        facts.append((text["when"], f"{started} → {finished or '…'}"))
    git = _first(manifest, "git_commit", "git")
    if isinstance(git, Mapping):
        git = " ".join(str(v) for v in git.values())
    facts.append((text["git"], str(git) if git else text["unknown"]))
    lock = _first(manifest, "uv_lock_sha256", "lock_sha256")
    facts.append((text["lock"], str(lock) if lock else text["unknown"]))
    versions = manifest.get("versions")
    if isinstance(versions, Mapping):
        facts.append((text["versions"], ", ".join(f"{k} {v}" for k, v in versions.items())))
    if manifest.get("platform"):
        facts.append((text["platform"], str(manifest["platform"])))
    return facts


def build_report(
    results: ResultsSource,
    *,
    lang: str = "en",
    directory: str | None = None,
    figures: list[tuple[str, bytes]] | None = None,
) -> Report:
    """Gather what the report shows (runs the summary and the indices); ``figures`` are
    (kind, PNG bytes) pairs, as :func:`milieusim.plots.report.default_figures_png` draws
    them (the analysis layer draws nothing itself)."""
    from milieusim.analysis.sensitivity import SENSITIVITY_KINDS, sensitivity_indices
    from milieusim.analysis.summary import summarise

    lang = language(lang)
    res = as_results(results)
    text = _TEXT[lang]
    warnings = results_warnings(res)
    failed = int((res.runs["status"] != "ok").sum()) if "status" in res.runs.columns else 0
    if failed:
        warnings.append(text["failed_runs"].format(k=failed, s="s" if failed > 1 else ""))
    summary = summarise(res)
    ids = list(dict.fromkeys(summary["point_id"]))
    more = max(0, len(ids) - MAX_POINTS)
    summary = summary[summary["point_id"].isin(ids[:MAX_POINTS])]
    indices = None
    method = ""
    kind = design_kind(res)
    if kind in SENSITIVITY_KINDS:
        try:
            indices = sensitivity_indices(res)
            method = {"sobol": "Sobol", "morris": "Morris", "fast": "FAST"}[kind]
        except ResultsError as exc:
            warnings.append(str(exc))
    folder = directory or str(getattr(res, "path", "DIR"))
    return Report(
        title=experiment_title(res, lang),
        facts=_facts(res, lang),
        warnings=warnings,
        summary=summary,
        more_points=more,
        sensitivity=indices,
        sensitivity_method=method,
        figures=list(figures or []),
        command=reproduce_command(res, folder),
        lang=lang,
    )


# --- rendering --------------------------------------------------------------------------------


def _ci(mean: float, low: float, high: float, lang: str) -> str:
    if not math.isfinite(mean):
        return "n/a"
    if not (math.isfinite(low) and math.isfinite(high)):
        return format_number(mean, lang)
    return f"{format_number(mean, lang)} [{format_number(low, lang)}, {format_number(high, lang)}]"


def _summary_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    lang = report.lang
    summary = report.summary
    params = [
        c
        for c in summary.columns
        if c not in ("point_id", "outcome", "n", "failed", "mean", "sd", "ci_low", "ci_high")
    ]
    outcomes = list(dict.fromkeys(summary["outcome"]))
    heads = [_TEXT[lang]["point"], *params, "n", *outcomes]
    rows = []
    for point, group in summary.groupby("point_id", sort=True):
        first = group.iloc[0]
        by = group.set_index("outcome")
        rows.append(
            [
                str(point),
                *(format_value(first[p], lang, param=p) for p in params),
                str(int(by["n"].max())),
                *(
                    _ci(by.loc[o, "mean"], by.loc[o, "ci_low"], by.loc[o, "ci_high"], lang)
                    for o in outcomes
                ),
            ]
        )
    return heads, rows


def _sensitivity_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    lang = report.lang
    table = report.sensitivity
    assert table is not None
    if report.sensitivity_method in ("Sobol", "FAST"):
        heads = ["outcome", _TEXT[lang]["parameter"], "S1 [95% CI]", "ST [95% CI]"]
        rows = [
            [
                r.outcome,
                r.parameter,
                _ci(r.S1, r.S1 - r.S1_conf, r.S1 + r.S1_conf, lang),
                _ci(r.ST, r.ST - r.ST_conf, r.ST + r.ST_conf, lang),
            ]
            for r in table.itertuples()
        ]
    else:
        heads = ["outcome", _TEXT[lang]["parameter"], "mu* [95% CI]", "sigma"]
        rows = [
            [
                r.outcome,
                r.parameter,
                _ci(r.mu_star, r.mu_star_low, r.mu_star_high, lang),
                format_number(r.sigma, lang),
            ]
            for r in table.itertuples()
        ]
    return heads, rows


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: right;
         white-space: nowrap; }
.scroll { overflow-x: auto; }
th:first-child, td:first-child { text-align: left; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dt { font-weight: bold; } dd { margin: 0; overflow-wrap: anywhere; }
.warning { background: #fff4e0; border-left: 4px solid #e69f00; padding: 0.3rem 0.8rem; }
img { max-width: 100%; height: auto; border: 1px solid #eee; margin: 0.5rem 0; }
pre { background: #f4f4f4; padding: 0.6rem; overflow-x: auto; }
"""


def _html_table(heads: list[str], rows: list[list[str]]) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _md_table(heads: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(heads), "|" + "---|" * len(heads), *(line(r) for r in rows)])


def render_report(report: Report, fmt: str = "html") -> str:
    """The report as one HTML page (``html``) or Markdown document (``md``), figures
    embedded as ``data:image/png;base64`` URIs."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: use {', '.join(REPORT_FORMATS)}")
    lang = report.lang
    text = _TEXT[lang]
    esc = html.escape if fmt == "html" else (lambda s: s)
    summary_heads, summary_rows = _summary_rows(report)
    table = _html_table if fmt == "html" else _md_table
    legend = [f"{o}: {outcome_label(o, lang)}" for o in dict.fromkeys(report.summary["outcome"])]
    command = shlex.join(report.command)
    figures = [
        (kind, "data:image/png;base64," + base64.b64encode(data).decode("ascii"))
        for kind, data in report.figures
    ]
    if fmt == "html":
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{lang}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{esc(report.title)}</h1>",
            f"<h2>{text['what']}</h2><dl>",
            *(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in report.facts),
            "</dl>",
            f"<h2>{text['warnings']}</h2>",
            *(
                [f'<p class="warning">{esc(w)}</p>' for w in report.warnings]
                or [f"<p>{text['none']}</p>"]
            ),
            f"<h2>{text['summary']}</h2><p>{esc(text['summary_note'])}</p>",
            table(summary_heads, summary_rows),
            "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in legend) + "</ul>",
        ]
        if report.more_points:
            parts.append(f"<p>{esc(text['more'].format(k=report.more_points))}</p>")
        if report.sensitivity is not None:
            heads, rows = _sensitivity_rows(report)
            parts += [
                f"<h2>{text['sensitivity']}</h2>",
                f"<p>{esc(text['sensitivity_note'].format(method=report.sensitivity_method))}</p>",
                table(heads, rows),
            ]
        parts.append(f"<h2>{text['figures']}</h2>")
        parts += [f'<figure><img alt="{esc(kind)}" src="{uri}"></figure>' for kind, uri in figures]
        parts += [
            f"<h2>{text['reproduce']}</h2>",
            f"<pre><code>{esc(command)}</code></pre>",
            f"<p>{esc(text['reproduce_note'])}</p>",
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"
    lines = [f"# {report.title}", "", f"## {text['what']}", ""]
    lines += [f"- **{k}**: {v}" for k, v in report.facts]
    lines += ["", f"## {text['warnings']}", ""]
    lines += [f"- {w}" for w in report.warnings] or [text["none"]]
    lines += ["", f"## {text['summary']}", "", text["summary_note"], ""]
    lines += [table(summary_heads, summary_rows), ""]
    lines += [f"- {x}" for x in legend]
    if report.more_points:
        lines += ["", text["more"].format(k=report.more_points)]
    if report.sensitivity is not None:
        heads, rows = _sensitivity_rows(report)
        lines += ["", f"## {text['sensitivity']}", ""]
        lines += [text["sensitivity_note"].format(method=report.sensitivity_method), ""]
        lines.append(table(heads, rows))
    lines += ["", f"## {text['figures']}", ""]
    lines += [f"![{kind}]({uri})\n" for kind, uri in figures]
    lines += [f"## {text['reproduce']}", "", "```console", command, "```", ""]
    lines += [text["reproduce_note"], ""]
    return "\n".join(lines)
