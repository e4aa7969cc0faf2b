"""``milieusim validate``: run every docking case and behaviour pattern, write the report.

The work of all cases goes to one process pool under one progress bar; each case then
evaluates its outputs and draws its figure. The report, ``DIR/validation.md``, gives for
each case the published reference, our figure next to it, the tolerance and pass/fail,
and links its figure in ``DIR/figures/``; ``DIR/validation.json`` holds the same results
for programs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from milieusim.docking.core import Case, CaseResult, run_tasks

__all__ = ["Validation", "render_report", "run_validation", "write_report"]


@dataclass
class Validation:
    """Every case's result and how the validation was run."""

    results: list[CaseResult]
    quick: bool
    workers: int
    wall_s: float
    started: str

    @property
    def passed(self) -> bool:
        """True if every tested check of every case passed."""
        return all(r.passed for r in self.results)


def run_validation(*, quick: bool = False, workers: int | None = None, progress: bool = False,
                   cases: Sequence[Case] | None = None) -> Validation:
    """Run ``cases`` (default: all) at the quick or full size; nothing is written."""
    from milieusim.docking import all_cases

    chosen = list(cases) if cases is not None else list(all_cases())
    count = workers if workers is not None else (os.cpu_count() or 1)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    size = "quick" if quick else "full"
    settings = [case.settings(size) for case in chosen]
    planned = [case.tasks(s) for case, s in zip(chosen, settings, strict=True)]
    # Cases with few (long) tasks first, many short ones last: the pool ends evenly.
    order = sorted(range(len(chosen)), key=lambda i: len(planned[i]))
    flat = [(i, task) for i in order for task in planned[i]]
    outputs, times = run_tasks([task for _, task in flat], workers=count, progress=progress,
                               description="validate" + (" --quick" if quick else ""))
    per_case: dict[int, list[Any]] = {i: [] for i in range(len(chosen))}
    spent = dict.fromkeys(range(len(chosen)), 0.0)
    for (i, task), output, seconds in zip(flat, outputs, times, strict=True):
        per_case[i].append((task, output))
        spent[i] += seconds
    results = []
    for i, case in enumerate(chosen):
        result = case.evaluate(settings[i], per_case[i])
        result.elapsed_s = spent[i]
        results.append(result)
    return Validation(results, quick, count, time.perf_counter() - t0, started)


def write_report(validation: Validation, out: str | os.PathLike[str], *,
                 cases: Sequence[Case] | None = None,
                 figures_url: str = "figures") -> dict[str, Path]:
    """Draw each case's figure into ``out/figures`` and write ``validation.md`` and
    ``validation.json`` into ``out``; returns the paths written.

    ``figures_url`` is how the Markdown links the figures (relative to the report).
    """
    import matplotlib

    matplotlib.use("Agg")
    from milieusim.docking import all_cases

    root = Path(out)
    figures = root / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    by_name = {case.name: case for case in (cases if cases is not None else all_cases())}
    written: dict[str, Path] = {}
    for result in validation.results:
        path = figures / f"{result.name}.png"
        by_name[result.name].plot(result, path)
        written[path.name] = path
    report = root / "validation.md"
    report.write_text(render_report(validation, figures_url), encoding="utf-8")
    written[report.name] = report
    data = root / "validation.json"
    data.write_text(json.dumps(_as_json(validation), indent=1, ensure_ascii=False,
                               default=_plain) + "\n", encoding="utf-8")
    written[data.name] = data
    return written


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _as_json(v: Validation) -> dict[str, Any]:
    return {
        "passed": v.passed, "quick": v.quick, "workers": v.workers, "wall_s": v.wall_s,
        "started": v.started, "versions": _versions(),
        "cases": [{"name": r.name, "title": r.title, "passed": r.passed,
                   "reference": r.reference, "setup": r.setup, "compute_s": r.elapsed_s,
                   "checks": [{"quantity": c.quantity, "published": c.published,
                               "ours": c.ours, "tolerance": c.tolerance,
                               "verdict": c.verdict} for c in r.checks]}
                  for r in v.results],
    }


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("milieusim", "mesa", "numpy", "networkx"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def render_report(v: Validation, figures_url: str = "figures") -> str:
    """The Markdown report."""
    tested = [c for r in v.results for c in r.checks if c.passed is not None]
    failed = [c for c in tested if not c.passed]
    reported = sum(1 for r in v.results for c in r.checks if c.passed is None)
    versions = _versions()
    mode = "`milieusim validate --quick`" if v.quick else "`milieusim validate`"
    lines = [
        "# milieusim — validation report",
        "",
        f"Generated by {mode} on {v.started}: {_minutes(v.wall_s)} wall time on "
        f"{v.workers} worker{'s' if v.workers != 1 else ''} "
        f"(milieusim {versions['milieusim']}, Mesa {versions['mesa']}, numpy "
        f"{versions['numpy']}, networkx {versions['networkx']}, Python "
        f"{versions['python']}).",
        "",
        "This report is the *model output corroboration* element of TRACE (Grimm et al., "
        "2014): the model is docked with published models in limit cases where both should "
        "agree (Axtell, Axelrod, Epstein & Cohen, 1996), and its behaviour patterns "
        "(`CONCEPTS.md`; `docs/ODD.md` §1.2) are tested as experiments with statistical "
        "criteria. Each case gives the published reference, our figure next to it, the "
        "tolerance and the verdict. Checks marked *reported* are shown and explained but "
        "not tested"
        + (" (in `--quick` mode, also those that need the full number of runs)"
           if v.quick else "") + ".",
        "",
        f"**Overall: {'PASS' if v.passed else 'FAIL'}** — {len(tested) - len(failed)} of "
        f"{len(tested)} tested checks passed; {reported} figures reported.",
        "",
        "| Case | Verdict | Tested checks passed | Compute time |",
        "|---|---|---|---|",
    ]
    for r in v.results:
        t = [c for c in r.checks if c.passed is not None]
        ok = sum(1 for c in t if c.passed)
        anchor = r.name
        lines.append(f"| [{_cell(r.title)}](#{anchor}) | {r.verdict} | {ok} / {len(t)} | "
                     f"{_minutes(r.elapsed_s)} |")
    for r in v.results:
        lines += [
            "",
            f'<a id="{r.name}"></a>',
            "",
            f"## {r.title}",
            "",
            f"**Verdict: {r.verdict}.**",
            "",
            f"**Published reference.** {r.reference}",
            "",
            f"**Set-up.** {r.setup}",
            "",
            "| Quantity | Published | Ours | Tolerance | Result |",
            "|---|---|---|---|---|",
        ]
        for c in r.checks:
            lines.append(f"| {_cell(c.quantity)} | {_cell(c.published)} | {_cell(c.ours)} | "
                         f"{_cell(c.tolerance)} | {c.verdict} |")
        lines += ["", f"![{r.title}]({figures_url}/{r.name}.png)"]
        if r.notes:
            lines += ["", f"**Notes.** {r.notes}"]
    lines += [
        "",
        "## References",
        "",
        "Axtell, R., Axelrod, R., Epstein, J. M., & Cohen, M. D. (1996). Aligning "
        "simulation models: A case study and results. *Computational and Mathematical "
        "Organization Theory*, 1(2), 123–141.",
        "",
        "Grimm, V., Augusiak, J., Focks, A., Frank, B. M., Gabsi, F., Johnston, A. S. A., "
        "Liu, C., Martin, B. T., Meli, M., Radchuk, V., Thorbek, P., & Railsback, S. F. "
        "(2014). Towards better modelling and decision support: Documenting model "
        "development, testing, and analysis using TRACE. *Ecological Modelling*, 280, "
        "129–139.",
        "",
        "Mahajan, V., Muller, E., & Srivastava, R. K. (1990). Determination of adopter "
        "categories by using innovation diffusion models. *Journal of Marketing Research*, "
        "27(1), 37–50.",
        "",
        "Other references: see each case and `docs/ODD.md`.",
        "",
    ]
    return "\n".join(lines)
