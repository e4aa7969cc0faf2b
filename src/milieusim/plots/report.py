"""The figures of a report: the default kinds of ``milieusim plot``, as PNG bytes."""

from __future__ import annotations

import io

from milieusim.analysis.results import ResultsError, ResultsSource, as_results
from milieusim.plots.kinds import default_kinds, make_figure
from milieusim.plots.style import DPI

__all__ = ["default_figures_png"]


def default_figures_png(results: ResultsSource, lang: str = "en") -> list[tuple[str, bytes]]:
    """The default figures of ``milieusim plot`` as (kind, PNG bytes), for reports; a kind
    that turns out not to suit the results is left out."""
    res = as_results(results)
    out = []
    for kind in default_kinds(res):
        try:
            figure = make_figure(res, kind, lang=lang)
        except ResultsError:
            continue
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        out.append((kind, buffer.getvalue()))
    return out
