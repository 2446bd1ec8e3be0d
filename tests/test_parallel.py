"""Work spread over forked processes: the data stays inherited, only slice bounds travel."""

import datetime as dt
import multiprocessing.reduction

import pytest

from fundrules.errors import InputError
from fundrules.parallel import can_fork, forked_slices

pytestmark = pytest.mark.skipif(not can_fork(), reason="fork absent sur cette plate-forme")


def _sum_slice(state, start, end):
    return sum(state["numbers"][start:end]) + len(state["ballast"]) * 0


def test_slices_come_back_in_order_and_cover_everything():
    state = {"numbers": list(range(1000)), "ballast": b""}
    sums = list(forked_slices(_sum_slice, state, 1000, jobs=2, size=64))
    assert len(sums) == 16  # ceil(1000 / 64)
    assert sums[0] == sum(range(64)) and sums[-1] == sum(range(960, 1000))
    assert sum(sums) == sum(range(1000))


def test_tasks_sent_to_workers_stay_small_whatever_the_data(monkeypatch):
    # A task bigger than the pipe's buffer blocked the pool's feeding thread, and Ctrl-C then hung
    # Pool.terminate (Python 3.13 under load): only the bounds may travel, never the data.
    sizes = []
    dumps = multiprocessing.reduction.ForkingPickler.dumps

    def measured(obj, protocol=None):
        data = dumps(obj, protocol)
        sizes.append(len(data))
        return data

    monkeypatch.setattr(multiprocessing.reduction.ForkingPickler, "dumps", measured)
    state = {"numbers": list(range(100)), "ballast": b"x" * 5_000_000}
    assert sum(forked_slices(_sum_slice, state, 100, jobs=2, size=10)) == sum(range(100))
    sent = [s for s in sizes if s]
    assert sent, "no task went through the pickler: the spy does not see the pool"
    assert max(sent) < 1_000


def test_evaluate_many_wants_one_date_per_case(python_engine):
    from fundrules.library import find_case_files, load_library_case

    from .conftest import ROOT

    case = load_library_case(find_case_files([ROOT / "cases"])[0]).case
    with pytest.raises(InputError) as error:
        python_engine.evaluate_many([case, case], jobs=2, as_of_each=[dt.date(2020, 1, 1)])
    assert error.value.field == "as_of_each"
    assert "1 dates pour 2 cas" in str(error.value)
