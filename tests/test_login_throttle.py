"""The count of failed logins to the counsellors' page (fundrules/web/login_throttle.py): the limit,
the window, a right token clearing the count, and memory bounded whatever the number of addresses."""

from __future__ import annotations

from fundrules.web.login_throttle import LoginThrottle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_limit_is_reached_at_the_tenth_failure_and_lasts_the_window():
    clock = Clock()
    throttle = LoginThrottle(max_failures=10, window=600, clock=clock)
    for _ in range(9):
        throttle.failed("10.0.0.1")
        clock.now += 1
    assert throttle.wait_seconds("10.0.0.1") == 0  # 9 failures: still allowed
    throttle.failed("10.0.0.1")  # the 10th, at t = 1009
    assert throttle.wait_seconds("10.0.0.1") == 591  # the first failure (t = 1000) leaves the window at 1600
    assert throttle.wait_seconds("10.0.0.2") == 0  # another address is not affected
    clock.now = 1599.5
    assert throttle.wait_seconds("10.0.0.1") == 0.5
    clock.now = 1600.0
    assert throttle.wait_seconds("10.0.0.1") == 0  # 9 failures left in the window


def test_a_right_token_before_the_limit_clears_the_count():
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window=600, clock=clock)
    throttle.failed("a")
    throttle.failed("a")
    throttle.succeeded("a")
    throttle.failed("a")
    throttle.failed("a")
    assert throttle.wait_seconds("a") == 0


def test_memory_is_bounded_by_the_number_of_addresses_and_failures_kept():
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window=600, max_addresses=100, clock=clock)
    for n in range(10_000):
        throttle.failed(f"addr-{n}")
        throttle.failed("steady")  # seen again and again: kept, its list never longer than the limit
    assert len(throttle) == 100
    assert len(throttle._failures["steady"]) == 5
    assert throttle.wait_seconds("addr-0") == 0  # forgotten, oldest first
