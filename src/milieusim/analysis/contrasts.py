"""Paired contrasts: differences between conditions run on common random numbers.

Replication *k* of every design point runs with the same seed (common random numbers),
so the runs of two conditions are *paired by replication*: most of the chance that
separates two runs cancels in their difference. A contrast ``PARAM=A:B`` takes, for each
replication, the difference ``outcome(B) − outcome(A)`` between the runs that agree on
every other varied parameter, averages it over those other parameters (so each
replication gives one difference), and reports the mean difference with a Student t
interval over replications (``scipy.stats.ttest_1samp``). With ``by``, one contrast per
level of ``by``, plus the *interaction*: the difference between the contrast at the last
and at the first level of ``by``, also paired by replication.

Beside each paired interval is the *unpaired* one (Welch, as if the runs of A and B had
different seeds): the ratio of their widths is what the pairing buys. With two
conditions and replication fixed effects, the paired interval is the one an OLS with
replication fixed effects gives (``y ~ C(condition) + C(replication)``); a test checks
this against statsmodels.

:func:`replications_needed` says how many replications give a contrast's interval a
chosen half-width, from the sd of the paired differences already run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from milieusim.analysis.outcomes import available_outcomes, resolve_outcomes, run_outcomes
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    check_parameter,
    ok_runs,
    point_table,
    varied_parameters,
)
from milieusim.analysis.stats import t_half_width, t_interval
from milieusim.measures import MEASURES
from milieusim.params import PARAMETERS
from milieusim.text import format_value

__all__ = [
    "CONTRAST_COLUMNS",
    "Contrast",
    "baseline_contrasts",
    "contrasts",
    "format_contrasts",
    "parse_contrast",
    "replications_needed",
    "runs_outcomes",
    "width_ratio",
]

CONTRAST_COLUMNS: tuple[str, ...] = (
    "outcome",
    "term",
    "n",
    "mean_a",
    "mean_b",
    "estimate",
    "ci_low",
    "ci_high",
    "sd",
    "unpaired_low",
    "unpaired_high",
)
"""Columns of :func:`contrasts` (after ``parameter``, ``a``, ``b``, ``by`` and
``by_value``): ``term`` is ``difference`` (B − A) or ``interaction`` (the difference at
the last level of ``by`` minus the one at the first); ``n`` the replications paired;
``sd`` the sd of the per-replication differences; ``unpaired_*`` the Welch interval that
ignores the pairing."""


@dataclass(frozen=True)
class Contrast:
    """``parameter`` at level ``b`` against level ``a`` (values as stored in the runs)."""

    parameter: str
    a: Any
    b: Any

    def text(self) -> str:
        """'parameter=a:b'."""
        return f"{self.parameter}={_plain(self.a)}:{_plain(self.b)}"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _levels(runs: pd.DataFrame, name: str) -> list[Any]:
    return sorted(runs[name].dropna().unique().tolist(), key=lambda v: (str(type(v)), v))


def _match(value: str, levels: list[Any], name: str) -> Any:
    """The stored level that ``value`` (as typed) names; ResultsError listing the levels."""
    shown = ", ".join(format_value(v, "en", 4) for v in levels[:12]) + (
        f", … ({len(levels)} levels: a sampled design; contrasts need a grid or points)"
        if len(levels) > 12
        else ""
    )
    param = PARAMETERS[name]
    try:
        typed = param.parse(value)
    except ValueError as exc:
        raise ResultsError(f"--contrast {name}={value}: {exc}; levels run: {shown}") from None
    for level in levels:
        if isinstance(typed, int | float) and not isinstance(typed, bool):
            if isinstance(level, int | float) and math.isclose(
                float(level), float(typed), rel_tol=1e-9, abs_tol=1e-12
            ):
                return level
        elif level == typed:
            return level
    raise ResultsError(f"{name}={value} was not run; levels run: {shown}")


def parse_contrast(results: ResultsLike, text: str) -> Contrast:
    """``PARAM=A:B`` checked against the results: a varied parameter and two of its
    levels. Raises :class:`.ResultsError` with the parameter's levels otherwise."""
    name, eq, rest = text.partition("=")
    a, colon, b = rest.partition(":")
    name, a, b = name.strip(), a.strip(), b.strip()
    if not (eq and colon and name and a and b):
        raise ResultsError(
            f"--contrast {text!r}: expected PARAM=A:B (e.g. experimentation_tolerance=0:1)"
        )
    check_parameter(results, name)
    varied = varied_parameters(results)
    if name not in varied:
        raise ResultsError(
            f"--contrast {name}: not varied by the design (it varies: {', '.join(varied)})"
        )
    levels = _levels(ok_runs(results), name)
    first, second = _match(a, levels, name), _match(b, levels, name)
    if first == second:
        raise ResultsError(f"--contrast {text}: A and B are the same level")
    return Contrast(name, first, second)


def runs_outcomes(results: ResultsLike) -> list[str]:
    """Every outcome the runs table holds (a weekly reporter's final value or an
    end-of-run measure), in registry order."""
    return [name for name in available_outcomes(results) if name in MEASURES]


# --- intervals --------------------------------------------------------------------------------


def _paired(d: np.ndarray, level: float) -> tuple[float, float, float, float]:
    """(mean, low, high, sd) of paired differences ``d``: a one-sample t interval."""
    d = d[np.isfinite(d)]
    effect = t_interval(d, level)
    sd = float(d.std(ddof=1)) if d.size >= 2 else math.nan
    return effect.estimate, effect.low, effect.high, sd


def _welch(groups: list[tuple[float, np.ndarray]], level: float) -> tuple[float, float]:
    """Interval of Σ sign·mean(group) with the groups taken as independent samples
    (Welch–Satterthwaite degrees of freedom): the unpaired interval."""
    # Written out rather than ``scipy.stats.ttest_ind(b, a, equal_var=False)
    # .confidence_interval(level)``: an interaction's unpaired interval combines four
    # groups, which scipy's two-sample test cannot. For two groups the two agree to
    # 1e-10, constant groups included (tests/test_contrasts.py).
    estimate, variance, df_den = 0.0, 0.0, 0.0
    for sign, x in groups:
        x = x[np.isfinite(x)]
        if x.size < 2:
            return math.nan, math.nan
        v = float(x.var(ddof=1)) / x.size
        estimate += sign * float(x.mean())
        variance += v
        df_den += v * v / (x.size - 1)
    if variance == 0:
        return estimate, estimate
    df = variance * variance / df_den
    half = float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(variance)
    return estimate - half, estimate + half


def _row(
    term: str,
    d: np.ndarray,
    unpaired: tuple[float, float],
    level: float,
    a: np.ndarray | None = None,
    b: np.ndarray | None = None,
) -> dict[str, Any]:
    """The :data:`CONTRAST_COLUMNS` of one row: the paired interval of the differences
    ``d`` (one per replication), the ``unpaired`` one, and the means of ``a`` and ``b``."""
    mean, low, high, sd = _paired(d, level)
    return {
        "term": term,
        "n": int(np.isfinite(d).sum()),
        "mean_a": float(a.mean()) if a is not None and a.size else math.nan,
        "mean_b": float(b.mean()) if b is not None and b.size else math.nan,
        "estimate": mean,
        "ci_low": low,
        "ci_high": high,
        "sd": sd,
        "unpaired_low": unpaired[0],
        "unpaired_high": unpaired[1],
    }


def _difference(a: np.ndarray, b: np.ndarray, d: np.ndarray, level: float) -> dict[str, Any]:
    """A ``difference`` row: B − A paired by replication (``d``), and unpaired."""
    return _row("difference", d, _welch([(1.0, b), (-1.0, a)], level), level, a, b)


# --- contrasts --------------------------------------------------------------------------------


def _frame(results: ResultsLike, names: list[str], columns: list[str]) -> pd.DataFrame:
    values = run_outcomes(results, names)
    extra = [c for c in ["replication", *columns] if c not in values.columns]
    runs = ok_runs(results)[["run_id", *extra]]
    return values.merge(runs, on="run_id", how="left", validate="one_to_one").copy()


def contrasts(
    results: ResultsSource,
    contrast: Contrast | str,
    *,
    by: str | None = None,
    outcomes: Iterable[str] | str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Paired contrasts of ``contrast`` (``PARAM=A:B`` or a :class:`Contrast`) for each
    outcome (default: every outcome of the runs table), per level of ``by`` if given,
    with the interaction between the first and last levels of ``by``.

    One row per (outcome, term, level of ``by``): ``parameter``, ``a``, ``b``, ``by``,
    ``by_value`` and :data:`CONTRAST_COLUMNS`. A pair is the two ok runs of one
    replication that agree on every other varied parameter; pairs with a missing value
    (a failed run, an outcome undefined in a run) are left out.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    res = as_results(results)
    spec = parse_contrast(res, contrast) if isinstance(contrast, str) else contrast
    varied = varied_parameters(res)
    if by is not None:
        check_parameter(res, by)
        if by == spec.parameter:
            raise ResultsError(f"--by {by}: the contrast's own parameter")
        if by not in varied:
            raise ResultsError(
                f"--by {by}: not varied by the design (it varies: {', '.join(varied)})"
            )
    names = runs_outcomes(res) if outcomes is None else resolve_outcomes(res, outcomes)
    others = [p for p in varied if p != spec.parameter]
    frame = _frame(res, names, [spec.parameter, *others])
    a_rows = frame[frame[spec.parameter] == spec.a]
    b_rows = frame[frame[spec.parameter] == spec.b]
    keys = ["replication", *others]
    pairs = a_rows.merge(b_rows, on=keys, suffixes=("_a", "_b"), validate="one_to_one")
    by_levels = _levels(pairs, by) if by is not None else [None]
    rows: list[dict[str, Any]] = []
    for name in names:
        complete = pairs[[*keys, f"{name}_a", f"{name}_b"]]
        complete = complete[np.isfinite(complete[f"{name}_a"]) & np.isfinite(complete[f"{name}_b"])]
        complete = complete.assign(_d=complete[f"{name}_b"] - complete[f"{name}_a"])
        # One value per replication (and level of by): the mean over the other cells.
        group = ["replication"] if by is None else [by, "replication"]
        per_rep = complete.groupby(group, sort=True)[[f"{name}_a", f"{name}_b", "_d"]].mean()
        differences: dict[Any, pd.Series] = {}
        for value in by_levels:
            part = per_rep if value is None else _slice(per_rep, value)
            d = part["_d"].to_numpy(dtype=float)
            a, b = part[f"{name}_a"].to_numpy(dtype=float), part[f"{name}_b"].to_numpy(dtype=float)
            differences[value] = part["_d"]
            rows.append({"by_value": value, "outcome": name, **_difference(a, b, d, level)})
        if by is not None and len(by_levels) >= 2:
            first, last = by_levels[0], by_levels[-1]
            joined = pd.concat(
                [differences[first].rename("first"), differences[last].rename("last")],
                axis=1,
                join="inner",
            )
            did = (joined["last"] - joined["first"]).to_numpy(dtype=float)
            first_part, last_part = _slice(per_rep, first), _slice(per_rep, last)
            unpaired = _welch(
                [
                    (1.0, last_part[f"{name}_b"].to_numpy(dtype=float)),
                    (-1.0, last_part[f"{name}_a"].to_numpy(dtype=float)),
                    (-1.0, first_part[f"{name}_b"].to_numpy(dtype=float)),
                    (1.0, first_part[f"{name}_a"].to_numpy(dtype=float)),
                ],
                level,
            )
            rows.append(
                {
                    "by_value": f"{_plain(last)} − {_plain(first)}",
                    "outcome": name,
                    **_row("interaction", did, unpaired, level),
                }
            )
    table = pd.DataFrame(rows, columns=["by_value", *CONTRAST_COLUMNS])
    table.insert(0, "by", by or "")
    table.insert(0, "b", spec.b)
    table.insert(0, "a", spec.a)
    table.insert(0, "parameter", spec.parameter)
    if by is None:
        table["by_value"] = ""
    return table


def _slice(per_rep: pd.DataFrame, value: Any) -> pd.DataFrame:
    """The rows of one level of ``by`` in a (by, replication)-indexed frame."""
    if value not in per_rep.index.get_level_values(0):
        return per_rep.iloc[0:0].droplevel(0)
    return per_rep.xs(value, level=0)


def baseline_contrasts(
    results: ResultsSource,
    baseline: int,
    *,
    outcomes: Iterable[str] | str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Every design point against point ``baseline``, paired by replication (the
    ablations of a ``points`` design, e.g. the ``mechanisms`` experiment).

    One row per (outcome, point other than the baseline): ``point_id``, the varied
    parameters, then :data:`CONTRAST_COLUMNS` (``term`` = ``difference``; ``a`` is the
    baseline, ``b`` the point).
    """
    res = as_results(results)
    points = point_table(res).drop(columns=["runs", "failed"])
    ids = points["point_id"].tolist()
    if baseline not in ids:
        shown = f"0 … {max(ids)}" if ids else "none"
        raise ResultsError(f"--baseline {baseline}: no such design point (points: {shown})")
    names = runs_outcomes(res) if outcomes is None else resolve_outcomes(res, outcomes)
    frame = _frame(res, names, ["point_id"])
    base = frame[frame["point_id"] == baseline].set_index("replication")
    rows: list[dict[str, Any]] = []
    for name in names:
        for point in ids:
            if point == baseline:
                continue
            other = frame[frame["point_id"] == point].set_index("replication")
            joined = pd.concat(
                [base[name].rename("a"), other[name].rename("b")], axis=1, join="inner"
            ).dropna()
            a, b = joined["a"].to_numpy(dtype=float), joined["b"].to_numpy(dtype=float)
            rows.append({"point_id": point, "outcome": name, **_difference(a, b, b - a, level)})
    table = pd.DataFrame(rows, columns=["point_id", *CONTRAST_COLUMNS])
    params = [c for c in points.columns if c != "point_id"]
    reference = points.set_index("point_id").loc[baseline]
    points = points.assign(
        changes=[
            ", ".join(f"{p}={_plain(row[p])}" for p in params if not _same(row[p], reference[p]))
            for _, row in points.iterrows()
        ]
    )
    table = table.merge(points, on="point_id", how="left")
    table.insert(0, "baseline", baseline)
    return table[["baseline", "point_id", "changes", *params, *CONTRAST_COLUMNS]]


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-12)
    return bool(x == y)


# --- replications -----------------------------------------------------------------------------


def replications_needed(sd: float, half_width: float, level: float = 0.95) -> float:
    """The fewest replications n ≥ 2 whose t interval of a mean of paired differences
    with standard deviation ``sd`` has half-width ≤ ``half_width``:
    t_{(1+level)/2, n−1} · sd / √n ≤ half_width (NaN when ``sd`` is unknown)."""
    if half_width <= 0:
        raise ValueError(f"half_width must be > 0, got {half_width!r}")
    if not math.isfinite(sd):
        return math.nan
    if sd == 0:
        return 2.0
    quantile = 0.5 + level / 2
    n = max(2, math.ceil((stats.norm.ppf(quantile) * sd / half_width) ** 2))
    while float(t_half_width(sd, n, level)) > half_width:
        n += 1
    return float(n)


# --- printing ---------------------------------------------------------------------------------

_TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "head": "Paired contrast {name}: {a} → {b} (B − A; runs paired by replication, the "
        "same seeds at every point), mean over replications with its 95% CI",
        "base": "Paired contrasts against point {base}: B − A per replication, the "
        "same seeds at every point, with 95% CIs",
        "cols": ("n", "A", "B", "B − A [95% CI]", "unpaired CI", "narrower"),
        "point": "point",
        "inter": "interaction",
        "more": "All {k} outcomes are in {file}.",
        "legend": "unpaired CI: the Welch interval that ignores the pairing; narrower: how "
        "many times narrower the paired interval is.",
    },
    "fr": {
        "head": "Contraste apparié {name}\u00a0: {a} → {b} (B − A\u00a0; simulations appariées "
        "par réplication, mêmes graines à chaque point), moyenne sur les réplications et "
        "son IC à 95\u00a0%",
        "base": "Contrastes appariés par rapport au point {base}\u00a0: B − A par "
        "réplication, mêmes graines à chaque point, IC à 95\u00a0%",
        "cols": ("n", "A", "B", "B − A [IC 95 %]", "IC non apparié", "gain"),
        "point": "point",
        "inter": "interaction",
        "more": "Les {k} indicateurs sont dans {file}.",
        "legend": "IC non apparié\u00a0: l'intervalle de Welch qui ignore l'appariement\u00a0; "
        "gain\u00a0: combien de fois l'intervalle apparié est plus étroit.",
    },
}


def _ci(low: float, high: float, lang: str) -> str:
    from milieusim.text import format_number

    if not (math.isfinite(low) and math.isfinite(high)):
        return "n/a"
    return f"[{format_number(low, lang)}, {format_number(high, lang)}]"


def _ratio(row: pd.Series) -> str:
    paired = row["ci_high"] - row["ci_low"]
    unpaired = row["unpaired_high"] - row["unpaired_low"]
    if not (math.isfinite(paired) and math.isfinite(unpaired)) or unpaired == 0:
        return ""
    if paired == 0:
        return "∞"
    return f"{unpaired / paired:.1f}×"


def width_ratio(table: pd.DataFrame) -> pd.Series:
    """Unpaired over paired interval width, per row (inf where the paired width is 0)."""
    paired = table["ci_high"] - table["ci_low"]
    unpaired = table["unpaired_high"] - table["unpaired_low"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return unpaired / paired


def format_contrasts(
    table: pd.DataFrame,
    lang: str = "en",
    *,
    outcomes: Iterable[str] | None = None,
    width: int = 88,
    file: str = "contrasts.csv",
) -> str:
    """The rows of :func:`contrasts` or :func:`baseline_contrasts` for ``outcomes``
    (default: all) as aligned text blocks, one per outcome."""
    import textwrap

    from milieusim.text import decimal, format_number, format_value, language, outcome_label

    lang = language(lang)
    text = _TEXT[lang]
    shown = list(dict.fromkeys(table["outcome"])) if outcomes is None else list(outcomes)
    baseline = "baseline" in table.columns
    lines: list[str] = []
    if baseline:
        base = int(table["baseline"].iloc[0]) if len(table) else 0
        lines += textwrap.wrap(text["base"].format(base=base), width)
        params = ["changes"]
    else:
        row0 = table.iloc[0]
        lines += textwrap.wrap(
            text["head"].format(
                name=row0["parameter"],
                a=format_value(row0["a"], lang, param=row0["parameter"]),
                b=format_value(row0["b"], lang, param=row0["parameter"]),
            ),
            width,
        )
        params = []
    key = text["point"] if baseline else (table["by"].iloc[0] or "")
    for name in shown:
        rows = table[table["outcome"] == name]
        if rows.empty:
            continue
        lines += ["", f"{name}  {outcome_label(name, lang)}"]
        body: list[list[str]] = []
        for _, row in rows.iterrows():
            if baseline:
                label = str(int(row["point_id"]))
            elif row["term"] == "interaction":
                label = f"{text['inter']} {decimal(str(row['by_value']), lang)}"
            else:
                label = format_value(row["by_value"], lang) if key else ""
            estimate = format_number(row["estimate"], lang)
            body.append(
                [
                    label,
                    str(int(row["n"])),
                    format_number(row["mean_a"], lang) if row["term"] != "interaction" else "",
                    format_number(row["mean_b"], lang) if row["term"] != "interaction" else "",
                    f"{estimate} {_ci(row['ci_low'], row['ci_high'], lang)}",
                    _ci(row["unpaired_low"], row["unpaired_high"], lang),
                    decimal(_ratio(row), lang),
                ]
            )
        heads = [key, *text["cols"]]
        widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(heads)]
        for cells in [heads, *body]:
            parts = [cells[0].ljust(widths[0])]
            parts += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            lines.append("  " + "  ".join(parts).rstrip())
    if baseline and params:
        lines.append("")
        firsts = table.drop_duplicates("point_id")
        for _, row in firsts.head(30).iterrows():
            lines += textwrap.wrap(
                f"{text['point']} {int(row['point_id'])}: {row['changes'] or '—'}",
                width,
                subsequent_indent="    ",
            )
    total = len(dict.fromkeys(table["outcome"]))
    lines += ["", *textwrap.wrap(text["legend"], width)]
    if total > len(shown):
        lines.append(text["more"].format(k=total, file=file))
    return "\n".join(lines)
