"""Per design point summaries of run outcomes: n, mean, standard deviation, confidence
interval of the mean (Student t)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd

from milieusim.analysis.outcomes import resolve_outcomes, run_outcomes
from milieusim.analysis.results import (
    ResultsSource,
    as_results,
    point_table,
    varied_parameters,
)
from milieusim.analysis.stats import t_half_width
from milieusim.text import (
    format_mean_ci,
    format_value,
    language,
    legend,
    outcome_bounds,
    outcome_label,
)

__all__ = ["SUMMARY_COLUMNS", "format_summary", "mean_ci", "summarise"]

SUMMARY_COLUMNS: tuple[str, ...] = ("outcome", "n", "failed", "mean", "sd", "ci_low", "ci_high")
"""Columns of :func:`summarise` after ``point_id`` and the varied parameters."""


def mean_ci(values: Iterable[float], level: float = 0.95) -> tuple[int, float, float, float]:
    """``(n, mean, sd, half-width)`` of the ``level`` confidence interval of the mean of the
    finite ``values``: ``t_{(1+level)/2, n-1} · sd / √n`` with the sample sd (ddof 1).

    The sd and half-width are NaN for fewer than two values, the mean for none.
    """
    x = np.asarray(list(values), dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    mean = float(x.mean()) if n else float("nan")
    if n < 2:
        return n, mean, float("nan"), float("nan")
    sd = float(x.std(ddof=1))
    return n, mean, sd, float(t_half_width(sd, n, level))


def summarise(
    results: ResultsSource, outcomes: Iterable[str] | str | None = None, *, level: float = 0.95
) -> pd.DataFrame:
    """Summarise each outcome at each design point, over its ok runs.

    Returns one row per (outcome, point), grouped by outcome in the order asked, points
    in ``point_id`` order: ``point_id``, the varied parameters, ``outcome``, ``n`` (ok runs
    with a finite value), ``failed`` (runs of the point not ok), ``mean``, ``sd`` (sample,
    ddof 1), ``ci_low``/``ci_high`` (``level`` Student t interval of the mean, clipped to
    the outcome's range of possible values, e.g. [0, 1] for a share; NaN when n < 2).
    ``outcomes`` defaults to :func:`~milieusim.analysis.outcomes.default_outcomes`.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    res = as_results(results)
    names = resolve_outcomes(res, outcomes)
    values = run_outcomes(res, names)
    points = point_table(res).drop(columns=["runs"])
    long = values.melt(id_vars=["run_id", "point_id"], value_vars=names, var_name="outcome")
    long = long[np.isfinite(long["value"].to_numpy(dtype=float))]
    grouped = long.groupby(["outcome", "point_id"], sort=False)["value"]
    stats_ = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    index = pd.MultiIndex.from_product([names, points["point_id"]], names=["outcome", "point_id"])
    stats_ = stats_.set_index(["outcome", "point_id"]).reindex(index).reset_index()
    stats_["n"] = stats_["n"].fillna(0).astype(int)
    half = t_half_width(stats_["sd"].to_numpy(), stats_["n"].to_numpy(), level)
    stats_["ci_low"] = stats_["mean"] - half
    stats_["ci_high"] = stats_["mean"] + half
    for name in names:
        low, high = outcome_bounds(name)
        rows = stats_["outcome"] == name
        if low is not None:
            stats_.loc[rows, "ci_low"] = stats_.loc[rows, "ci_low"].clip(lower=low)
        if high is not None:
            stats_.loc[rows, "ci_high"] = stats_.loc[rows, "ci_high"].clip(upper=high)
    table = stats_.merge(points, on="point_id", how="left")
    params = varied_parameters(res)
    return table[["point_id", *params, *SUMMARY_COLUMNS]].reset_index(drop=True)


# --- printing ------------------------------------------------------------------------------------

_TEXT = {
    "en": {
        "point": "point",
        "n": "n",
        "legend": "Each cell: mean ± half-width of the 95% "
        "confidence interval of the mean over the n ok runs of the point.",
        "more": "… {k} more points (all in {file})",
        "failed": "{k} failed run{s} left out (point{ps} {points}).",
    },
    "fr": {
        "point": "point",
        "n": "n",
        "legend": "Chaque case : moyenne ± demi-largeur de "
        "l'intervalle de confiance à 95\u00a0% de la moyenne sur les n simulations "
        "réussies du point.",
        "more": "… {k} points de plus (tous dans {file})",
        "failed": "{k} simulation{s} en échec écartée{s} (point{ps} {points}).",
    },
}


def format_summary(
    summary: pd.DataFrame,
    lang: str = "en",
    *,
    width: int = 88,
    max_rows: int = 30,
    file: str = "summary.csv",
) -> str:
    """An aligned text table of :func:`summarise`'s output: one row per point (the first
    ``max_rows``) with the varied parameters, n and 'mean ± CI half-width' per outcome.

    Outcomes that do not fit in ``width`` continue in further blocks keyed by the point
    number; a legend gives each outcome's label in ``lang``.
    """
    lang = language(lang)
    text = _TEXT[lang]
    names = list(dict.fromkeys(summary["outcome"]))
    params = [c for c in summary.columns if c not in ("point_id", *SUMMARY_COLUMNS)]
    wide = summary.pivot(index="point_id", columns="outcome")
    point_ids = list(wide.index)
    shown_ids = point_ids[:max_rows]
    firsts = summary.drop_duplicates("point_id").set_index("point_id")

    def n_text(pid: int) -> str:
        ns = wide["n"].loc[pid]
        low, high = int(ns.min()), int(ns.max())
        return str(low) if low == high else f"{low}–{high}"

    first_heads = [text["point"], *params, text["n"]]
    first_rows = [
        [str(pid), *(format_value(firsts.loc[pid, p], lang) for p in params), n_text(pid)]
        for pid in shown_ids
    ]
    cells: dict[str, list[str]] = {}
    for name in names:
        mean, low, high = wide["mean"][name], wide["ci_low"][name], wide["ci_high"][name]
        cells[name] = [
            format_mean_ci(
                mean.loc[pid],
                max(mean.loc[pid] - low.loc[pid], high.loc[pid] - mean.loc[pid]),
                lang,
            )
            for pid in shown_ids
        ]
    widths = {name: max(len(name), *(len(c) for c in cells[name])) for name in names}

    def key_width(heads: list[str], rows: list[list[str]]) -> list[int]:
        return [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]

    blocks: list[tuple[list[str], list[list[str]], list[str]]] = []
    heads, rows = first_heads, first_rows
    block: list[str] = []
    used = sum(key_width(heads, rows)) + 2 * (len(heads) - 1)
    for name in names:
        if block and used + 2 + widths[name] > width:
            blocks.append((heads, rows, block))
            heads, rows, block = [text["point"]], [[str(pid)] for pid in shown_ids], []
            used = max(len(text["point"]), *(len(r[0]) for r in rows))
        block.append(name)
        used += 2 + widths[name]
    blocks.append((heads, rows, block))

    lines: list[str] = []
    for heads, rows, block in blocks:
        key_widths = key_width(heads, rows)
        if lines:
            lines.append("")
        for i, key in enumerate([heads, *rows]):
            right = block if i == 0 else [cells[b][i - 1] for b in block]
            parts = [v.rjust(w) for v, w in zip(key, key_widths, strict=True)]
            parts += [v.rjust(widths[b]) for v, b in zip(right, block, strict=True)]
            lines.append("  ".join(parts).rstrip())
    if len(point_ids) > len(shown_ids):
        lines.append(text["more"].format(k=len(point_ids) - len(shown_ids), file=file))
    failed = firsts["failed"]
    if failed.sum():
        where = [str(p) for p in failed.index[failed > 0]]
        k = int(failed.sum())
        lines.append(
            text["failed"].format(
                k=k,
                s="s" if k > 1 else "",
                ps="s" if len(where) > 1 else "",
                points=", ".join(where[:10]) + (", …" if len(where) > 10 else ""),
            )
        )
    lines.append("")
    lines += textwrap.wrap(text["legend"], width)
    lines += legend(names, lambda name: outcome_label(name, lang), width)
    return "\n".join(lines)
