"""Global sensitivity indices through SALib: Sobol, Morris and classic FAST on their own
designs, and RBD-FAST, PAWN and delta (Borgonovo's moment-independent index) on any sampled
design (lhs, sobol, morris, fast): they need only the points' parameter values and outputs.

The model output ``Y`` of each design point is the mean of the outcome over the point's
ok replications, in ``point_id`` order, which is the order of the SALib sample. Resampled
confidence intervals use a fixed seed (the experiment's), so the indices are reproducible.
Sobol's second-order indices, when the design asked for them, are in
:func:`second_order_indices`. Indices of a weekly reporter at every k-th week are in
:func:`indices_over_time`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from milieusim.analysis.outcomes import resolve_outcomes, run_outcomes
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    design,
    design_kind,
    design_setting,
    ok_runs,
)
from milieusim.measures import REPORTERS
from milieusim.text import (
    decimal,
    format_number,
    language,
    legend,
    outcome_label,
    param_label,
)

__all__ = [
    "INDEX_COLUMNS",
    "MAIN_INDEX",
    "METHODS",
    "SAMPLED_KINDS",
    "SENSITIVITY_KINDS",
    "format_over_time",
    "format_sensitivity",
    "indices_over_time",
    "point_means",
    "second_order_indices",
    "sensitivity_indices",
]

SENSITIVITY_KINDS: tuple[str, ...] = ("sobol", "morris", "fast")
"""Design kinds with indices of their own (Sobol's, Morris', FAST's): the report and the
sensitivity figure show these."""

SAMPLED_KINDS: tuple[str, ...] = ("sobol", "morris", "fast", "lhs")
"""Design kinds that have sensitivity indices (RBD-FAST, PAWN, delta on any of them)."""

METHODS: dict[str, tuple[str, ...]] = {
    "sobol": ("sobol",),
    "morris": ("morris",),
    "fast": ("fast",),
    "rbd_fast": ("lhs", "sobol", "morris", "fast"),
    "pawn": ("lhs", "sobol", "morris", "fast"),
    "delta": ("lhs", "sobol", "morris", "fast"),
}
"""Each method, with the design kinds it works on."""

DEFAULT_METHOD: dict[str, str] = {
    "sobol": "sobol",
    "morris": "morris",
    "fast": "fast",
    "lhs": "rbd_fast",
}
"""The method used for each design kind unless another is asked for."""

INDEX_COLUMNS: dict[str, tuple[str, ...]] = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "fast": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "mu_star_low", "mu_star_high", "sigma"),
    "rbd_fast": ("S1", "S1_conf"),
    "pawn": ("minimum", "mean", "median", "maximum", "CV"),
    "delta": ("delta", "delta_conf", "S1", "S1_conf"),
}
"""The index columns of :func:`sensitivity_indices`'s output, per method. For Morris,
``mu_star_low``/``mu_star_high`` bound the interval ``mu_star ± mu_star_conf`` clipped at
0 (mu* is a mean of absolute values: it cannot be negative). PAWN's are statistics of
the Kolmogorov–Smirnov distances over its conditioning slices (SALib gives no interval:
``CV``, their coefficient of variation, says how stable they are)."""

MAIN_INDEX: dict[str, tuple[str, str | None]] = {
    "sobol": ("ST", "ST_conf"),
    "fast": ("ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf"),
    "rbd_fast": ("S1", "S1_conf"),
    "delta": ("delta", "delta_conf"),
    "pawn": ("median", None),
}
"""The index shown over time for each method, and its confidence half-width (PAWN has
none)."""


def default_method(kind: str) -> str:
    """The method :func:`sensitivity_indices` uses for a design ``kind`` by default."""
    return DEFAULT_METHOD[kind]


def point_means(results: ResultsLike, outcome: str) -> pd.Series:
    """The outcome's mean over ok replications per design point, indexed by every
    ``point_id`` of the runs (NaN where a point has no ok run with a value)."""
    values = run_outcomes(results, [outcome])
    means = values.groupby("point_id", sort=True)[outcome].mean()
    every = pd.Index(np.sort(results.runs["point_id"].unique()), name="point_id")
    return means.reindex(every)


def _problem(results: ResultsLike) -> dict[str, Any]:
    problem = design(results).get("problem")
    if not isinstance(problem, Mapping) or "names" not in problem or "bounds" not in problem:
        raise ResultsError("the manifest's design has no SALib problem (names and bounds)")
    problem = dict(problem)
    problem["names"] = list(problem["names"])
    problem["bounds"] = [list(map(float, b)) for b in problem["bounds"]]
    problem.setdefault("num_vars", len(problem["names"]))
    return problem


def _seed(results: ResultsLike, seed: int | None) -> int:
    if seed is not None:
        return int(seed)
    manifest_seed = results.manifest.get("seed") if isinstance(results.manifest, Mapping) else None
    return int(manifest_seed) if isinstance(manifest_seed, int) else 0


def sensitivity_indices(
    results: ResultsSource,
    outcomes: Iterable[str] | str | None = None,
    *,
    seed: int | None = None,
    num_resamples: int = 100,
    level: float = 0.95,
    method: str | None = None,
) -> pd.DataFrame:
    """Sobol (S1, ST), Morris (mu, mu*, sigma), RBD-FAST (S1), PAWN (KS statistics) or
    delta (delta, S1) indices of each outcome; ``method`` defaults to the design's
    (:data:`METHODS`).

    One row per (outcome, parameter), parameters in the problem's order: ``method``,
    ``outcome``, ``parameter``, the :data:`INDEX_COLUMNS` of the method (``*_conf``: half
    width of the ``level`` bootstrap interval), and ``note`` (why indices are NaN: an
    outcome constant over the design, or points without a value). ``seed`` defaults to
    the experiment's seed. Raises :class:`.ResultsError` for other designs, or when some
    design point has no ok run (the estimators need the whole sample).
    """
    res = as_results(results)
    kind = _method(res, method)
    names = resolve_outcomes(res, outcomes)
    problem, x, all_points = _sample(res, kind, names[0])
    rng_seed = _seed(res, seed)
    rows: list[dict[str, Any]] = []
    for name in names:
        y = point_means(res, name).to_numpy(dtype=float)
        rows += _index_rows(kind, problem, res, x, y, rng_seed, num_resamples, level, name)
    return pd.DataFrame(
        rows, columns=["method", "outcome", "parameter", *INDEX_COLUMNS[kind], "note"]
    )


def indices_over_time(
    results: ResultsSource,
    reporter: str = "adoption_share",
    *,
    every: int | None = None,
    seed: int | None = None,
    num_resamples: int = 100,
    level: float = 0.95,
    method: str | None = None,
) -> pd.DataFrame:
    """The sensitivity indices of a weekly ``reporter`` at every ``every``-th kept week
    (default: about 10 weeks evenly spread over the run): at each week, ``Y`` is each
    design point's mean of the reporter that week over its ok replications.

    The columns of :func:`sensitivity_indices` with ``week`` after ``outcome`` (the
    reporter's name), one row per (week, parameter). Week 0 is left out (every point
    starts from the same state). Needs a sweep that kept the reporter's time series.
    """
    res = as_results(results)
    kind = _method(res, method)
    frame = res.timeseries
    if frame is None or len(frame) == 0 or reporter not in frame.columns:
        kept = [c for c in (frame.columns if frame is not None else []) if c in REPORTERS]
        raise ResultsError(
            f"indices over time need the time series of {reporter!r}; this sweep kept "
            + (", ".join(kept) if kept else "no time series")
        )
    if every is not None and every < 1:
        raise ResultsError(f"every = {every}: expected a number of weeks >= 1")
    ok = ok_runs(res)[["run_id", "point_id"]]
    series = frame[["run_id", "step", reporter]].merge(ok, on="run_id", how="inner")
    kept_weeks = np.sort(series["step"].unique())
    kept_weeks = kept_weeks[kept_weeks > 0]
    if len(kept_weeks) == 0:
        raise ResultsError("indices over time need weeks after week 0 in the time series")
    if every is None:
        stride = max(1, math.ceil(len(kept_weeks) / 10))
        weeks = kept_weeks[stride - 1 :: stride]
    else:
        weeks = kept_weeks[(kept_weeks % every) == 0]
        if len(weeks) == 0:
            raise ResultsError(
                f"every = {every}: no kept week is a multiple of it (kept: "
                f"{int(kept_weeks[0])}, {int(kept_weeks[1]) if len(kept_weeks) > 1 else ''}…)"
            )
    if kept_weeks[-1] not in weeks:
        weeks = np.append(weeks, kept_weeks[-1])  # always the last week
    problem, x, all_points = _sample(res, kind, None)
    means = (
        series[series["step"].isin(weeks)]
        .groupby(["step", "point_id"], sort=True)[reporter]
        .mean()
        .unstack("point_id")
        .reindex(columns=all_points)
    )
    rng_seed = _seed(res, seed)
    rows: list[dict[str, Any]] = []
    for week, y in means.iterrows():
        found = _index_rows(
            kind,
            problem,
            res,
            x,
            y.to_numpy(dtype=float),
            rng_seed,
            num_resamples,
            level,
            reporter,
        )
        rows += [{**row, "week": int(week)} for row in found]
    columns = ["method", "outcome", "week", "parameter", *INDEX_COLUMNS[kind], "note"]
    return pd.DataFrame(rows, columns=columns)


def _method(res: ResultsLike, method: str | None) -> str:
    """The method asked for (or the design's), checked against the design kind."""
    design_kind_ = design_kind(res)
    if design_kind_ not in SAMPLED_KINDS:
        raise ResultsError(
            "sensitivity indices need a sobol, morris or fast design (or lhs, for rbd_fast, "
            f"pawn and delta); this experiment's design is {design_kind_!r}"
        )
    kind = method or default_method(design_kind_)
    if kind not in METHODS:
        raise ResultsError(f"--method {kind}: not a method; methods: {', '.join(METHODS)}")
    if design_kind_ not in METHODS[kind]:
        raise ResultsError(
            f"--method {kind}: needs a {' or '.join(METHODS[kind])} design; this "
            f"experiment's design is {design_kind_!r}"
        )
    return kind


def _sample(
    res: ResultsLike, kind: str, outcome: str | None
) -> tuple[dict[str, Any], np.ndarray | None, np.ndarray]:
    """The SALib problem, the parameter matrix X (None for Sobol, which needs only Y) and
    every point id; :class:`ResultsError` if some design point has no ok run (with a
    value of ``outcome``, if given)."""
    problem = _problem(res)
    all_points = np.sort(res.runs["point_id"].unique())
    if outcome is not None:
        present = run_outcomes(res, [outcome]).groupby("point_id").size().index
    else:
        present = pd.Index(ok_runs(res)["point_id"].unique())
    missing = [int(p) for p in all_points if p not in present]
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (", …" if len(missing) > 5 else "")
        raise ResultsError(
            f"{kind} indices need every design point, but {len(missing)} "
            f"point{'s' if len(missing) > 1 else ''} ({shown}) "
            "have no ok run"
            if len(missing) > 1
            else f"{kind} indices need every design point, but point {shown} has no ok run"
        )
    x = None
    if kind not in ("sobol", "fast"):
        firsts = res.runs.groupby("point_id", sort=True)[problem["names"]].first()
        x = firsts.reindex(all_points).to_numpy(dtype=float)
    return problem, x, all_points


def _index_rows(
    kind: str,
    problem: dict[str, Any],
    res: ResultsLike,
    x: np.ndarray | None,
    y: np.ndarray,
    seed: int,
    num_resamples: int,
    level: float,
    outcome: str,
) -> list[dict[str, Any]]:
    """One row per parameter: the indices of ``y`` (NaN with a note when it is constant
    or has missing values)."""
    note = ""
    if not np.all(np.isfinite(y)):
        note = f"no value at {int(np.sum(~np.isfinite(y)))} points"
    elif np.ptp(y) == 0:
        note = "constant"
    indices: dict[str, Any] = {}
    if not note:
        indices = _analyse(kind, problem, res, x, y, seed, num_resamples, level)
        if kind == "morris":
            star, conf = np.asarray(indices["mu_star"]), np.asarray(indices["mu_star_conf"])
            indices["mu_star_low"] = np.maximum(star - conf, 0.0)
            indices["mu_star_high"] = star + conf
    rows = []
    for i, parameter in enumerate(problem["names"]):
        row: dict[str, Any] = {"method": kind, "outcome": outcome, "parameter": parameter}
        for column in INDEX_COLUMNS[kind]:
            row[column] = float(indices[column][i]) if indices else math.nan
        row["note"] = note
        rows.append(row)
    return rows


def _analyse(
    kind: str,
    problem: dict[str, Any],
    res: ResultsLike,
    x: np.ndarray | None,
    y: np.ndarray,
    seed: int,
    num_resamples: int,
    level: float,
) -> dict[str, Any]:
    from SALib.analyze import delta, fast, morris, pawn, rbd_fast, sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # SALib: "constant values encountered"
        try:
            if kind == "sobol":
                second_order = bool(design_setting(res, "second_order", True))
                return sobol.analyze(
                    problem,
                    y,
                    calc_second_order=second_order,
                    num_resamples=num_resamples,
                    conf_level=level,
                    seed=seed,
                )
            if kind == "fast":
                m = int(design_setting(res, "m", 4))
                return dict(
                    fast.analyze(
                        problem, y, M=m, num_resamples=num_resamples, conf_level=level, seed=seed
                    )
                )
            if kind == "rbd_fast":
                return dict(
                    rbd_fast.analyze(
                        problem,
                        x,
                        y,
                        M=_harmonics(len(y)),
                        num_resamples=num_resamples,
                        conf_level=level,
                        seed=seed,
                    )
                )
            if kind == "pawn":
                return dict(pawn.analyze(problem, x, y, S=_pawn_slices(len(y)), seed=seed))
            if kind == "delta":
                warnings.simplefilter("ignore")  # SALib's bin-merging notices
                found = dict(
                    delta.analyze(
                        problem, x, y, num_resamples=num_resamples, conf_level=level, seed=seed
                    )
                )
                if "delta" not in found:  # SALib ≥ 1.5: the classic estimator is delta_raw
                    found["delta"], found["delta_conf"] = (
                        found["delta_raw"],
                        found["delta_raw_conf"],
                    )
                return found
            levels = int(design_setting(res, "levels", 4))
            return morris.analyze(
                problem,
                x,
                y,
                num_resamples=num_resamples,
                conf_level=level,
                num_levels=levels,
                seed=seed,
            )
        except (RuntimeError, ValueError, ZeroDivisionError) as exc:  # e.g. too small a sample
            raise ResultsError(f"{kind} analysis failed: {exc}") from None


def _harmonics(points: int) -> int:
    """RBD-FAST's harmonics M: SALib's 10, fewer for small samples (its bootstrap resamples
    half the points, and its bias correction needs 2M below that)."""
    return max(1, min(10, points // 8))


def _pawn_slices(points: int) -> int:
    """PAWN's conditioning slices: SALib's 10, fewer for small samples (≥ 5 points each)."""
    return max(2, min(10, points // 5))


def second_order_indices(
    results: ResultsSource,
    outcomes: Iterable[str] | str | None = None,
    *,
    seed: int | None = None,
    num_resamples: int = 100,
    level: float = 0.95,
) -> pd.DataFrame:
    """Sobol's second-order indices S2 of each pair of parameters, for a sobol design run
    with ``second_order = true``: one row per (outcome, pair) with ``parameter_1``,
    ``parameter_2``, ``S2`` and ``S2_conf``. Empty for a design without them."""
    res = as_results(results)
    columns = ["outcome", "parameter_1", "parameter_2", "S2", "S2_conf"]
    if design_kind(res) != "sobol" or not bool(design_setting(res, "second_order", False)):
        return pd.DataFrame(columns=columns)
    problem = _problem(res)
    names = resolve_outcomes(res, outcomes)
    rows = []
    for name in names:
        y = point_means(res, name).to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        indices = _analyse("sobol", problem, res, None, y, _seed(res, seed), num_resamples, level)
        s2, conf = np.asarray(indices["S2"]), np.asarray(indices["S2_conf"])
        for i, first in enumerate(problem["names"]):
            for j in range(i + 1, len(problem["names"])):
                rows.append(
                    {
                        "outcome": name,
                        "parameter_1": first,
                        "parameter_2": problem["names"][j],
                        "S2": float(s2[i, j]),
                        "S2_conf": float(conf[i, j]),
                    }
                )
    return pd.DataFrame(rows, columns=columns)


# --- printing ------------------------------------------------------------------------------------

_HEADS: dict[str, dict[str, tuple[str, ...]]] = {
    "sobol": {
        "en": ("outcome", "parameter", "S1", "ST"),
        "fr": ("indicateur", "paramètre", "S1", "ST"),
    },
    "fast": {
        "en": ("outcome", "parameter", "S1", "ST"),
        "fr": ("indicateur", "paramètre", "S1", "ST"),
    },
    "morris": {
        "en": ("outcome", "parameter", "mu*", "sigma", "mu"),
        "fr": ("indicateur", "paramètre", "mu*", "sigma", "mu"),
    },
}
_HEADS.update(
    {
        "rbd_fast": {"en": ("outcome", "parameter", "S1"), "fr": ("indicateur", "paramètre", "S1")},
        "delta": {
            "en": ("outcome", "parameter", "delta", "S1"),
            "fr": ("indicateur", "paramètre", "delta", "S1"),
        },
        "pawn": {
            "en": ("outcome", "parameter", "median", "min", "max", "CV"),
            "fr": ("indicateur", "paramètre", "médiane", "min", "max", "CV"),
        },
    }
)
_TITLE = {
    "fast": {
        "en": "FAST (extended) indices: first order S1 and total ST, ± half-width of the 95% "
        "confidence interval (bootstrap)",
        "fr": "Indices FAST (étendu) : premier ordre S1 et total ST, ± demi-largeur de "
        "l'intervalle de confiance à 95\u00a0% (bootstrap)",
    },
    "rbd_fast": {
        "en": "RBD-FAST first-order indices S1, ± half-width of the 95% confidence interval "
        "(bootstrap)",
        "fr": "Indices de premier ordre S1 par RBD-FAST, ± demi-largeur de l'intervalle de "
        "confiance à 95\u00a0% (bootstrap)",
    },
    "delta": {
        "en": "Borgonovo's delta (moment-independent) and first-order S1, ± half-width of "
        "the 95% confidence interval (bootstrap)",
        "fr": "Delta de Borgonovo (indépendant des moments) et S1 de premier ordre, ± "
        "demi-largeur de l'intervalle de confiance à 95\u00a0% (bootstrap)",
    },
    "pawn": {
        "en": "PAWN: Kolmogorov–Smirnov distances between the output's distribution and its "
        "distributions given each parameter's slice (median, min, max over slices; CV: "
        "their coefficient of variation; no interval)",
        "fr": "PAWN\u00a0: distances de Kolmogorov–Smirnov entre la loi de l'indicateur et ses "
        "lois sachant chaque tranche du paramètre (médiane, min, max sur les tranches\u00a0; "
        "CV\u00a0: leur coefficient de variation\u00a0; pas d'intervalle)",
    },
    "sobol": {
        "en": "Sobol indices: first order S1 and total ST, ± half-width of the 95% "
        "confidence interval (bootstrap)",
        "fr": "Indices de Sobol : premier ordre S1 et total ST, ± demi-largeur de "
        "l'intervalle de confiance à 95\u00a0% (bootstrap)",
    },
    "morris": {
        "en": "Morris elementary effects: mu* (mean absolute effect, [its 95% "
        "confidence interval], which stops at 0), sigma (spread), mu (signed "
        "mean), in the outcome's unit",
        "fr": "Effets élémentaires de Morris : mu* (effet absolu moyen, [son "
        "intervalle de confiance à 95\u00a0%], qui s'arrête à 0), sigma "
        "(dispersion), mu (moyenne signée), dans l'unité de l'indicateur",
    },
}
_NOTES = {
    "en": {"constant": "constant over the design: no index"},
    "fr": {"constant": "constant sur tout le plan : pas d'indice"},
}


def format_sensitivity(
    table: pd.DataFrame, lang: str = "en", *, width: int = 88, outcome_legend: bool = True
) -> str:
    """An aligned text table of :func:`sensitivity_indices`'s output, grouped by outcome,
    followed by the labels of the parameters (and of the outcomes, if
    ``outcome_legend``)."""
    import textwrap

    lang = language(lang)
    if table.empty:
        return ""
    kind = str(table["method"].iloc[0])
    heads = _HEADS[kind][lang]
    rows: list[list[str]] = []
    for name, group in table.groupby("outcome", sort=False):
        first = True
        for _, r in group.iterrows():
            label = str(name) if first else ""
            if r["note"]:
                note = _NOTES[lang].get(r["note"], r["note"])
                rows.append([label, f"({note})"])
                break
            if kind in ("sobol", "fast"):
                cells = [_pm(r["S1"], r["S1_conf"], lang), _pm(r["ST"], r["ST_conf"], lang)]
            elif kind == "rbd_fast":
                cells = [_pm(r["S1"], r["S1_conf"], lang)]
            elif kind == "delta":
                cells = [_pm(r["delta"], r["delta_conf"], lang), _pm(r["S1"], r["S1_conf"], lang)]
            elif kind == "pawn":
                cells = [format_number(r[c], lang) for c in ("median", "minimum", "maximum", "CV")]
            else:
                cells = [
                    _interval(r["mu_star"], r["mu_star_low"], r["mu_star_high"], lang),
                    format_number(r["sigma"], lang),
                    format_number(r["mu"], lang),
                ]
            rows.append([label, str(r["parameter"]), *cells])
            first = False
    widths = [
        max(len(h), *(len(r[i]) for r in rows if len(r) > i and len(r) == len(heads)))
        for i, h in enumerate(heads)
    ]

    def fmt(cells: list[str]) -> str:
        if len(cells) < len(heads):  # a note
            return f"{cells[0]:<{widths[0]}}  {cells[1]}"
        parts = [f"{cells[0]:<{widths[0]}}", f"{cells[1]:<{widths[1]}}"]
        parts += [c.rjust(w) for c, w in zip(cells[2:], widths[2:], strict=True)]
        return "  ".join(parts).rstrip()

    lines = textwrap.wrap(_TITLE[kind][lang], width)
    lines.append(fmt(list(heads)))
    lines += [fmt(r) for r in rows]
    lines.append("")
    lines += legend(dict.fromkeys(table["parameter"]), lambda p: param_label(p, lang), width)
    if outcome_legend:
        lines += legend(dict.fromkeys(table["outcome"]), lambda o: outcome_label(o, lang), width)
    return "\n".join(lines)


def format_over_time(table: pd.DataFrame, lang: str = "en", *, width: int = 88) -> str:
    """An aligned text table of :func:`indices_over_time`'s output: one row per parameter,
    one column per week, the method's main index (:data:`MAIN_INDEX`; intervals in the
    CSV)."""
    import textwrap

    lang = language(lang)
    if table.empty:
        return ""
    kind = str(table["method"].iloc[0])
    index, conf = MAIN_INDEX[kind]
    outcome = str(table["outcome"].iloc[0])
    shown = index.replace("_star", "*")
    title = {
        "en": f"{shown} ({kind}) of each parameter on {outcome}, week by week"
        + (f" (95% intervals: {conf} in the CSV)" if conf else ""),
        "fr": f"{shown} ({kind}) de chaque paramètre sur {outcome}, semaine par semaine"
        + (f" (intervalles à 95\u00a0%\u00a0: {conf} dans le CSV)" if conf else ""),
    }[lang]
    grid = table.pivot(index="parameter", columns="week", values=index)
    grid = grid.reindex(list(dict.fromkeys(table["parameter"])))
    weeks = [int(w) for w in grid.columns]
    name_width = max(len(p) for p in grid.index)
    cells = [[_fixed(float(v), lang) for v in row] for row in grid.to_numpy(dtype=float)]
    cell_width = max(5, *(len(str(w)) for w in weeks), *(len(c) for r in cells for c in r))
    head = "semaine" if lang == "fr" else "week"
    lines = textwrap.wrap(title, width)
    lines.append(f"{head:<{name_width}}  " + " ".join(f"{w:>{cell_width}}" for w in weeks))
    for name, row in zip(grid.index, cells, strict=True):
        lines.append(f"{name:<{name_width}}  " + " ".join(f"{c:>{cell_width}}" for c in row))
    notes = table[table["note"] != ""].drop_duplicates("week")
    for reason, group in notes.groupby("note", sort=False):
        at = ", ".join(str(int(w)) for w in group["week"])
        label = _NOTES[lang].get(str(reason), str(reason))
        lines += textwrap.wrap(
            f"n/a ({'semaines' if lang == 'fr' else 'weeks'} {at}): {label}", width
        )
    return "\n".join(lines)


def _interval(value: float, low: float, high: float, lang: str) -> str:
    """'value [low, high]' (three significant digits; ';' between the bounds in French,
    where ',' is the decimal mark)."""
    if value is None or math.isnan(value):
        return "n/a"
    sep = ";" if lang == "fr" else ","
    return (
        f"{format_number(value, lang)} [{format_number(low, lang)}{sep} "
        f"{format_number(high, lang)}]"
    )


def _pm(value: float, conf: float, lang: str) -> str:
    """A Sobol index ± its confidence half-width, two decimals."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{_fixed(value, lang)} ± {_fixed(conf, lang)}"


def _fixed(x: float, lang: str, decimals: int = 2) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    text = f"{x:.{decimals}f}"
    if text in ("-0.00", "-0.0"):
        text = text[1:]
    return decimal(text, lang)
