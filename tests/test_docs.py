"""The documentation's generated parts are current."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_odd_tables_match_the_code():
    """docs/ODD.md's generated tables (parameters, channels, constants, partner kinds,
    scenarios, measures, per-innovation columns) are those the code gives today."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "docs" / "odd_tables.py"),
            "--check",
            str(ROOT / "docs" / "ODD.md"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


def _named_in_contributing() -> list[str]:
    """The code spans (without spaces) of CONTRIBUTING.md, placeholders (``<kind>``) left out."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return sorted({span for span in re.findall(r"`([^`\s]+)`", text) if "<" not in span})


def test_contributing_names_files_that_exist():
    """Every file and folder CONTRIBUTING.md's recipes name exists: a path from the
    repository's root, from ``src/milieusim/``, or the end of a path under it
    (``store/manifest.py``)."""
    package = ROOT / "src" / "milieusim"
    named = [
        span
        for span in _named_in_contributing()
        if re.fullmatch(r"[\w./-]+(\.py|\.md|\.toml|/)", span) and not span.startswith(".")
    ]
    assert len(named) > 30  # the recipes name files: the pattern still finds them

    def exists(span: str) -> bool:
        if (ROOT / span).exists() or (package / span).exists():
            return True
        return any(path.as_posix().endswith("/" + span.rstrip("/")) for path in package.rglob("*"))

    assert [span for span in named if not exists(span)] == []


def _top_level_names(source: Path) -> set[str]:
    """Names a module defines or imports at its top level (read, not imported)."""
    names: set[str] = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def test_contributing_names_module_attributes_that_exist():
    """Every ``module.NAME`` CONTRIBUTING.md names (``measures.COUNTERS``,
    ``validation/parameters.OTHER_RANGES``) is defined at the top of that milieusim module."""
    package = ROOT / "src" / "milieusim"
    checked, missing = 0, []
    for span in _named_in_contributing():
        found = re.fullmatch(r"([a-z_][\w/.]*)\.([A-Za-z_]\w*)", span)
        if not found or found.group(2) in ("py", "md", "toml", "json", "parquet"):
            continue  # a file's name
        module = package / found.group(1).replace(".", "/")
        source = next(
            (s for s in (module.with_suffix(".py"), module / "__init__.py") if s.exists()), None
        )
        if source is None:
            continue  # not a module of ours (``m.p``, ``self.model.p``)
        checked += 1
        if found.group(2) not in _top_level_names(source):
            missing.append(span)
    assert checked >= 5
    assert missing == []
