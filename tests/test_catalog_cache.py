"""The cache of loaded catalogs (fundrules/rulesets/cache.py): same catalog and same answers as
without it, never a stale, corrupted or tampered entry, nothing written when it is off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fundrules import Engine, load_case
from fundrules.engine import durable_backend, durable_check
from fundrules.errors import InputError
from fundrules.library import find_case_files, load_library_case
from fundrules.provenance import ruleset_files
from fundrules.rulesets import cache
from fundrules.rulesets import loader as loader_module
from fundrules.rulesets.loader import load_catalog

from .conftest import EXAMPLES, ROOT, RULESETS


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("catalog-*.pickle")) if folder.is_dir() else []


def plain(value: Any) -> Any:
    """A catalog as nested plain values, to compare two catalogs field by field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "_active"}
        return type(value).__name__, fields
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [plain(item) for item in value]
    return value


def load_twice(directory: Path):
    """(catalog built and written, catalog read back from the cache)."""
    first = load_catalog(directory)
    second = load_catalog(directory)
    assert second is not first
    return first, second


# -- same catalog, same answers --------------------------------------------------------------------


def test_a_cached_catalog_equals_the_catalog_read_from_the_files(cache_dir):
    written, cached = load_twice(RULESETS)
    assert len(entries(cache_dir)) == 1
    fresh = load_catalog(RULESETS, cache=False)
    assert plain(cached.funders) == plain(fresh.funders) == plain(written.funders)
    assert cached.directory == fresh.directory == str(RULESETS)
    assert cached.files == ruleset_files(RULESETS)  # the digests provenance gives, from the bytes parsed
    assert len(cached.funders) == 31


def test_the_change_days_kept_with_the_entry_are_those_computed_from_the_rules(cache_dir):
    written, cached = load_twice(RULESETS)
    fresh = load_catalog(RULESETS, cache=False)
    tracks = [(f, v) for f in fresh.funders.values() for v in (None, *f.variants.values())]
    assert len(cached._changes) == len(tracks) > 31  # read back with the entry, not computed
    for funder, variant in tracks:
        assert cached.change_days(cached.funders[funder.id], variant) == fresh.change_days(funder, variant)


def test_answers_are_identical_with_and_without_the_cache(cache_dir):
    load_catalog(RULESETS)  # writes the entry
    cached, fresh = Engine(RULESETS, backend="python"), Engine(load_catalog(RULESETS, cache=False), backend="python")
    assert getattr(cached.catalog, "_cache_entry", None) is not None  # really read from the cache
    cases = [load_case(path) for path in sorted(EXAMPLES.glob("*.yaml"))]
    cases += [load_library_case(path).case for path in find_case_files([ROOT / "cases"])]
    assert len(cases) > 50
    for case in cases:
        for explain in (False, True):
            assert (
                cached.evaluate(case, explain=explain).model_dump_json()
                == fresh.evaluate(case, explain=explain).model_dump_json()
            )
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        assert cached.plan(case).model_dump_json() == fresh.plan(case).model_dump_json()


@pytest.mark.skipif(not durable_backend.available(), reason="durable-rules is not importable here")
def test_durable_answers_are_identical_with_the_cache(cache_dir):
    load_catalog(RULESETS)
    cached = Engine(RULESETS, backend="durable")
    fresh = Engine(load_catalog(RULESETS, cache=False), backend="durable")
    assert getattr(cached.catalog, "_cache_entry", None) is not None
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        assert cached.evaluate(case).model_dump_json() == fresh.evaluate(case).model_dump_json()


def test_the_catalog_is_built_from_the_bytes_it_was_keyed_on(cache_dir, monkeypatch):
    """Each ruleset file is read once, before the key is computed: an edit between the two cannot
    put a catalog of other files under the key."""

    def refuse(path):
        raise AssertionError(f"{path} read a second time")

    monkeypatch.setattr(loader_module, "read_document", refuse)
    catalog = load_catalog(RULESETS)
    assert len(catalog.funders) == 31 and len(entries(cache_dir)) == 1


# -- never stale -----------------------------------------------------------------------------------


def test_a_ruleset_edited_after_caching_is_read_again(cache_dir, ruleset_dir):
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")  # a 2018 CIF-CDD training course, not a skills review
    before = Engine(load_catalog(ruleset_dir.root), backend="python").evaluate(case)
    assert before.result("cif").status == "eligible"
    load_catalog(ruleset_dir.root)  # read from the cache
    # the CIF of 2015-2018 now pays only skills reviews: a stale catalog would still say eligible
    ruleset_dir.edit("cif/2015-01-01.yaml", '!= "bilan_competences"', '== "bilan_competences"')
    after = Engine(load_catalog(ruleset_dir.root), backend="python").evaluate(case)
    assert after.result("cif").status == "blocked"
    assert len(entries(cache_dir)) == 2
    assert after.provenance.rulesets_digest != before.provenance.rulesets_digest


def test_a_file_added_or_renamed_is_a_new_entry(cache_dir, ruleset_dir):
    drafts = ruleset_dir.root / ".drafts"  # a hidden folder: listed in the key, its content never read
    drafts.mkdir()
    load_catalog(ruleset_dir.root)
    (drafts / "cpf.yaml").write_text("x: 1\n", encoding="utf-8")
    load_catalog(ruleset_dir.root)
    assert len(entries(cache_dir)) == 1
    plan = next((ruleset_dir.root / "_plan").glob("*.yaml"))
    plan.rename(plan.with_name("9999-" + plan.name))  # the plan rules are part of the key too
    load_catalog(ruleset_dir.root)
    assert len(entries(cache_dir)) == 2


def _empty_funder_folder(root: Path) -> str:
    (root / "nouveau_financeur").mkdir()
    return "funder.yaml manquant"


def _broken_symlink(root: Path) -> str:
    (root / "cpf" / "2030-01-01.yaml").symlink_to(root / "cpf" / "absent.yaml")
    return "introuvable"


def _fifo(root: Path) -> str:
    os.mkfifo(root / "cpf" / "2030-01-01.yaml")
    return "pas un fichier ordinaire"


@pytest.mark.parametrize("plant", [_empty_funder_folder, _broken_symlink, _fifo])
def test_an_entry_that_is_not_a_ruleset_file_is_refused_with_the_cache_warm(cache_dir, ruleset_dir, plant):
    """Issue 20, item 4: the loader refuses these entries; a warm cache must not answer in its place
    (their content is not in the files read for the key: the listing of the folder is)."""
    load_catalog(ruleset_dir.root)  # warm
    assert getattr(load_catalog(ruleset_dir.root), "_cache_entry", None) is not None
    reason = plant(ruleset_dir.root)
    with pytest.raises(InputError, match=reason):
        load_catalog(ruleset_dir.root, cache=False)
    with pytest.raises(InputError, match=reason):
        load_catalog(ruleset_dir.root)
    assert len(entries(cache_dir)) == 1  # and nothing cached for the broken folder


def test_rulesets_lint_with_a_warm_cache_reports_an_empty_funder_folder(tmp_path, ruleset_dir):
    """The command the issue ran: exit 2 with and without the cache."""
    env = {**os.environ, "FUNDRULES_NO_CACHE": "0", "FUNDRULES_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "fundrules", "rulesets", "lint", "--rulesets", str(ruleset_dir.root)]
    assert subprocess.run(command, env=env, capture_output=True, cwd=ROOT).returncode == 0
    (ruleset_dir.root / "nouveau_financeur").mkdir()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "nouveau_financeur" in done.stderr + done.stdout


def test_other_code_or_another_folder_is_another_entry(cache_dir, monkeypatch, ruleset_dir):
    load_catalog(RULESETS)
    load_catalog(ruleset_dir.root)  # same files elsewhere: its catalog names other files
    assert len(entries(cache_dir)) == 2
    assert load_catalog(ruleset_dir.root).directory == str(ruleset_dir.root)
    monkeypatch.setattr(cache, "_code_digest", lambda: b"other code")
    load_catalog(RULESETS)
    assert len(entries(cache_dir)) == 3


def test_an_invalid_ruleset_is_refused_every_time_and_never_cached(cache_dir, ruleset_dir):
    ruleset_dir.edit("cpf/funder.yaml", "name:", "nom:")
    for _ in range(2):
        with pytest.raises(InputError, match="funder.yaml"):
            load_catalog(ruleset_dir.root)
    assert entries(cache_dir) == []


def test_old_entries_are_removed_beyond_the_limit(cache_dir, monkeypatch):
    for index in range(cache.MAX_ENTRIES + 3):
        monkeypatch.setattr(cache, "_code_digest", lambda index=index: f"code {index}".encode())
        load_catalog(RULESETS)
    assert len(entries(cache_dir)) == cache.MAX_ENTRIES


# -- never corrupted or tampered -------------------------------------------------------------------


def only_entry(folder: Path) -> Path:
    (entry,) = entries(folder)
    return entry


def rewrite_payload(entry: Path, payload: bytes) -> None:
    """Replace the pickled payload of an entry, with a matching checksum (as its owner could)."""
    magic, key, _checksum, _payload = entry.read_bytes().split(b"\n", 3)
    entry.write_bytes(b"\n".join([magic, key, hashlib.sha256(payload).hexdigest().encode(), payload]))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-100] + bytes(100),  # payload overwritten: checksum differs
        lambda data: data.replace(b"Compte personnel", b"Compte persxnnel", 1),  # still a valid pickle
        lambda data: b"",  # empty
        lambda data: b"not a cache entry at all\n",
    ],
)
def test_a_corrupted_entry_is_ignored_and_rewritten(cache_dir, damage):
    expected = plain(load_catalog(RULESETS, cache=False).funders)
    load_catalog(RULESETS)
    entry = only_entry(cache_dir)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    catalog = load_catalog(RULESETS)
    assert plain(catalog.funders) == expected
    assert entry.read_bytes() == good  # rewritten
    assert getattr(load_catalog(RULESETS), "_cache_entry", None) is not None


def test_an_entry_that_names_other_code_is_refused_before_it_runs(cache_dir, tmp_path):
    sentinel = tmp_path / "sentinel"
    sentinel.write_text("still here", encoding="utf-8")

    class Exploit:
        def __reduce__(self):
            return (os.remove, (str(sentinel),))

    load_catalog(RULESETS)
    rewrite_payload(only_entry(cache_dir), pickle.dumps(({"cpf": Exploit()}, {}, {})))
    catalog = load_catalog(RULESETS)
    assert sentinel.exists() and len(catalog.funders) == 31


def test_an_entry_others_could_write_is_not_used(cache_dir):
    load_catalog(RULESETS)
    entry = only_entry(cache_dir)
    real = load_catalog(RULESETS, cache=False)
    funders = dict(real.funders)
    funders["cpf"] = dataclasses.replace(funders["cpf"], name="Financeur inventé")
    rewrite_payload(entry, pickle.dumps((funders, real.files, {}), protocol=pickle.HIGHEST_PROTOCOL))
    assert load_catalog(RULESETS).funders["cpf"].name == "Financeur inventé"  # the entry is read as it is...
    entry.chmod(0o666)
    assert load_catalog(RULESETS).funders["cpf"].name == real.funders["cpf"].name  # ...unless others may write it
    entry.chmod(0o600)
    cache_dir.chmod(0o777)
    try:
        assert load_catalog(RULESETS).funders["cpf"].name == real.funders["cpf"].name
    finally:
        cache_dir.chmod(0o700)


def test_a_cache_folder_that_is_a_symbolic_link_is_refused(cache_dir, tmp_path):
    """Issue 20, item 4: a link planted in place of the cache folder is not followed (nothing written
    into its target, nothing read from it)."""
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    cache_dir.symlink_to(target)
    assert len(load_catalog(RULESETS).funders) == 31
    assert getattr(load_catalog(RULESETS), "_cache_entry", None) is None
    assert list(target.iterdir()) == []


def test_a_cache_folder_in_a_parent_others_can_write_is_refused(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # any user could rename the cache folder and put theirs in its place
    monkeypatch.setenv("FUNDRULES_NO_CACHE", "0")
    monkeypatch.setenv("FUNDRULES_CACHE_DIR", str(shared / "sub" / "cache"))
    try:
        assert len(load_catalog(RULESETS).funders) == 31
        assert not (shared / "sub").exists()  # nothing made there
        shared.chmod(0o1777)  # sticky, as /tmp: others cannot rename or remove what is ours
        load_catalog(RULESETS)
        assert getattr(load_catalog(RULESETS), "_cache_entry", None) is not None
    finally:
        shared.chmod(0o700)


def test_a_cache_folder_that_cannot_be_written_is_no_cache(cache_dir):
    cache_dir.parent.joinpath("cache").write_text("a file, not a folder", encoding="utf-8")
    assert len(load_catalog(RULESETS).funders) == 31


# -- where, and off --------------------------------------------------------------------------------


def test_the_bundled_rulesets_are_cached_by_default_in_the_users_cache_folder(monkeypatch, tmp_path):
    # Issue 27's decision: the bundled rules are cached by default where pip, mypy and ruff keep theirs
    # ($XDG_CACHE_HOME, else ~/.cache); rulesets of the user's own only where the user names a folder.
    monkeypatch.delenv("FUNDRULES_NO_CACHE", raising=False)
    monkeypatch.delenv("FUNDRULES_CACHE_DIR", raising=False)
    monkeypatch.delenv("FUNDRULES_RULESETS", raising=False)
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir(bundled=True) == tmp_path / "xdg" / "fundrules"
    assert cache.cache_dir() is None  # not the bundled rulesets: nothing written unasked
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # the XDG rule: a relative value is ignored
    assert cache.cache_dir(bundled=True) == tmp_path / "home" / ".cache" / "fundrules"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir(bundled=True) == tmp_path / "home" / ".cache" / "fundrules"
    monkeypatch.setattr(cache.sys, "platform", "darwin")
    assert cache.cache_dir(bundled=True) == tmp_path / "home" / "Library" / "Caches" / "fundrules"
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setenv("FUNDRULES_CACHE_DIR", "relative/folder")  # moved, but to no usable folder: none
    assert cache.cache_dir(bundled=True) is None and cache.cache_dir() is None
    monkeypatch.setenv("FUNDRULES_CACHE_DIR", str(tmp_path / "chosen"))  # moved: every ruleset directory
    assert cache.cache_dir(bundled=True) == cache.cache_dir() == tmp_path / "chosen"
    monkeypatch.setenv("FUNDRULES_NO_CACHE", "1")
    assert cache.cache_dir(bundled=True) is None and cache.cache_dir() is None


def test_the_default_cache_holds_the_bundled_rulesets_only(monkeypatch, tmp_path, ruleset_dir):
    monkeypatch.delenv("FUNDRULES_NO_CACHE", raising=False)
    monkeypatch.delenv("FUNDRULES_CACHE_DIR", raising=False)
    monkeypatch.delenv("FUNDRULES_RULESETS", raising=False)
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "fundrules"
    load_catalog(ruleset_dir.root)  # the user's own rulesets: not cached unasked
    assert not (tmp_path / "xdg").exists()
    first = load_catalog()  # the shipped ones: written, then read back
    assert len(entries(folder)) == 1
    assert folder.stat().st_mode & 0o777 == 0o700 and entries(folder)[0].stat().st_mode & 0o777 == 0o600
    second = load_catalog()
    assert getattr(second, "_cache_entry", None) == (folder, entries(folder)[0].name[len("catalog-") : -len(".pickle")])
    assert plain(second.funders) == plain(first.funders)
    monkeypatch.setenv("FUNDRULES_RULESETS", str(ruleset_dir.root))  # the bundled ones replaced: not cached
    load_catalog()
    assert len(entries(folder)) == 1


def test_check_answers_the_same_with_the_default_cache_and_without(tmp_path):
    """The command as installed: the cache on by default (here in a temporary XDG folder) gives the
    same answer as with FUNDRULES_NO_CACHE=1, when it writes the entry and when it reads it back; a
    damaged entry is refused (rebuilt), never an error nor another answer."""
    case = str(EXAMPLES / "ancien-cdd-2018.yaml")
    xdg = tmp_path / "xdg"
    base = {k: v for k, v in os.environ.items() if k not in ("FUNDRULES_CACHE_DIR", "FUNDRULES_RULESETS")}

    def check(use_cache: bool, engine: str = "durable") -> str:
        env = {**base, "FUNDRULES_NO_CACHE": "0" if use_cache else "1", "XDG_CACHE_HOME": str(xdg)}
        command = [sys.executable, "-m", "fundrules", "check", case, "--engine", engine, "--format", "json"]
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    if sys.platform == "darwin":
        pytest.skip("the default folder is ~/Library/Caches there")
    without = check(False)
    assert not xdg.exists()
    assert check(True) == without  # written
    [entry] = entries(xdg / "fundrules")
    assert check(True) == without  # read back
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF  # damaged: the checksum no longer matches
    entry.write_bytes(bytes(data))
    assert check(True) == without
    assert entry.read_bytes() != bytes(data)  # refused and written again
    assert check(True, "python") == check(False, "python")


def test_nothing_is_written_when_the_cache_is_off(cache_dir, monkeypatch):
    load_catalog(RULESETS, cache=False)
    monkeypatch.setenv("FUNDRULES_NO_CACHE", "1")
    Engine(RULESETS, backend="python")
    assert not cache_dir.exists()


# -- durable-rules load-time checks ----------------------------------------------------------------


@pytest.mark.skipif(not durable_backend.available(), reason="durable-rules is not importable here")
def test_durable_checks_are_skipped_only_for_a_cached_catalog_that_passed_them(cache_dir, monkeypatch, ruleset_dir):
    calls: list[Any] = []
    real = durable_check.check_condition
    monkeypatch.setattr(durable_check, "check_condition", lambda node, params: calls.append(node) or real(node, params))
    Engine(ruleset_dir.root, backend="durable")  # built: checked, then marked
    first = len(calls)
    assert first > 150  # each distinct condition and parameter values once (counted in test_durable_exact.py)
    Engine(ruleset_dir.root, backend="durable")  # from the cache, marked, the plan rules kept with it
    assert len(calls) == first
    Engine(load_catalog(ruleset_dir.root, cache=False), backend="durable")  # no cache: all checked
    assert len(calls) == 2 * first
    ruleset_dir.edit("cif/2015-01-01.yaml", "verified: true", "verified: false")
    calls.clear()
    Engine(ruleset_dir.root, backend="durable")  # other files: checked again
    assert len(calls) == first


@pytest.mark.skipif(not durable_backend.available(), reason="durable-rules is not importable here")
def test_a_cached_ruleset_durable_cannot_run_is_still_refused(cache_dir, ruleset_dir):
    ruleset_dir.edit(  # the python backend computes it exactly; durable-rules could not compare it
        "cif/2015-01-01.yaml",
        'condition: projet.type_action != "bilan_competences"',
        'condition: projet.duree_heures * 1000000000 * 1000000000 > 1 and projet.type_action != "bilan_competences"',
    )
    load_catalog(ruleset_dir.root)  # valid for the python backend: cached, never marked
    for _ in range(2):
        with pytest.raises(InputError, match="2\\*\\*53"):
            Engine(ruleset_dir.root, backend="durable")
    assert not list(cache_dir.glob("*.durable"))


@pytest.mark.skipif(not durable_backend.available(), reason="durable-rules is not importable here")
def test_the_durable_marker_holds_only_for_the_durable_rules_release_that_passed(cache_dir, monkeypatch, ruleset_dir):
    """Issue 20, item 4: checks that passed under one durable-rules release prove nothing for another."""
    Engine(ruleset_dir.root, backend="durable")  # checked and marked
    assert cache.durable_checked(load_catalog(ruleset_dir.root))
    monkeypatch.setattr(cache, "durable_rules_version", lambda: "2.0.29")
    assert not cache.durable_checked(load_catalog(ruleset_dir.root))
    calls: list[Any] = []
    real = durable_check.check_condition
    monkeypatch.setattr(durable_check, "check_condition", lambda node, params: calls.append(node) or real(node, params))
    Engine(ruleset_dir.root, backend="durable")
    assert len(calls) > 150  # checked again under the other release
    assert cache.durable_checked(load_catalog(ruleset_dir.root))  # and marked for it


# -- the command line ------------------------------------------------------------------------------


def test_check_prints_the_same_answer_from_the_cache(tmp_path):
    case = str(EXAMPLES / "ancien-cdd-2018.yaml")
    folder = tmp_path / "cache"

    def check(use_cache: bool) -> str:
        env = {**os.environ, "FUNDRULES_NO_CACHE": "0" if use_cache else "1", "FUNDRULES_CACHE_DIR": str(folder)}
        result = subprocess.run(
            [sys.executable, "-m", "fundrules", "check", case, "--engine", "python", "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    without = check(False)
    assert not folder.exists()
    assert check(True) == without  # written
    assert check(True) == without  # read back
    assert len(entries(folder)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]  # nothing else written


def test_plain_dates_survive_the_cache(cache_dir):
    load_catalog(RULESETS)
    version = load_catalog(RULESETS).funders["cpf"].versions[0]
    assert type(version.valid_from) is dt.date


# -- the plan rules, kept next to the catalog ------------------------------------------------------


def plans(folder: Path) -> list[Path]:
    return sorted(folder.glob("catalog-*.plan")) if folder.is_dir() else []


def plan_view(versions) -> list:
    """Plan versions as plain values: what a plan is built from (the guards' compiled conditions
    are compared by what they answer, in test_plan_rules_from_the_cache_answer_as_from_the_files)."""
    return [
        (
            v.label,
            v.valid_from,
            v.valid_to,
            v.order,
            v.complements,
            dict(v.excludes),
            plain(v.active.version),
            [(funder, key) for funder, key, _ in v.unlock_only_if],
        )
        for v in versions
    ]


def test_plan_rules_from_the_cache_answer_as_from_the_files(cache_dir, monkeypatch):
    from fundrules.plan import rules as plan_rules

    fresh = plan_rules.load_plan_rules(RULESETS, load_catalog(RULESETS, cache=False))
    assert plans(cache_dir) == []  # no catalog entry, no plan entry
    written = plan_rules.load_plan_rules(RULESETS, load_catalog(RULESETS))
    (entry,) = plans(cache_dir)
    assert entry.name == only_entry(cache_dir).name.replace(".pickle", ".plan")  # the catalog's key
    assert entry.stat().st_mode & 0o077 == 0  # private, as the catalog's entry
    writer = Engine(RULESETS, backend="python")  # the plan rules read back now; the files never read

    def refuse(*args):
        raise AssertionError("plan rules read from the files despite the cache")

    monkeypatch.setattr(plan_rules, "_read_specs", refuse)
    cached = plan_rules.load_plan_rules(RULESETS, load_catalog(RULESETS))
    assert plan_view(cached) == plan_view(written) == plan_view(fresh)
    assert len(fresh) == 1 and len(fresh[0].active.version.criteria) >= 5 and fresh[0].unlock_only_if
    # the unlock guards compiled again answer as those compiled from the files
    facts = [{}, {"beneficiaire.arret_maladie": True}, {"beneficiaire.arret_maladie": False}]
    for (_, _, again), (_, _, first) in zip(cached[0].unlock_only_if, fresh[0].unlock_only_if, strict=True):
        assert [again(f, {}) for f in facts] == [first(f, {}) for f in facts]
    # and the plans of every example are the same, to the byte, as without any cache
    reader = Engine(RULESETS, backend="python")
    monkeypatch.undo()
    without = Engine(load_catalog(RULESETS, cache=False), backend="python")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = load_case(path)
        expected = without.plan(case).model_dump_json()
        assert reader.plan(case).model_dump_json() == expected == writer.plan(case).model_dump_json()


def test_plan_files_edited_after_the_catalog_was_read_are_not_kept_under_its_key(cache_dir, ruleset_dir):
    from fundrules.plan.rules import load_plan_rules

    catalog = load_catalog(ruleset_dir.root)  # keyed on the plan file as it was
    ruleset_dir.edit("_plan/2015-01-01.yaml", "n'intervient qu'en dernier recours", "intervient en dernier")
    versions = load_plan_rules(ruleset_dir.root, catalog)
    assert any("intervient en dernier" in c.message for c in versions[0].active.version.criteria)  # as read
    assert plans(cache_dir) == []  # not the bytes of the key: nothing kept
    load_plan_rules(ruleset_dir.root, load_catalog(ruleset_dir.root))  # a new key, for the edited file
    assert len(plans(cache_dir)) == 1


@pytest.mark.parametrize(
    "payload",
    [
        None,  # truncated
        pickle.dumps("not a list of plan versions"),
        pickle.dumps([{"label": "2015"}]),  # a spec without its fields
    ],
)
def test_a_damaged_plan_entry_is_a_miss(cache_dir, payload, tmp_path):
    from fundrules.plan.rules import load_plan_rules

    expected = plan_view(load_plan_rules(RULESETS, load_catalog(RULESETS, cache=False)))
    load_plan_rules(RULESETS, load_catalog(RULESETS))
    (entry,) = plans(cache_dir)
    if payload is None:
        entry.write_bytes(entry.read_bytes()[:-50])
    else:
        rewrite_payload(entry, payload)
    assert plan_view(load_plan_rules(RULESETS, load_catalog(RULESETS))) == expected


def test_a_plan_entry_that_names_other_code_is_refused_before_it_runs(cache_dir, tmp_path):
    from fundrules.plan.rules import load_plan_rules

    sentinel = tmp_path / "sentinel"
    sentinel.write_text("still here", encoding="utf-8")

    class Exploit:
        def __reduce__(self):
            return (os.remove, (str(sentinel),))

    load_plan_rules(RULESETS, load_catalog(RULESETS))
    (entry,) = plans(cache_dir)
    rewrite_payload(entry, pickle.dumps([Exploit()]))
    versions = load_plan_rules(RULESETS, load_catalog(RULESETS))
    assert sentinel.exists() and len(versions) == 1


def test_plan_entries_are_removed_with_their_catalog(cache_dir, monkeypatch):
    from fundrules.plan.rules import load_plan_rules

    for index in range(cache.MAX_ENTRIES + 2):
        monkeypatch.setattr(cache, "_code_digest", lambda index=index: f"code {index}".encode())
        load_plan_rules(RULESETS, load_catalog(RULESETS))
    assert len(plans(cache_dir)) == len(entries(cache_dir)) == cache.MAX_ENTRIES
    assert {p.stem for p in plans(cache_dir)} == {p.stem for p in entries(cache_dir)}


def test_no_plan_entry_when_the_cache_is_off(tmp_path, monkeypatch):
    from fundrules.plan.rules import load_plan_rules

    folder = tmp_path / "cache"
    monkeypatch.setenv("FUNDRULES_NO_CACHE", "1")
    monkeypatch.setenv("FUNDRULES_CACHE_DIR", str(folder))
    assert len(load_plan_rules(RULESETS, load_catalog(RULESETS))) == 1
    assert not folder.exists()
