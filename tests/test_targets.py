"""The sourced targets file and its loader (issue 17, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import assert_one_line_error, invoke

from milieusim.barometer import ANSWERS
from milieusim.targets import SHIPPED, Target, TargetsError, load_targets, shipped_targets

GOOD = """
[[target]]
id = "x_share"
en = "A share"
fr = "Une part"
kind = "share"
value = 0.5
n = 100
weighted = true
question = "Did you?"
question_verbatim = true
population = "Someone"
year = "2020"
source = "Somebody (2020). A report."
url = "https://example.org/report"
verified = true
answer = "introduced"
comparable = "yes"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_has_at_least_eight_read_figures() -> None:
    targets = load_targets(SHIPPED, answers=ANSWERS)
    read = [t for t in targets if t.verified and t.value is not None]
    assert len(read) >= 8
    assert len({t.id for t in targets}) == len(targets)
    for t in targets:
        assert t.source and t.url.startswith("http") and t.question and t.population
        assert t.verified or t.read_instead  # an unread figure says what was read instead
        assert not t.answer or t.answer in ANSWERS
    # the sources the issue names are all there
    ids = {t.id for t in targets}
    for prefix in ("dk_", "no_ks2018", "no_ks2020", "apsc_", "dvkl_", "nao2006_"):
        assert any(i.startswith(prefix) for i in ids), prefix


def test_shares_and_their_interval() -> None:
    by_id = {t.id: t for t in shipped_targets()}
    reuse = by_id["dk_latest_reuse"]
    assert reuse.value == 0.74 and reuse.n == 1352 and reuse.weighted
    low, high = reuse.interval()  # type: ignore[misc]
    assert low < 0.74 < high and high - low == pytest.approx(2 * 1.96 * (0.74 * 0.26 / 1352) ** 0.5)
    assert by_id["nao2006_timeframe"].interval() is None  # months, not a share
    assert by_id["dvkl_evidence_slope"].value == 0.0  # the flat slope, as a sign


def test_a_good_file_loads(tmp_path: Path) -> None:
    (target,) = load_targets(write(tmp_path, GOOD), answers=ANSWERS)
    assert isinstance(target, Target)
    assert (target.id, target.value, target.n, target.label("fr")) == (
        "x_share",
        0.5,
        100,
        "Une part",
    )


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ("value = 0.5", "value = 74", ("value = 74", "out of range [0, 1]", "0.74, not 74")),
        ('kind = "share"', 'kind = "ratio"', ("kind = 'ratio'", "share, months, sign")),
        ("n = 100", "n = -3", ("n = -3", "out of range")),
        ("verified = true", 'verified = "yes"', ("verified", "TOML boolean")),
        ('url = "https://example.org/report"', 'url = "example.org"', ("url", "http")),
        ('answer = "introduced"', 'answer = "introduce"', ("answer", "unknown barometer")),
        ('comparable = "yes"', 'comparable = "maybe"', ("comparable", "yes, proxy, no")),
        ('id = "x_share"', 'id = "X share"', ("id = 'X share'", "lower-case")),
        ("weighted = true\n", "", ("missing key weighted",)),
        ("population", "populaton", ("populaton", "unknown key")),
        ("verified = true", "verified = false", ("read_instead",)),
        ("value = 0.5\n", "", ("missing key value",)),
    ],
)
def test_a_bad_file_is_one_line_naming_file_and_key(
    tmp_path: Path, old: str, new: str, fragments: tuple[str, ...]
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(TargetsError) as info:
        load_targets(path, answers=ANSWERS)
    message = str(info.value)
    assert "\n" not in message and "targets.toml" in message
    for fragment in fragments:
        assert fragment in message, message


def test_an_unread_figure_may_have_no_value(tmp_path: Path) -> None:
    text = GOOD.replace("value = 0.5\n", "").replace(
        "verified = true", 'verified = false\nread_instead = "only the item wording"'
    )
    (target,) = load_targets(write(tmp_path, text))
    assert target.value is None and not target.verified and target.interval() is None


def test_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(TargetsError, match="used twice"):
        load_targets(write(tmp_path, GOOD + GOOD))
    with pytest.raises(TargetsError, match=r"one or more \[\[target\]\]"):
        load_targets(write(tmp_path, "# nothing\n"))
    with pytest.raises(TargetsError, match="no such file"):
        load_targets(tmp_path / "missing.toml")
    with pytest.raises(TargetsError, match="invalid TOML"):
        load_targets(write(tmp_path, "[[target]\n"))


def test_the_command_refuses_a_bad_targets_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("value = 0.5", "value = 1.5"))
    result = invoke("barometer", str(tmp_path), "--targets", str(path))
    assert_one_line_error(result, "targets.toml", "value = 1.5")


def test_the_shipped_file_is_where_the_command_looks() -> None:
    assert SHIPPED.name == "public-innovation.toml" and SHIPPED.parent.name == "targets"
