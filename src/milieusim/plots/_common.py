"""Helpers shared by the figures of experiment results (labels, statistics, titles)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axis import Axis
from matplotlib.figure import Figure

from milieusim.analysis.results import ResultsLike, check_parameter, experiment_title
from milieusim.plots.style import number_formatter, percent_formatter, wrap
from milieusim.text import (
    decimal,
    format_value,
    outcome_label,
    outcome_unit,
    param_label,
    percent_sign,
)

__all__ = [
    "check_parameter",
    "describe_point",
    "feasible_range",
    "finish",
    "format_outcome",
    "is_share",
    "is_numeric",
    "mean_ci_frame",
    "outcome_axis_label",
    "set_outcome_axis",
]

TEXT = {
    "en": {
        "weeks": "Weeks",
        "band": "95% confidence band of the mean",
        "ci": "95% confidence interval of the mean",
        "point": "Design point",
        "others": "other points",
        "runs": "runs",
    },
    "fr": {
        "weeks": "Semaines",
        "band": "Bande de confiance à 95\u00a0% de la moyenne",
        "ci": "Intervalle de confiance à 95\u00a0% de la moyenne",
        "point": "Point du plan",
        "others": "autres points",
        "runs": "simulations",
    },
}


def is_share(outcome: str) -> bool:
    """Whether ``outcome`` is a share (0–1), drawn as a percentage."""
    return outcome_unit(outcome) == "share"


def feasible_range(outcome: str) -> tuple[float, float]:
    """The values ``outcome`` can take: [0, 1] for shares, [0, ∞) for counts, else any."""
    unit = outcome_unit(outcome)
    if unit in ("share", "0–1"):
        return 0.0, 1.0
    if unit in ("count", "mean count"):
        return 0.0, np.inf
    return -np.inf, np.inf


def outcome_axis_label(outcome: str, lang: str) -> str:
    """The axis label of ``outcome``: its label with its unit ('%' for shares)."""
    if is_share(outcome):
        return f"{outcome_label(outcome, lang, unit=False)} ({percent_sign(lang).strip()})"
    return outcome_label(outcome, lang)


def set_outcome_axis(axis: Axis, outcome: str, lang: str) -> None:
    """Tick labels of an axis showing ``outcome`` (percentages for shares)."""
    if is_share(outcome):
        axis.set_major_formatter(percent_formatter(lang, decimals=None))
    else:
        axis.set_major_formatter(number_formatter(lang))


def format_outcome(value: float, outcome: str, lang: str) -> str:
    """A value of ``outcome`` for annotations: '55 %' for shares, else 3 significant
    digits (decimal comma in French)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if is_share(outcome):
        text = f"{100 * value:.0f}" if abs(value) >= 0.1 else f"{100 * value:.1f}"
        return f"{decimal(text, lang)}{percent_sign(lang)}"
    return decimal(f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}", lang)


def is_numeric(values: pd.Series) -> bool:
    """Whether a parameter column is numeric (booleans and text are categories)."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def describe_point(values: pd.Series, params: Sequence[str], lang: str, *, width: int = 34) -> str:
    """'Label = value' lines naming a design point by its varied parameters (values to 3
    significant digits), each wrapped to ``width``."""
    return "\n".join(
        wrap(
            f"{param_label(p, lang, unit=False, short=True)} = "
            f"{format_value(values[p], lang, 3, p)}",
            width,
        )
        for p in params
    )


def mean_ci_frame(
    frame: pd.DataFrame, by: str | list[str], value: str, level: float = 0.95
) -> pd.DataFrame:
    """Per group: ``n``, ``mean``, ``sd`` and ``half`` (half-width of the Student t
    interval of the mean; NaN for n < 2), finite values only."""
    from milieusim.analysis.stats import t_half_width  # SciPy: only when a figure needs it

    finite = frame[np.isfinite(frame[value].to_numpy(dtype=float))]
    out = finite.groupby(by, sort=True)[value].agg(n="count", mean="mean", sd="std")
    out["half"] = t_half_width(out["sd"].to_numpy(), out["n"].to_numpy(), level)
    return out.reset_index()


def finish(
    fig: Figure, results: ResultsLike, lang: str, title: str | None, width_chars: int = 80
) -> None:
    """Give ``fig`` its title: ``title``, else the experiment's title in ``lang``."""
    text = title if title is not None else experiment_title(results, lang)
    if text:
        fig.suptitle(wrap(text, width_chars), fontsize=13, fontweight="bold", x=0.01, ha="left")
