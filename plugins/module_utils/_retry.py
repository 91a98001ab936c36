# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: when and how long to wait before trying a request again.

Load balancers in front of ECE coordinators answer 502/503/504 while a coordinator restarts and
ECE throttles with 429; those are worth another try. The policy is pure (no I/O) so it can be unit-tested.
Not urllib3's Retry: it decides by HTTP method inside the connection pool and cannot rebuild a streamed upload from
byte 0; here each request says whether it may be repeated, so a create is never re-sent blindly (see _client.py).
"""

from __future__ import annotations

import email.utils
import random
import time

RETRYABLE_STATUSES = frozenset((429, 502, 503, 504))
BASE_DELAY = 0.5
MAX_SINGLE_DELAY = 8.0


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = str(value).strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryPolicy:
    """Capped exponential backoff with full jitter, bounded by a number of retries and a total wait."""

    def __init__(self, retries=4, max_total_wait=60.0, rng=None):
        self.retries = max(0, int(retries))
        self.max_total_wait = max(0.0, float(max_total_wait))
        self._rng = rng or random.Random()

    def delay(self, attempt, waited, retry_after=None):
        """Seconds to sleep before retry number `attempt` (1-based), or None when the budget is spent.

        `waited` is the time already spent sleeping; a server's Retry-After wins over the backoff
        but never beyond the remaining budget.
        """
        if attempt > self.retries:
            return None
        remaining = self.max_total_wait - waited
        if remaining <= 0:
            return None
        if retry_after is not None:
            wanted = retry_after
        else:
            wanted = self._rng.uniform(0, min(MAX_SINGLE_DELAY, BASE_DELAY * (2 ** (attempt - 1))))
        if wanted > remaining:
            # Waiting less than the server asked for would only earn another refusal.
            return None if retry_after is not None else remaining
        return wanted
