"""What the ruleset cache's key is computed from (fundrules/provenance.py `read_ruleset_files`,
fundrules/rulesets/cache.py `directory_listing`, `entry_key`): which files are read, what the
listing says of each entry, and that the key follows the files' bytes, not their size or date."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from fundrules import Engine, load_case
from fundrules.provenance import read_ruleset_files
from fundrules.rulesets import cache
from fundrules.rulesets.loader import load_catalog

from .conftest import EXAMPLES


@pytest.fixture
def tree(tmp_path) -> Path:
    """A folder holding every kind of entry a rulesets folder may meet."""
    root = tmp_path / "rules"
    for folder in ("cpf", "cpf/notes", ".drafts", "aif"):
        (root / folder).mkdir(parents=True)
    for name in ("cpf/2019-01-01.yaml", "cpf/notes/old.yml", ".drafts/cpf.yaml", "cpf/.hidden.yaml", "cpf/README.txt"):
        (root / name).write_bytes(name.encode())
    (root / "aif.yaml").write_bytes(b"aif")
    (root / "cpf" / "link.yaml").symlink_to(root / "aif.yaml")  # a link to a file: read (its target's bytes)
    (root / "aif" / "cpf").symlink_to(root / "cpf")  # a link to a folder: not followed
    (root / "cpf" / "broken.yaml").symlink_to(root / "absent.yaml")
    os.mkfifo(root / "cpf" / "waiting.yaml")
    return root


def test_the_files_read_are_the_yaml_files_outside_hidden_folders(tree):
    files = read_ruleset_files(tree)
    assert files is not None
    # in path order; not the hidden file, the hidden folder's, the text file, the broken link, the FIFO,
    # nor what the link to a folder leads to (the folder "aif" holds nothing else)
    assert list(files) == ["aif.yaml", "cpf/2019-01-01.yaml", "cpf/link.yaml", "cpf/notes/old.yml"]
    assert files["cpf/link.yaml"] == b"aif"
    assert files["cpf/notes/old.yml"] == b"cpf/notes/old.yml"


def test_the_listing_names_every_entry_by_its_own_type(tree):
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tree / "aif" / "socket"))
        listing = cache.directory_listing(str(tree))
    finally:
        server.close()
    assert listing is not None
    kinds = {line.split("\0")[0]: tuple(line.split("\0")[1:]) for line in listing}
    assert kinds["cpf"] == ("dir", "")
    assert kinds["cpf/2019-01-01.yaml"] == ("file", "")
    assert kinds["cpf/link.yaml"] == ("symlink", str(tree / "aif.yaml"))
    assert kinds["aif/cpf"] == ("symlink", str(tree / "cpf"))  # not followed: nothing listed under it
    assert kinds["cpf/broken.yaml"] == ("symlink", str(tree / "absent.yaml"))
    assert kinds["cpf/waiting.yaml"] == ("fifo", "")
    assert kinds["aif/socket"] == ("socket", "")
    assert kinds[".drafts"] == ("dir", "")  # a hidden folder is listed, its content is not
    assert not any(path.startswith((".drafts/", "aif/cpf/")) for path in kinds)
    assert listing == sorted(listing)


def test_the_key_changes_with_a_files_bytes_at_the_same_size_and_date(ruleset_dir):
    path = ruleset_dir.root / "cif" / "2015-01-01.yaml"
    before = path.stat()
    key = cache.entry_key(str(ruleset_dir.root), read_ruleset_files(ruleset_dir.root) or {})
    ruleset_dir.edit("cif/2015-01-01.yaml", '!= "bilan_competences"', '== "bilan_competences"')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    changed = cache.entry_key(str(ruleset_dir.root), read_ruleset_files(ruleset_dir.root) or {})
    assert key is not None and changed is not None and changed != key


def test_a_file_changed_at_the_same_size_and_date_is_read_again(ruleset_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("FUNDRULES_NO_CACHE", "0")
    monkeypatch.setenv("FUNDRULES_CACHE_DIR", str(tmp_path / "cache"))
    case = load_case(EXAMPLES / "ancien-cdd-2018.yaml")  # a 2018 CIF-CDD training course, not a skills review
    path = ruleset_dir.root / "cif" / "2015-01-01.yaml"
    assert Engine(load_catalog(ruleset_dir.root), backend="python").evaluate(case).result("cif").status == "eligible"
    assert cache.cached(load_catalog(ruleset_dir.root))  # written, then read back
    before = path.stat()
    # the CIF of 2015-2018 now pays only skills reviews: the same number of bytes, the same date
    ruleset_dir.edit("cif/2015-01-01.yaml", '!= "bilan_competences"', '== "bilan_competences"')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = Engine(load_catalog(ruleset_dir.root), backend="python").evaluate(case)
    assert after.result("cif").status == "blocked"


def test_the_installed_version_is_the_one_importlib_metadata_reads():
    """The durable entry names the durable-rules release as importlib.metadata gives it: the field
    read without the email parser is the same for every distribution installed here."""
    from importlib import metadata

    names = {d.metadata["Name"] for d in metadata.distributions() if d.metadata["Name"]}
    assert len(names) > 20
    for name in sorted(names):
        assert cache.installed_version(name) == metadata.version(name), name
    assert cache.installed_version("no-such-distribution-fundrules") == "absent"


def test_a_version_file_is_named_relative_to_its_rulesets_folder(tmp_path):
    from fundrules.provenance import relative_file

    root = tmp_path / "rules"
    (root / "cpf").mkdir(parents=True)
    (root / "cpf" / "2019.yaml").write_text("x", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2020.yaml").write_text("x", encoding="utf-8")
    (root / "linked").symlink_to(elsewhere)  # a folder that leads out of the rulesets folder
    (root / "cpf" / "2021.yaml").symlink_to(root / "cpf" / "2019.yaml")  # a link that stays inside
    (tmp_path / "alias").symlink_to(root)  # the rulesets folder named through a link
    assert relative_file(root, str(root / "cpf" / "2019.yaml")) == "cpf/2019.yaml"
    assert relative_file(str(root) + "/", str(root / "cpf" / "2019.yaml")) == "cpf/2019.yaml"
    assert relative_file(tmp_path / "alias", str(root / "cpf" / "2019.yaml")) == "cpf/2019.yaml"
    assert relative_file(root, str(tmp_path / "alias" / "cpf" / "2019.yaml")) == "cpf/2019.yaml"
    assert relative_file(root, str(root / "linked" / "2020.yaml")) == "2020.yaml"  # resolved outside: its name
    assert relative_file(root, str(root / "cpf" / "2021.yaml")) == "cpf/2019.yaml"  # the file it leads to
    assert relative_file(root, str(root / "cpf" / ".." / "cpf" / "2019.yaml")) == "cpf/2019.yaml"
    assert relative_file(root, str(tmp_path / "other.yaml")) == "other.yaml"


def test_a_packages_folder_is_the_one_importlib_resources_gives(tmp_path, monkeypatch):
    from importlib.resources import files

    from fundrules.rulesets.loader import _package_folder

    namespace = tmp_path / "spaced" / "inner"  # a namespace package (no __init__.py): asked to `files`
    namespace.mkdir(parents=True)
    (tmp_path / "spaced" / "inner" / "mod.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    def folder(find, package):
        try:
            return Path(str(find(package)))
        except ModuleNotFoundError:
            return "absent"

    # fundrules.bundled_rulesets exists in a wheel or an editable install, not in a bare checkout: the same answer
    for package in ("fundrules.bundled_rulesets", "fundrules.conditions", "fundrules", "json", "spaced.inner"):
        assert folder(_package_folder, package) == folder(files, package), package
    assert folder(_package_folder, "fundrules.conditions") != "absent"
    with pytest.raises(ModuleNotFoundError):
        _package_folder("fundrules.no_such_package")
