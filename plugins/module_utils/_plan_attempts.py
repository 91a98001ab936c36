# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: plan attempts and how they ended (pure logic, unit-tested).

- which attempt the nodes run (`current`, unless that one failed), and which attempts ECE reports now;
- how an attempt ended, by a rule that holds wherever ECE reports a failed attempt (register:
  failed-attempt-placement): its own `healthy`, `error` and last log step; its message, failure_type and duration (ECE's ISO-8601 times).

The plan merge (what to send) lives in _plan_merge.py; this file only reads what ECE reports.
"""

from __future__ import annotations

import datetime
import re

_TIMESTAMP = re.compile(r'(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$')


def plans_of(resource):
    return ((resource.get('info') or {}).get('plan_info')) or {}


def attempt_failed(attempt):
    """Unhealthy, or an error, or a last step `plan-completed` with status error (register: failed-attempt-placement)."""
    if attempt.get('healthy') is False or attempt.get('error'):
        return True
    log = attempt.get('plan_attempt_log') or []
    return bool(log) and log[-1].get('step_id') == 'plan-completed' and log[-1].get('status') == 'error'


def running_attempt(plan_info):
    """The attempt whose plan the nodes run: `current`, unless that is a failed attempt (ECE may put one there);
    then the newest successful one in history. None when no attempt ever succeeded."""
    current = plan_info.get('current')
    if current and not attempt_failed(current):
        return current
    for attempt in reversed(plan_info.get('history') or []):
        if not attempt_failed(attempt) and attempt.get('plan'):
            return attempt
    return current


def parse_time(text):
    """An ECE timestamp (ISO 8601, e.g. 2026-11-28T12:41:16.138Z) as an aware datetime, or None."""
    match = _TIMESTAMP.match(str(text or '').strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or '0')[:6].ljust(6, '0'))
    offset = datetime.timedelta(0)
    if zone and zone != 'Z':
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == '-' else offset
    moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro,
                               tzinfo=datetime.timezone.utc)
    return moment - offset


def attempt_key(attempt):
    return (attempt or {}).get('plan_attempt_id') or (attempt or {}).get('attempt_start_time')


def known_attempts(plan_info):
    """Keys of every attempt ECE reports now: an attempt started later is not among them."""
    attempts = [plan_info.get('current'), plan_info.get('pending')] + list(plan_info.get('history') or [])
    return {attempt_key(a) for a in attempts if attempt_key(a)}


def find_ended(plan_info, select):
    """The newest ended attempt (in `current` or history) that `select` accepts, or None."""
    candidates = [a for a in [plan_info.get('current')] + list(plan_info.get('history') or []) if a and select(a)]
    if not candidates:
        return None
    return max(candidates, key=lambda a: parse_time(a.get('attempt_start_time')) or datetime.datetime.min.replace(
        tzinfo=datetime.timezone.utc))


def outcome(attempt, plan_info):
    """{attempt_id, status, duration_seconds} of an ended attempt, with message and failure_type when it failed."""
    failed = attempt_failed(attempt)
    if not failed and attempt is plan_info.get('current') and plan_info.get('healthy') is False:
        # ECE says the last attempt failed; when ours is current and looks fine otherwise, trust that.
        failed = True
    result = {'attempt_id': attempt.get('plan_attempt_id'), 'status': 'error' if failed else 'success',
              'duration_seconds': duration(attempt)}
    if failed:
        result['message'], result['failure_type'] = failure_details(attempt)
    return result


def failure_details(attempt):
    """The plan's own last message and failure_type (from the last step's log, else from `error`)."""
    message = failure_type = None
    log = attempt.get('plan_attempt_log') or []
    if log:
        info_log = log[-1].get('info_log') or []
        if info_log:
            message = info_log[-1].get('message')
            failure_type = info_log[-1].get('failure_type')
    error = attempt.get('error') or {}
    message = message or error.get('message') or 'the plan failed for a reason ECE did not report'
    failure_type = failure_type or error.get('failure_type')
    return message, failure_type


def duration(attempt):
    start = parse_time(attempt.get('attempt_start_time'))
    end = parse_time(attempt.get('attempt_end_time') or attempt.get('plan_end_time'))
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 3)
