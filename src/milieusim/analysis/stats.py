"""Effects with confidence intervals, and criteria stated before the runs.

The behaviour patterns and the mechanism checks (:mod:`milieusim.validation`) compare
conditions run with the same seeds (common random numbers): each seed gives one paired
difference. An :class:`Effect` is an estimate with its 95 % interval: a Student t
interval for a mean of paired differences, a paired bootstrap (seeded, so reproducible)
for a relative change or a ratio. A :class:`Criterion` is the minimum effect that counts
as support, fixed before the runs: it passes only when the whole interval clears it
(White et al. 2014: with enough runs any effect is "significant"; the question is
whether it is large enough to matter).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import optimize, stats

__all__ = [
    "Criterion",
    "Effect",
    "aic_step_vs_linear",
    "logistic_r2",
    "mean_difference",
    "paired_bootstrap",
    "paired_difference",
    "proportion",
    "relative_change",
    "t_half_width",
    "t_interval",
]

LEVEL = 0.95
BOOTSTRAP = 4000
"""Resamples of the paired bootstrap."""


@dataclass(frozen=True)
class Effect:
    """An estimate and its confidence interval."""

    estimate: float
    low: float
    high: float
    n: int = 0

    def text(self, digits: int = 2, percent: bool = False) -> str:
        """'e [low, high]' (as percentages when ``percent``)."""
        scale, unit = (100.0, " %") if percent else (1.0, "")
        return (
            f"{self.estimate * scale:.{digits}f}{unit} "
            f"[{self.low * scale:.{digits}f}, {self.high * scale:.{digits}f}]"
        )


@dataclass(frozen=True)
class Criterion:
    """A minimum effect stated before the runs: the interval must lie entirely above
    ``threshold`` (``above``), below it (``below``), or inside (−threshold, threshold)
    (``within``: an effect too small to matter)."""

    kind: Literal["above", "below", "within"]
    threshold: float

    def met(self, effect: Effect) -> bool:
        """Whether the whole interval of ``effect`` clears the threshold."""
        if not (math.isfinite(effect.low) and math.isfinite(effect.high)):
            return False
        if self.kind == "above":
            return effect.low > self.threshold
        if self.kind == "below":
            return effect.high < self.threshold
        return -self.threshold < effect.low and effect.high < self.threshold

    def interval(self, digits: int = 2, percent: bool = False) -> str:
        """The criterion as a condition on the interval: '95 % CI below -20.0 %'."""
        scale, unit = (100.0, " %") if percent else (1.0, "")
        t = f"{self.threshold * scale:.{digits}f}{unit}"
        return {
            "above": f"95 % CI above {t}",
            "below": f"95 % CI below {t}",
            "within": f"95 % CI within ±{t}",
        }[self.kind]

    def text(
        self, lang: str = "en", *, change: bool = True, percent: bool = True, unit: str = ""
    ) -> str:
        """The criterion in words, as a report's "published" column states it: 'lower by at
        least 20 %' for ``Criterion("below", -0.20)`` (a relative change, ``percent``);
        with ``change=False`` a level: 'above 0.9'; ``unit`` replaces the per cent sign
        ('points'). ``lang``: 'en' or 'fr'."""
        from milieusim.text import decimal, language, percent_sign

        fr = language(lang) == "fr"
        scale = 100.0 if percent else 1.0
        size = decimal(f"{round(abs(self.threshold) * scale, 6):g}", lang)
        if unit:
            size += f" {unit}"
        elif percent:
            size += percent_sign(lang) if fr else " %"
        if not change:
            where = {
                "above": ("above", "au-dessus de"),
                "below": ("below", "en dessous de"),
                "within": ("within ±", "dans ±"),
            }[self.kind][fr]
            sign = "-" if self.threshold < 0 and self.kind != "within" else ""
            return f"{where}{'' if where.endswith('±') else ' '}{sign}{size}"
        if self.kind == "within":
            return f"varie de moins de {size}" if fr else f"changed by less than {size}"
        up = self.kind == "above"
        if self.threshold == 0:
            return ("plus élevé" if up else "plus bas") if fr else ("higher" if up else "lower")
        beyond = (self.threshold > 0) == up  # above a gain, below a loss: at least
        higher = up == beyond
        word = ("plus élevé" if higher else "plus bas") if fr else ("higher" if higher else "lower")
        if fr:
            return f"{word} d'au moins {size}" if beyond else f"{word} de moins de {size}"
        return f"{word} by {'at least' if beyond else 'less than'} {size}"


def t_half_width(sd: Any, n: Any, level: float = LEVEL) -> Any:
    """Half-width ``t_{(1+level)/2, n-1} · sd / √n`` of the Student t interval of a mean
    (scipy's t quantile), element-wise over arrays; NaN where ``n`` < 2. The one place
    the project computes it: per-point summaries, figures and effects all call it."""
    sd, n = np.asarray(sd, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = np.where(n >= 2, stats.t.ppf((1 + level) / 2, np.maximum(n - 1, 1)), np.nan)
        return quantile * sd / np.sqrt(np.maximum(n, 1))


def t_interval(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> Effect:
    """The mean of the finite ``values`` with its Student t interval
    (``scipy.stats.ttest_1samp(...).confidence_interval``); a zero-width interval when
    the values are all equal, NaN bounds for fewer than two values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n < 2:
        return Effect(float(x.mean()) if n else math.nan, math.nan, math.nan, n)
    mean = float(x.mean())
    if float(x.std(ddof=1)) == 0:
        return Effect(mean, mean, mean, n)
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(level)
    return Effect(mean, float(ci.low), float(ci.high), n)


def paired_difference(
    base: Sequence[float] | np.ndarray, other: Sequence[float] | np.ndarray
) -> Effect:
    """Mean of ``other − base`` over paired seeds, with a Student t interval."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)
    return t_interval(b - a)


def mean_difference(values: Sequence[float] | np.ndarray) -> Effect:
    """Mean of per-seed values (already differences, or contrasts), t interval."""
    return t_interval(values)


def paired_bootstrap(statistic: Callable[[np.ndarray], float], n: int, seed: int = 0) -> Effect:
    """``statistic(indices)`` on all seeds, and its percentile interval over resamples of
    the seeds (with replacement; ``scipy.stats.bootstrap`` with a generator seeded by
    ``seed``, so reproducible). Resamples where the statistic is not finite are left
    out; NaN bounds if more than half are."""
    everyone = np.arange(n)
    estimate = float(statistic(everyone))
    if n < 2:
        return Effect(estimate, math.nan, math.nan, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate distributions: handled below
        result = stats.bootstrap(
            (everyone,),
            lambda i: statistic(np.asarray(i, dtype=int)),
            vectorized=False,
            n_resamples=BOOTSTRAP,
            confidence_level=LEVEL,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    draws = np.asarray(result.bootstrap_distribution, dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size < BOOTSTRAP // 2:
        return Effect(estimate, math.nan, math.nan, n)
    low, high = np.percentile(draws, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    return Effect(estimate, float(low), float(high), n)


def relative_change(
    base: Sequence[float] | np.ndarray, other: Sequence[float] | np.ndarray, seed: int = 0
) -> Effect:
    """mean(other) / mean(base) − 1 over paired seeds, with a paired bootstrap interval."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)

    def change(i: np.ndarray) -> float:
        mean = a[i].mean()
        return float(b[i].mean() / mean - 1.0) if mean != 0 else math.nan

    return paired_bootstrap(change, a.size, seed)


def proportion(successes: int, trials: int) -> Effect:
    """A share with its Wilson interval (``scipy.stats.binomtest(...).proportion_ci``)."""
    if trials == 0:
        return Effect(math.nan, math.nan, math.nan, 0)
    ci = stats.binomtest(successes, trials).proportion_ci(LEVEL, method="wilson")
    return Effect(successes / trials, float(ci.low), float(ci.high), trials)


def _logistic(x: np.ndarray, low: float, high: float, mid: float, slope: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        return low + (high - low) / (1.0 + np.exp(-(x - mid) / slope))


def _fit(x: np.ndarray, y: np.ndarray, start: list[float]) -> np.ndarray | None:
    """Least-squares logistic fit from ``start``, or None if it does not converge."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optimize.OptimizeWarning)
        try:
            fit, _ = optimize.curve_fit(_logistic, x, y, p0=start, maxfev=20000)
        except RuntimeError:
            return None
    return fit


def _aic(rss: float, n: int, k: int) -> float:
    return n * math.log(max(rss, 1e-300) / n) + 2 * k


def aic_step_vs_linear(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
) -> tuple[float, dict[str, float]]:
    """ΔAIC = AIC(linear) − AIC(logistic step) of ``y`` on ``x`` (least squares, Gaussian
    errors; 2 and 4 parameters): above 10, a threshold describes the data far better
    than a straight line (Burnham & Anderson 2002). Returns ΔAIC and the logistic fit."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = xa.size
    slope, intercept = np.polyfit(xa, ya, 1)
    rss_lin = float(((ya - (slope * xa + intercept)) ** 2).sum())
    best: tuple[float, np.ndarray | None] = (math.inf, None)
    span = float(np.ptp(xa)) or 1.0
    for mid in np.linspace(xa.min(), xa.max(), 9):
        for width in (span / 50, span / 10, span / 3):
            fit = _fit(xa, ya, [float(ya.max()), float(ya.min()), float(mid), -width])
            if fit is None:
                continue
            rss = float(((ya - _logistic(xa, *fit)) ** 2).sum())
            if rss < best[0]:
                best = (rss, fit)
    if best[1] is None:
        return math.nan, {}
    delta = _aic(rss_lin, n, 2) - _aic(best[0], n, 4)
    low, high, mid, width = best[1]
    return float(delta), {
        "left": float(low),
        "right": float(high),
        "threshold": float(mid),
        "width": float(abs(width)),
    }


def logistic_r2(weeks: np.ndarray, cumulative: np.ndarray) -> float:
    """R² of a logistic curve fitted to a cumulative adoption count (the S-curve test)."""
    t, c = np.asarray(weeks, dtype=float), np.asarray(cumulative, dtype=float)
    if t.size < 5 or np.ptp(c) == 0:
        return math.nan
    top = float(c.max())
    start = [0.0, top, float(t[np.argmax(c >= top / 2)]), max(float(np.ptp(t)) / 10, 1.0)]
    fit = _fit(t, c, start)
    if fit is None:
        return math.nan
    residual = ((c - _logistic(t, *fit)) ** 2).sum()
    total = ((c - c.mean()) ** 2).sum()
    return float(1.0 - residual / total) if total > 0 else math.nan
