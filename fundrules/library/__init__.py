"""The case library of the quarterly level-3 meetings: case files, privacy lint, replay."""

from .cases import CaseFiles, LibraryCase, find_case_files, load_library_case
from .privacy import lint_privacy
from .replay import CaseReplay, Difference, iter_replays, replay_cases

__all__ = [
    "LibraryCase",
    "load_library_case",
    "find_case_files",
    "lint_privacy",
    "replay_cases",
    "iter_replays",
    "CaseFiles",
    "CaseReplay",
    "Difference",
]
