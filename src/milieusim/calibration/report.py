"""What a calibration writes besides its generations: the posterior sample, the
per-generation summaries, the marginal and pair plots (house style,
:mod:`milieusim.plots.style`), the posterior predictive table and ``calibration.json``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from milieusim._io import atomic_write, to_plain, write_json
from milieusim._io import versions as _versions
from milieusim.calibration.abc import Generation, weighted_quantiles
from milieusim.calibration.problem import LEVERS, Problem
from milieusim.calibration.run import CalibrationRun, generation_frame, generation_summary
from milieusim.plots.style import PALETTE, RC, new_figure, save_figure
from milieusim.text import param_label

__all__ = [
    "IDENTIFIED",
    "identification",
    "pairs_figure",
    "marginals_figure",
    "predictive_markdown",
    "write_report",
]

IDENTIFIED = 0.5
"""A parameter is identified when its posterior sd is below this share of its prior sd."""


def _label(name: str) -> str:
    label = param_label(name, "en", short=True)
    return f"{label} (mean over organisations)" if name in LEVERS else label


def identification(problem: Problem, posterior: Generation) -> pd.DataFrame:
    """Per parameter: prior mean and sd, posterior median, 90 % interval, mean and sd,
    their ratio and whether it is identified (ratio below :data:`IDENTIFIED`)."""
    rows = []
    w = posterior.weights / posterior.weights.sum()
    for j, prior in enumerate(problem.priors):
        x = posterior.theta[:, j]
        mean = float(w @ x)
        sd = float(math.sqrt(w @ (x - mean) ** 2))
        p05, med, p95 = weighted_quantiles(x, w, [0.05, 0.5, 0.95])
        prior_sd = float(prior.frozen.std())
        rows.append(
            {
                "parameter": prior.name,
                "prior": prior.describe(),
                "prior_mean": float(prior.frozen.mean()),
                "prior_sd": prior_sd,
                "median": med,
                "p05": p05,
                "p95": p95,
                "mean": mean,
                "sd": sd,
                "sd_ratio": sd / prior_sd if prior_sd > 0 else math.nan,
                "identified": bool(sd < IDENTIFIED * prior_sd),
            }
        )
    return pd.DataFrame(rows)


def marginals_figure(problem: Problem, posterior: Generation) -> Figure:
    """One panel per parameter: the weighted posterior histogram over the prior density."""
    n = len(problem.priors)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    with mpl.rc_context(RC):
        fig = new_figure(3.2 * cols, 2.6 * rows)
        axes = fig.subplots(rows, cols, squeeze=False)
        for j, prior in enumerate(problem.priors):
            ax = axes[j // cols][j % cols]
            x = posterior.theta[:, j]
            lo, hi = prior.frozen.ppf([0.001, 0.999])
            ax.hist(
                x,
                bins=15,
                range=(float(lo), float(hi)),
                weights=posterior.weights,
                density=True,
                color=PALETTE[0],
                alpha=0.7,
                label="Posterior",
            )
            grid = np.linspace(lo, hi, 200)
            ax.plot(grid, prior.frozen.pdf(grid), color=PALETTE[1], linestyle="--", label="Prior")
            ax.set_xlabel(_label(prior.name), fontsize="small")
            ax.set_yticks([])
            if j == 0:
                ax.legend(fontsize="small", frameon=False)
        for k in range(n, rows * cols):
            axes[k // cols][k % cols].set_visible(False)
        fig.suptitle(f"Posterior marginals, generation {posterior.index}")
    return fig


def pairs_figure(problem: Problem, posterior: Generation) -> Figure:
    """A pair plot: weighted histograms on the diagonal, particles below it (size by
    weight)."""
    n = len(problem.priors)
    size = 1.7 * n + 0.8
    with mpl.rc_context(RC):
        fig = new_figure(size, size)
        axes = fig.subplots(n, n, squeeze=False)
        w = posterior.weights / posterior.weights.max()
        for i in range(n):
            lo_i, hi_i = problem.priors[i].frozen.ppf([0.001, 0.999])
            for j in range(n):
                ax = axes[i][j]
                if j > i:
                    ax.set_visible(False)
                    continue
                lo_j, hi_j = problem.priors[j].frozen.ppf([0.001, 0.999])
                if i == j:
                    ax.hist(
                        posterior.theta[:, i],
                        bins=12,
                        range=(float(lo_i), float(hi_i)),
                        weights=posterior.weights,
                        color=PALETTE[0],
                    )
                    ax.set_yticks([])
                else:
                    ax.scatter(
                        posterior.theta[:, j],
                        posterior.theta[:, i],
                        s=4 + 16 * w,
                        color=PALETTE[0],
                        alpha=0.6,
                        linewidths=0,
                    )
                    ax.set_ylim(float(lo_i), float(hi_i))
                ax.set_xlim(float(lo_j), float(hi_j))
                ax.tick_params(labelsize="x-small")
                if i == n - 1:
                    ax.set_xlabel(
                        param_label(problem.priors[j].name, "en", short=True, unit=False),
                        fontsize="x-small",
                    )
                if j == 0 and i > 0:
                    ax.set_ylabel(
                        param_label(problem.priors[i].name, "en", short=True, unit=False),
                        fontsize="x-small",
                    )
        fig.suptitle(f"Posterior particles, generation {posterior.index}")
    return fig


def _fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "share":
        return f"{100 * value:.0f} %"
    if kind == "months":
        return f"{value:.1f}"
    return f"{value:+.2f}"


def predictive_markdown(table: pd.DataFrame) -> str:
    """The predictive table as Markdown."""
    lines = [
        "| Target | Answer | Role | Published [95 % interval] "
        "| Predictive median [90 %] | Inside |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        published = _fmt(row.published, row.kind)
        if math.isfinite(row.low):
            published += f" [{_fmt(row.low, row.kind)}, {_fmt(row.high, row.kind)}]"
        predicted = (
            "no model answer"
            if row.runs == 0
            else (
                f"{_fmt(row.median, row.kind)} "
                f"[{_fmt(row.p05, row.kind)}, {_fmt(row.p95, row.kind)}]"
            )
        )
        inside = {True: "inside", False: "outside", None: "—"}[row.inside]
        lines.append(
            f"| `{row.target}` | {row.answer or '—'} | {row.role} | {published} "
            f"| {predicted} | {inside} |"
        )
    return "\n".join(lines) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8, newlines as written)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    atomic_write(path, write)


def write_report(
    out: Path,
    problem: Problem,
    run: CalibrationRun,
    predictive: pd.DataFrame | None,
    table: pd.DataFrame | None,
    *,
    seed: int,
    elapsed: float | None = None,
    executor: str | None = None,
) -> dict[str, Any]:
    """Write the posterior, summaries, figures, predictive check and ``calibration.json``;
    return the JSON's content. The wall time ``elapsed`` (seconds, this invocation) and the
    ``executor``'s label, when given, go to ``timing.json``, apart: they are not
    reproducible."""
    posterior = run.generations[-1]
    frame = generation_frame(posterior, problem.names)
    atomic_write(out / "posterior.parquet", lambda tmp: frame.to_parquet(tmp, index=False))
    summaries = [generation_summary(g, problem.names) for g in run.generations]
    flat = pd.json_normalize(summaries)
    atomic_write(out / "generations.csv", lambda tmp: flat.to_csv(tmp, index=False))
    ident = identification(problem, posterior)
    atomic_write(out / "parameters.csv", lambda tmp: ident.to_csv(tmp, index=False))
    save_figure(marginals_figure(problem, posterior), out / "marginals.png")
    save_figure(pairs_figure(problem, posterior), out / "pairs.png")
    held: dict[str, Any] | None = None
    if predictive is not None and table is not None:
        atomic_write(
            out / "predictive.parquet", lambda tmp: predictive.to_parquet(tmp, index=False)
        )
        atomic_write(out / "predictive.csv", lambda tmp: table.to_csv(tmp, index=False))
        text = predictive_markdown(table)
        write_text(out / "predictive.md", text)
        if problem.held_out is not None:
            row = table.loc[table["target"] == problem.held_out.id].iloc[0]
            held = {
                "target": problem.held_out.id,
                "published": row["published"],
                "median": row["median"],
                "p05": row["p05"],
                "p95": row["p95"],
                "reproduced": row["inside"],
            }
    data = {
        "format": 1,
        "method": "ABC-SMC (Toni et al. 2009; Beaumont et al. 2009 weights and kernel), "
        "milieusim.calibration.abc over milieusim.experiment.executors.map_tasks",
        "seed": seed,
        "seeds": {
            "generation g, proposals": "SeedSequence(seed, spawn_key=(g,))",
            "generation g, candidate i": "SeedSequence(seed, spawn_key=(g, i)), first word >> 1",
            "predictive draw i": "SeedSequence(seed, spawn_key=(1000000, i)), first word >> 1",
            "organisation levers of a run": "SeedSequence(run seed, spawn_key=(1,))",
        },
        "settings": problem.settings(),
        "stopped": run.stopped,
        "simulations": run.simulations,
        "simulations_of_unfinished_generation": run.wasted,
        "resumed_from_generation": run.resumed_from,
        "generations": summaries,
        "parameters": ident.to_dict(orient="records"),
        "identified": [r["parameter"] for r in ident.to_dict(orient="records") if r["identified"]],
        "held_out": held,
        "predictive": None if table is None else table.to_dict(orient="records"),
        "versions": _versions("milieusim", "mesa", "numpy", "scipy", "pandas"),
    }
    write_json(out / "calibration.json", to_plain(data))
    if elapsed is not None:
        write_json(out / "timing.json", {"elapsed_seconds": elapsed, "executor": executor})
    return data


# --- the section of docs/calibration.md ----------------------------------------------------------

BEGIN = "<!-- BEGIN generated by milieusim.calibration.report: the posterior -->"
END = "<!-- END generated by milieusim.calibration.report -->"
FIGURE = "images/calibration-marginals.png"
"""Where the marginals figure goes, relative to the document."""


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    v = float(value)
    return f"{v:.3g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"


def docs_section(
    data: dict[str, Any],
    command: str,
    figure: str | None = FIGURE,
    timing: dict[str, Any] | None = None,
) -> str:
    """The generated section of ``docs/calibration.md`` from a run's ``calibration.json``
    (``data``) and ``timing.json`` (``timing``), the ``command`` that made it, and the
    figure's path if copied."""
    s = data["settings"]
    org = s["organisation"]
    params = data["parameters"]
    identified = [r["parameter"] for r in params if r["identified"]]
    not_identified = [r["parameter"] for r in params if not r["identified"]]
    lines = [
        "### The posterior of the shipped calibration",
        "",
        f"Generated from `calibration.json` of `{command}`"
        + (
            f" ({timing['elapsed_seconds'] / 60:.0f} minutes wall on "
            f"{timing.get('executor') or 'its workers'})"
            if timing and timing.get("elapsed_seconds")
            else ""
        )
        + f"; seed {data['seed']}, milieusim {data['versions'].get('milieusim', '?')}.",
        f"Each candidate: {org['organisations']} organisation(s) of {org['n_staff']} staff in "
        f"{org['n_units']} units over {org['steps']} weeks, levers drawn around their means "
        f"with sd {org['lever_sd']:g}, barometer answers averaged. Population "
        f"{s['population']}, {len(data['generations'])} generation(s) of {s['generations']} "
        f"planned ({data['stopped']}), {data['simulations']} candidates in all; "
        f"{len(s['fitted'])} targets fitted; held out: "
        + (f"`{s['held_out']}`." if s["held_out"] else "none."),
        "",
        "| Parameter | Prior | Prior sd | Posterior median [90 %] | Posterior sd | sd ratio "
        "| Identified |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in params:
        lines.append(
            f"| `{r['parameter']}` | {r['prior']} | {_num(r['prior_sd'])} "
            f"| {_num(r['median'])} [{_num(r['p05'])}, {_num(r['p95'])}] | {_num(r['sd'])} "
            f"| {r['sd_ratio']:.2f} | {'**yes**' if r['identified'] else 'no'} |"
        )
    lines += [
        "",
        f"**Identified** (posterior sd below half the prior's): "
        f"{', '.join(f'`{n}`' for n in identified) or 'none'}. "
        f"**Not identified by these targets**: "
        f"{', '.join(f'`{n}`' for n in not_identified) or 'none'}.",
        "",
        "| Generation | Tolerance | Accepted / simulated | Effective size | Median distance |",
        "|---|---|---|---|---|",
    ]
    for g in data["generations"]:
        eps = g["epsilon"]
        lines.append(
            f"| {g['generation']} | {'∞' if eps is None else f'{eps:.3g}'} "
            f"| {g['accepted']} / {g['simulations']} | {g['effective_size']:.0f} "
            f"| {g['median_distance']:.3g} |"
        )
    held = data.get("held_out")
    if held is not None:
        verdict = {True: "**reproduced**", False: "**not reproduced**", None: "no answer"}[
            held["reproduced"]
        ]
        lines += [
            "",
            f"**Held-out target** `{held['target']}` (not in the fit): published "
            f"{_num(held['published'])}, posterior predictive median {_num(held['median'])}, "
            f"90 % interval [{_num(held['p05'])}, {_num(held['p95'])}]: {verdict}.",
        ]
    if data.get("predictive"):
        table = pd.DataFrame(data["predictive"])
        for col in ("published", "low", "high", "median", "p05", "p95"):
            table[col] = pd.to_numeric(table[col], errors="coerce")
        table["inside"] = [None if v is None else bool(v) for v in data_inside(data)]
        lines += ["", "Posterior predictive check:", "", predictive_markdown(table).rstrip()]
    if figure:
        lines += ["", f"![Posterior marginals over the priors]({figure})"]
    return "\n".join(lines) + "\n"


def data_inside(data: dict[str, Any]) -> list[bool | None]:
    """The ``inside`` verdicts of a ``calibration.json``'s predictive rows."""
    return [row.get("inside") for row in data["predictive"]]


def write_docs(out: Path, document: Path, command: str) -> None:
    """Replace the generated section of ``document`` (between ``BEGIN`` and
    ``END``) with the posterior of the run in ``out``; copy its marginals figure."""
    import json
    import shutil

    data = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    timing_path = out / "timing.json"
    timing = json.loads(timing_path.read_text(encoding="utf-8")) if timing_path.is_file() else None
    text = document.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{document}: no generated section ({BEGIN} … {END})")
    figure = document.parent / FIGURE
    figure.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out / "marginals.png", figure)
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    section = docs_section(data, command, timing=timing)
    write_text(document, head + BEGIN + "\n" + section + END + tail)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    import sys

    if len(sys.argv) != 4:
        sys.exit("usage: python -m milieusim.calibration.report OUT DOCUMENT 'COMMAND'")
    write_docs(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
