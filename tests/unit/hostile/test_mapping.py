"""Mapping files for `fcc import`: any YAML gives a valid mapping or an error naming file and key."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from fcc.imports import MappingError, load_mapping
from fcc.imports.mapping import Fx, Mapping, static_rates

from ._text import FAST, hostile_text, scratch

BASE = Path(__file__).resolve().parents[3] / "tests" / "unit" / "imports" / "data" / "own_fiat.yaml"
_TOP = tuple(Mapping.model_fields)
_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text(0, 20),
    st.sampled_from(["UTC", "+02:00", "Europe/Berlin", "x" * 300, "../../etc", "Mars/Base"]),
)
_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text(0, 8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data, prefix=()):
    """Every key path of a nested mapping."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))


_PATHS = sorted(_paths(yaml.safe_load(BASE.read_text())), key=str)


def _apply(data: dict, path: tuple, action: str, value) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path
    node = data
    for key in parents:
        node = node[key]
    if action == "delete":
        del node[last]
    elif action == "set":
        node[last] = value
    else:  # an unknown key next to it
        node[f"{last}_x"] = value
    return data


def _assert_names_file_and_key(exc: pytest.ExceptionInfo, path: Path) -> None:
    prefix = f"mapping {path}: "
    message = str(exc.value)
    assert message.startswith(prefix), message
    rest = message[len(prefix) :]
    assert rest.startswith(
        (*_TOP, "(top level)", "not valid YAML", "expected a mapping", "serves")
    ), rest


@FAST
@given(
    path=st.sampled_from(_PATHS),
    action=st.sampled_from(["set", "delete", "add"]),
    value=_VALUE,
)
@example(path=("fields", "booked_at"), action="set", value={"column": "b", "time_zone": "x" * 300})
@example(path=("time_zone",), action="set", value="a/" * 200)
def test_any_change_gives_a_valid_mapping_or_an_error_naming_file_and_key(path, action, value):
    data = _apply(yaml.safe_load(BASE.read_text()), path, action, value)
    with scratch() as folder:
        target = folder / "mapping.yaml"
        target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        try:
            mapping = load_mapping(target)
        except MappingError as exc:
            _assert_names_file_and_key(
                pytest.ExceptionInfo.from_exc_info((type(exc), exc, None)), target
            )
            return
    assert mapping.kinds == ["fiat"]


@FAST
@given(
    raw=st.one_of(
        st.binary(max_size=80),
        hostile_text(0, 80).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
@example(raw=b"\xff\xfekinds: [fiat]")
@example(raw=b"kinds: [fiat]\nfields: {a: *nope}")
def test_any_bytes_give_a_mapping_or_an_error_naming_the_file(raw):
    with scratch() as folder:
        target = folder / "mapping.yaml"
        target.write_bytes(raw)
        with pytest.raises(MappingError) as exc:
            load_mapping(target)
    assert str(exc.value).startswith(f"mapping {target}: ")


@FAST
@given(
    rates=st.one_of(
        st.dictionaries(st.sampled_from(["EUR", "usd", "BTC", "1"]), _LEAF, max_size=4),
        _VALUE,
    ),
    broken=st.sampled_from([None, b"usd_per_unit: {EUR: [", b"\xff\xfe\x00"]),
)
@example(rates={"EUR": float("nan")}, broken=None)
@example(rates={"EUR": "inf"}, broken=None)
def test_static_rates_are_positive_finite_numbers_or_an_error_naming_the_rate_file(rates, broken):
    with scratch() as folder:
        mapping = folder / "mapping.yaml"
        rate_file = folder / "fx.yaml"
        raw = broken or yaml.safe_dump({"usd_per_unit": rates}, allow_unicode=True).encode(
            "utf-8", "surrogatepass"
        )
        rate_file.write_bytes(raw)
        try:
            got = static_rates(mapping, Fx(static_rates="fx.yaml"))
        except MappingError as exc:
            assert str(rate_file) in str(exc)
            return
    assert broken is None
    assert all(math.isfinite(float(v)) and float(v) > 0 for v in got.values())
