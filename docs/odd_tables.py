# ruff: noqa: E501  (the prose of the tables: one string per row)
"""Tables of docs/ODD.md generated from the code, so that defaults and constants are exact.

Usage (from the repository root):

    uv run python docs/odd_tables.py                     # print every table
    uv run python docs/odd_tables.py --write docs/ODD.md
        # replace the text between <!-- BEGIN odd_tables:NAME --> and
        # <!-- END odd_tables:NAME --> in the ODD by the fresh table NAME
    uv run python docs/odd_tables.py --check docs/ODD.md
        # exit 1, naming the stale tables, if the ODD is not up to date (a test runs it)

Tables: params, channels, constants, kinds, scenarios, weekly, end, columns.
Parameters' symbols and meanings come from their schema entries (``milieusim.params``) and
measures' definitions from theirs (``milieusim.measures``); the rationales of the named
constants live here. A parameter or measure without them shows "—" or "as computed in
``milieusim.measures``" (``tests/test_params_schema.py`` fails on either).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from milieusim import agents, knowledge, organisation, records
from milieusim.measures import END_MEASURES, REPORTERS
from milieusim.params import CHANNELS, EVENT_PARAMETERS, PARAMETERS, defaults
from milieusim.submodels import ideas, uptake
from milieusim.validation import evidence

# --- named constants of the code, with a one-line rationale --------------------------------
CONSTANTS = [
    (
        "knowledge.BRIDGE",
        knowledge.BRIDGE,
        "where a marginal sécant's outside know-how sits between their unit's (0) and their "
        "outside world's (1): half-way, since they belong to both (Crozier & Friedberg 1977)",
    ),
    (
        "knowledge.PARTNER_BREADTH",
        knowledge.PARTNER_BREADTH,
        "sd (per axis) of what one contact brings around the partner's position: a partner "
        "holds a body of know-how, not a point",
    ),
    (
        "knowledge.ANOMALY_OFFSET",
        knowledge.ANOMALY_OFFSET,
        "mean (exponential) distance between an anomaly and the activity where it turns up: an "
        "unanticipated finding lies off the track being followed (Merton 1948)",
    ),
    (
        "knowledge.KnowledgeBase.FLOOR",
        knowledge.KnowledgeBase.FLOOR,
        "freshness below which a learnt point is forgotten: three half-lives without use",
    ),
    (
        "knowledge.KnowledgeBase.REFRESH",
        knowledge.KnowledgeBase.REFRESH,
        "a point learnt within this share of $r$ of a known point refreshes it instead of "
        "adding a new one (the organisation does not count the same know-how twice)",
    ),
    (
        "organisation.RULE_RIGIDITY",
        organisation.RULE_RIGIDITY,
        "rigidity ranges by rule kind: national law hardest to bend; a unit's habit as hard "
        "as a statute or harder (Crozier 1963: routine resists more than the written rule); "
        "the ranges overlap",
    ),
    (
        "organisation.INNOVATION_KIND_SCOPES",
        organisation.INNOVATION_KIND_SCOPES,
        "which innovations a rule can bind, drawn uniformly: no information to weight them",
    ),
    (
        "agents.MANDATE_SHARE",
        agents.MANDATE_SHARE,
        "a practice may be mandated only once this share of some unit's staff uses it: "
        "managers formalise what they have seen work (observability, trialability)",
    ),
    (
        "agents.MANDATE_GAP",
        agents.MANDATE_GAP,
        "weeks between two mandates in one unit: a unit absorbs one imposed change at a time "
        "(managers' attention, change fatigue)",
    ),
    (
        "ideas.WORK_ANOMALY_SHARE",
        ideas.WORK_ANOMALY_SHARE,
        "anomalies per person-week of daily work, as a share of $r_a$: routine work turns up "
        "far fewer surprises than a pilot or an encounter",
    ),
    (
        "uptake.WILLING_MARGIN",
        uptake.WILLING_MARGIN,
        "staff comply with a mandate only if their threshold is below adhesion plus this "
        "margin: the most reluctant resist an order (partial compliance)",
    ),
    (
        "uptake.DROP_RATE",
        uptake.DROP_RATE,
        "highest weekly chance of dropping a practice (reached when its use is clearly "
        "negative): a harmful practice is given up within weeks, not at once",
    ),
    (
        "uptake.SWITCH_COST",
        uptake.SWITCH_COST,
        "a person with no attention left swaps a practice only for one that seems this many "
        "$s_v$ better: changing habits costs effort",
    ),
    (
        "ideas.PRODUCT_TILT",
        ideas.PRODUCT_TILT,
        "how far, in $s_v$, a new service's mean use value is raised and its mean exchange "
        "value lowered (a new process: the reverse), so the two faces of a product differ by "
        "twice this on average: a new service is worth more to users and costs; a new process "
        "saves (the three faces of value, Groff 2009)",
    ),
    (
        "records.BASS_MIN_ADOPTIONS",
        records.BASS_MIN_ADOPTIONS,
        "adoptions outside the pilot team before a Bass curve is fitted (observation only)",
    ),
    (
        "docking.evidence.MIN_CURVE",
        evidence.MIN_CURVE,
        "adoptions beyond the pilot team before an S-curve is fitted (observation only)",
    ),
]


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value == 1 / 50:
            return "1/50 (0.02)"
        return f"{value:g}"
    if isinstance(value, dict):
        return "; ".join(
            f"{k}: [{lo:g}, {hi:g}]" if isinstance(lo, float) else f"{k}: {lo}"
            for k, (lo, hi) in value.items()
        )
    if isinstance(value, tuple):
        return ", ".join("{" + ", ".join(v) + "}" for v in value)
    return str(value)


def table_params() -> str:
    rows = [
        "| Symbol | Schema name | Group | Default | Range | Unit | Meaning (schema) | Source (schema) | Event? |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, p in PARAMETERS.items():
        default = p.default
        if isinstance(default, bool):
            default = str(default).lower()
        elif isinstance(default, float):
            default = f"{default:g}"
        rng = _range(p)
        if p.type == "choice":
            rng = (
                " / ".join(f"`{c}`" for c in p.choices)
                if name != "ablate"
                else "`none` or a channel (table below)"
            )
        event = "yes" if name in EVENT_PARAMETERS else "no"
        rows.append(
            f"| {p.symbol or '—'} | `{name}` | {p.group} | {default} | {rng} | {p.unit or '—'} "
            f"| {p.en} | {p.source or '—'} | {event} |"
        )
    return "\n".join(rows)


def _num(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:g}"


def _range(p: object) -> str:
    if p.type == "bool":
        return "true / false"
    if p.type == "choice":
        return p.describe_range()
    return f"[{_num(p.low)}, {_num(p.high)}]"


def table_channels() -> str:
    rows = [
        "| Channel (`ablate` value) | Parameter | What is held at the parameter's default when it is switched off | Where (§) |",
        "|---|---|---|---|",
    ]
    where = {
        "openness:partner-contacts": "7.3 (1)",
        "openness:frontline": "7.3 (2)",
        "learning:pilots": "7.7",
        "learning:encounters": "7.3",
        "learning:sharing": "7.7",
        "learning:rules": "7.10",
        "inertia:review": "7.5",
        "inertia:hurdle": "7.5, 7.8",
        "inertia:cost-weight": "7.5, 7.8",
        "inertia:mandate": "7.8",
        "tolerance:initiative": "7.7",
        "tolerance:caution": "7.7",
        "tolerance:lessons": "7.7",
        "tolerance:rules": "7.7",
        "tolerance:derogations": "7.10",
        "serendipity:encounters": "7.3 (4)",
        "serendipity:follow-up": "7.3 (5)",
        "uncertainty:paralysis": "7.2",
        "uncertainty:hurdle": "7.5, 7.8",
        "adhesion:threshold": "7.9",
        "adhesion:compliance": "7.9",
        "recognition:rest": "7.11",
        "recognition:shocks": "7.5, 7.7",
        "serendipity:recognition": "7.4",
        "marginaux:translation": "5 (row 17)",
        "marginaux:brokerage": "5 (row 8)",
    }
    for channel, (param, meaning) in CHANNELS.items():
        shown = f"`{param}`" if param else "— (a mechanism, switched off entirely)"
        rows.append(f"| `{channel}` | {shown} | {meaning} | {where[channel]} |")
    missing = sorted(set(CHANNELS) - set(where))
    if missing:
        raise SystemExit(f"no section for channels {missing}")
    return "\n".join(rows)


def table_constants() -> str:
    rows = ["| Constant (module) | Value | Rationale |", "|---|---|---|"]
    for name, value, why in CONSTANTS:
        rows.append(f"| `{name}` | {_fmt(value)} | {why} |")
    return "\n".join(rows)


def table_kinds() -> str:
    rows = [
        "| Partner kind | Distance from the centre (× $D_P$) | Mean share of a joint pilot it pays | Faces of the novelty premium (use, exchange, esteem) |",
        "|---|---|---|---|",
    ]
    for kind in knowledge.PARTNER_KINDS:
        w = knowledge.KIND_FACES[kind]
        rows.append(
            f"| {kind} | {knowledge.KIND_DISTANCE[kind]:g} | "
            f"{knowledge.KIND_RESOURCES[kind]:g} | {w[0]:g}, {w[1]:g}, {w[2]:g} |"
        )
    w = knowledge.KIND_FACES[""]
    rows.append(f"| (no partner: inside the organisation) | — | — | {w[0]:g}, {w[1]:g}, {w[2]:g} |")
    return "\n".join(rows)


def _set_in_files(path: Path) -> dict[str, object]:
    """Parameters a scenario file sets itself or through the files it extends (not
    default.toml, which sets none)."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    parent = data.get("extends")
    if parent:
        out.update(_set_in_files((path.parent / parent).resolve()))
    out.update(data.get("parameters", {}))
    return out


def table_scenarios() -> str:
    from milieusim.datafile import SCENARIOS
    from milieusim.scenario import load_scenario

    base = defaults()
    rows = [
        "| Scenario | Parameters set (those equal to the default in italics) | Timeline of events |",
        "|---|---|---|",
    ]
    for name, path in SCENARIOS.files().items():
        s = load_scenario(path)
        chosen = _set_in_files(path)
        shown = [
            (
                f"`{n}` {_val(s.parameters[n])}"
                if s.parameters[n] != base[n]
                else f"*`{n}` {_val(s.parameters[n])}*"
            )
            for n in chosen
        ]
        events = " · ".join(
            f"wk {e.step} {e.label('en').lower() or 'event'}: "
            + ", ".join(f"`{n}` {_val(v)}" for n, v in e.set.items())
            for e in s.events
        )
        rows.append(f"| `{name}` | {', '.join(shown) or 'none'} | {events or '—'} |")
    return "\n".join(rows)


def _val(v: object) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return f"`{v}`"
    return str(v)


_UNDEFINED = "as computed in `milieusim.measures` (no formula written here yet)"


def table_weekly() -> str:
    rows = ["| Measure | Label (code) | Definition | Cumulative? | Unit |", "|---|---|---|---|---|"]
    for name, m in REPORTERS.items():
        rows.append(
            f"| `{name}` | {m.en} | {m.definition or _UNDEFINED} | {'yes' if m.cumulative else 'no'} "
            f"| {m.unit or '—'} |"
        )
    return "\n".join(rows)


def table_end() -> str:
    rows = ["| Measure | Label (code) | Definition | Unit |", "|---|---|---|---|"]
    for name, m in END_MEASURES.items():
        rows.append(f"| `{name}` | {m.en} | {m.definition or _UNDEFINED} | {m.unit or '—'} |")
    return "\n".join(rows)


def table_columns() -> str:
    rows = ["| Column | Type | Empty when never? | Meaning (code) |", "|---|---|---|---|"]
    for c in records.COLUMNS:
        rows.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {c.en} |")
    return "\n".join(rows)


TABLES = {
    "params": table_params,
    "channels": table_channels,
    "constants": table_constants,
    "kinds": table_kinds,
    "scenarios": table_scenarios,
    "weekly": table_weekly,
    "end": table_end,
    "columns": table_columns,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="ODD file to update in place")
    parser.add_argument("--check", type=Path, help="ODD file to compare (exit 1 if stale)")
    parser.add_argument("names", nargs="*", help="tables (default: all)")
    args = parser.parse_args()
    names = args.names or list(TABLES)
    target = args.write or args.check
    if target is None:
        for name in names:
            print(f"<!-- {name} -->\n{TABLES[name]()}\n")
        return
    text = original = target.read_text(encoding="utf-8")
    stale = []
    for name in names:
        pattern = re.compile(
            rf"(<!-- BEGIN odd_tables:{name} -->\n).*?(<!-- END odd_tables:{name} -->)", re.S
        )
        if not pattern.search(text):
            print(f"warning: no markers for {name}", file=sys.stderr)
            continue
        table = TABLES[name]()
        before = text
        text = pattern.sub(lambda m, table=table: m.group(1) + table + "\n" + m.group(2), text)
        if text != before:
            stale.append(name)
    if args.check is not None:
        if stale:
            sys.exit(
                f"{target}: stale generated tables {', '.join(stale)}; "
                f"run: uv run python docs/odd_tables.py --write {target}"
            )
        return
    if text != original:
        target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
