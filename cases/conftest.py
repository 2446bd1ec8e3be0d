"""Collects every library case as one pytest item, as OpenFisca collects its YAML tests: the case is
replayed under the rules of its meeting date and must match its expected evaluation."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent
_engine = {}


def engine():
    if "engine" not in _engine:
        from fundrules import Engine

        _engine["engine"] = Engine()
    return _engine["engine"]


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".yaml" and "examples" not in file_path.relative_to(HERE).parts:
        return LibraryCaseFile.from_parent(parent, path=file_path)


class CaseMismatch(Exception):
    pass


class LibraryCaseFile(pytest.File):
    def collect(self):
        yield LibraryCaseItem.from_parent(self, name=self.path.stem)


class LibraryCaseItem(pytest.Item):
    def runtest(self):
        from fundrules.library import load_library_case
        from fundrules.library.replay import replay_case
        from fundrules.report.replay import render_replay_text

        replay = replay_case(engine(), load_library_case(self.path, root=HERE))
        if not replay.matches:
            raise CaseMismatch(render_replay_text([replay], None))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseMismatch):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"cas {self.path.relative_to(HERE)}"
