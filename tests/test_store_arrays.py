"""The results store builds its Arrow arrays from raw buffers (to keep pandas out of the
sweep's main process, docs/PERFORMANCE.md): they must equal pyarrow's own conversions."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from milieusim.experiment.store import _arrow_array, _numpy_array, new_part_id

TYPES = {
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "float64": (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    "bool": (pa.bool_(), st.booleans()),
    "string": (pa.string(), st.text()),
}


def same(ours: pa.Array, theirs: pa.Array) -> bool:
    """Equal types, nulls and values (NaN equal to NaN, which ``pa.Array.equals`` denies)."""
    ours.validate(full=True)

    def values(array: pa.Array) -> list[object]:
        return ["NaN" if isinstance(v, float) and math.isnan(v) else v for v in array.to_pylist()]

    return (
        ours.type == theirs.type
        and ours.is_null().equals(theirs.is_null())
        and values(ours) == values(theirs)
    )


@st.composite
def typed_lists(draw: st.DrawFn) -> tuple[pa.DataType, list[object]]:
    type_, values = TYPES[draw(st.sampled_from(sorted(TYPES)))]
    return type_, draw(st.lists(st.none() | values, max_size=40))


@given(typed_lists())
def test_lists_with_nulls_convert_as_pyarrow_does(case: tuple[pa.DataType, list]) -> None:
    type_, values = case
    assert same(_arrow_array(values, type_), pa.array(values, type_))


@given(
    st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.booleans()), max_size=40),
    st.booleans(),
)
def test_numpy_columns_with_a_validity_mask(pairs: list[tuple[float, bool]], as_int: bool) -> None:
    type_ = pa.int64() if as_int else pa.float64()
    values = np.array([v for v, _ in pairs], dtype=float)
    if as_int:
        values = np.where(np.isfinite(values), np.clip(values, -1e18, 1e18), 7).astype(np.int64)
    valid = np.array([ok for _, ok in pairs], dtype=bool)
    assert same(_numpy_array(values, type_, valid), pa.array(values, type_, mask=~valid))
    assert same(_numpy_array(values, type_), pa.array(values, type_))


def test_part_ids_sort_by_writing_time() -> None:
    ids = [new_part_id() for _ in range(1000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i > "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" for i in ids)  # after UUIDv7 names
