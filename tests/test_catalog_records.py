"""The catalog's classes (fundrules/rulesets/catalog.py, `_record`) behave as the dataclasses they
were: same constructor, repr, equality, hash, frozen fields, `replace` and pickling."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from fundrules.rulesets import catalog as catalog_module
from fundrules.rulesets.loader import load_catalog

from .conftest import RULESETS

CLASSES = ("Source", "Revaluation", "Parameter", "Criterion", "Route", "Version", "Variant", "Funder", "ActiveRules")


def _reference(cls, *, frozen=True, eq=True):
    """The class `dataclass` would have generated from the same fields."""
    fields = [
        (f.name, f.type, dataclasses.field(default=f.default, default_factory=f.default_factory, repr=f.repr))
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=frozen, eq=eq)


def _objects():
    """Every record of the bundled catalog, and the rules in force of every funder on a few days."""
    import datetime as dt

    catalog = load_catalog(RULESETS, cache=False)
    found: dict[int, object] = {}

    def walk(value):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if id(value) in found:
                return
            found[id(value)] = value
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple, frozenset)):
            for item in value:
                walk(item)

    walk(catalog.funders)
    for funder in catalog.funders.values():
        for day in (dt.date(2016, 1, 1), dt.date(2019, 6, 1), dt.date(2024, 3, 1)):
            for variant in funder.variants.values() if funder.variant_by else [None]:
                walk(catalog.active(funder, day, variant))
    return list(found.values())


def _hash(value):
    try:
        return hash(value)
    except TypeError as error:
        return str(error)


def test_records_answer_as_the_generated_dataclasses():
    objects = _objects()
    seen = {type(o).__name__ for o in objects}
    assert set(CLASSES) <= seen
    references = {}
    for obj in objects:
        cls = type(obj)
        eq = cls.__name__ not in ("Criterion", "ActiveRules")
        reference = references.setdefault(cls, _reference(cls, eq=eq))
        values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(cls)}
        twin = reference(**values)
        assert repr(obj) == repr(twin)
        copy = cls(**values)
        assert (copy == obj) is (twin == reference(**values))
        if eq:
            assert _hash(obj) == _hash(twin) == _hash(copy)  # or unhashable alike (a dict field)
        else:
            assert copy != obj and hash(obj) == object.__hash__(obj)
        assert pickle.loads(pickle.dumps(obj)).__class__ is cls
        name = dataclasses.fields(cls)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, name)
        positional = cls(*values.values())
        assert vars(positional) == vars(copy) == values
        changed = dataclasses.replace(obj, **{name: "autre"})
        assert getattr(changed, name) == "autre" and type(changed) is cls


def test_records_refuse_what_the_generated_constructors_refuse():
    source = catalog_module.Source("id", "titre")
    assert (source.url, source.article) == (None, None) and source == catalog_module.Source(id="id", title="titre")
    assert (
        source != catalog_module.Source("id", "autre") and source.__eq__(("id", "titre", None, None)) is NotImplemented
    )
    for args, kwargs in (
        ((), {}),
        (("id",), {}),
        (("id", "t", "u", "a", "x"), {}),
        (("id", "t"), {"id": "x"}),
        (("id", "t"), {"nope": 1}),
    ):
        with pytest.raises(TypeError):
            catalog_module.Source(*args, **kwargs)
    funder_fields = {f.name for f in dataclasses.fields(catalog_module.Funder)}
    assert catalog_module.Funder.__match_args__[:2] == ("id", "name") and "variants" in funder_fields
    empty = catalog_module.Catalog()
    assert (
        empty == catalog_module.Catalog()
        and empty.funders == {}
        and empty.funders is not catalog_module.Catalog().funders
    )
    assert catalog_module.Catalog.__hash__ is None  # mutable, compared by value: unhashable, as a dataclass
    empty.directory = "ailleurs"  # not frozen
    assert repr(empty) == "Catalog(funders={}, directory='ailleurs')"
