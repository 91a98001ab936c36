# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry-After parsing and the backoff policy: pure functions, no I/O."""

from __future__ import annotations

import email.utils
import random

import pytest

from ansible_collections.ece.platform.plugins.module_utils._retry import (
    BASE_DELAY,
    MAX_SINGLE_DELAY,
    RETRYABLE_STATUSES,
    RetryPolicy,
    parse_retry_after,
)

NOW = 1_800_000_000.0  # a fixed clock, in whole seconds like HTTP dates


class MaxRandom:
    """An rng whose uniform() always returns the top of the range: the longest backoff possible."""

    def uniform(self, low, high):
        return high


# parse_retry_after

@pytest.mark.parametrize('value, expected', [
    ('120', 120.0),
    ('0', 0.0),
    (' 7 ', 7.0),
    (3, 3.0),
])
def test_retry_after_in_seconds(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_http_date_in_the_future():
    header = email.utils.formatdate(NOW + 30, usegmt=True)
    assert parse_retry_after(header, now=NOW) == pytest.approx(30.0)


def test_retry_after_http_date_in_the_past_means_now():
    header = email.utils.formatdate(NOW - 3600, usegmt=True)
    assert parse_retry_after(header, now=NOW) == 0.0


def test_retry_after_absent():
    assert parse_retry_after(None) is None


@pytest.mark.parametrize('value', [
    '', 'soon', '-5', '1.5', 'Wed, 99 Foo 2015 07:28:00 GMT', '12 seconds',
    '\xb2',  # a latin-1 header byte that str.isdigit() accepts but float() rejects
])
def test_retry_after_garbage_is_none(value):
    assert parse_retry_after(value, now=NOW) is None


def test_retryable_statuses_are_the_transient_ones():
    assert RETRYABLE_STATUSES == {429, 502, 503, 504}


# RetryPolicy.delay

def test_no_delay_beyond_the_number_of_retries():
    policy = RetryPolicy(retries=3, max_total_wait=600, rng=random.Random(1))
    assert policy.delay(3, 0.0) is not None
    assert policy.delay(4, 0.0) is None


def test_zero_and_negative_retries_never_retry():
    assert RetryPolicy(retries=0, rng=random.Random(1)).delay(1, 0.0) is None
    assert RetryPolicy(retries=-2, rng=random.Random(1)).delay(1, 0.0) is None


def test_no_delay_once_the_total_wait_is_spent():
    policy = RetryPolicy(retries=10, max_total_wait=5.0, rng=random.Random(1))
    assert policy.delay(2, 5.0) is None
    assert policy.delay(2, 7.0) is None


def test_backoff_is_cut_to_the_remaining_budget():
    policy = RetryPolicy(retries=10, max_total_wait=5.0, rng=MaxRandom())
    assert policy.delay(6, 4.75) == pytest.approx(0.25)


@pytest.mark.parametrize('attempt', range(1, 9))
def test_jitter_stays_within_the_capped_exponential(attempt):
    cap = min(MAX_SINGLE_DELAY, BASE_DELAY * 2 ** (attempt - 1))
    policy = RetryPolicy(retries=10, max_total_wait=1000.0, rng=random.Random(attempt))
    delays = [policy.delay(attempt, 0.0) for _dummy in range(200)]
    assert all(0.0 <= delay <= cap for delay in delays)
    # Full jitter: the delays spread over the range instead of sitting at one value.
    assert max(delays) - min(delays) > cap / 2


def test_backoff_doubles_up_to_the_single_delay_cap():
    policy = RetryPolicy(retries=10, max_total_wait=1000.0, rng=MaxRandom())
    assert [policy.delay(attempt, 0.0) for attempt in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_same_seed_same_delays():
    first = RetryPolicy(retries=5, rng=random.Random(42))
    second = RetryPolicy(retries=5, rng=random.Random(42))
    assert [first.delay(a, 0.0) for a in range(1, 6)] == [second.delay(a, 0.0) for a in range(1, 6)]


@pytest.mark.parametrize('seed', range(20))
def test_sleeping_every_delay_never_exceeds_the_total_budget(seed):
    policy = RetryPolicy(retries=50, max_total_wait=6.0, rng=random.Random(seed))
    waited, attempt = 0.0, 0
    while True:
        attempt += 1
        delay = policy.delay(attempt, waited)
        if delay is None:
            break
        waited += delay
    assert waited <= 6.0
    assert attempt <= 51


def test_retry_after_wins_over_the_backoff():
    policy = RetryPolicy(retries=4, max_total_wait=60.0, rng=MaxRandom())
    assert policy.delay(1, 0.0, retry_after=3.0) == 3.0  # more than the first backoff of 0.5 s
    assert policy.delay(5, 0.0, retry_after=0.0) is None  # attempt 5 > 4 retries
    assert policy.delay(4, 0.0, retry_after=0.0) == 0.0


def test_retry_after_longer_than_one_backoff_step_is_honoured_within_the_budget():
    policy = RetryPolicy(retries=4, max_total_wait=60.0, rng=random.Random(1))
    assert policy.delay(1, 10.0, retry_after=30.0) == 30.0


def test_retry_after_beyond_the_budget_gives_up_instead_of_waiting_less():
    policy = RetryPolicy(retries=4, max_total_wait=10.0, rng=random.Random(1))
    assert policy.delay(1, 8.0, retry_after=5.0) is None
    assert policy.delay(1, 5.0, retry_after=5.0) == 5.0
