# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: wait until a given plan attempt has ended.

ECE's update answer carries no attempt id, and the new attempt may show as pending only a while
after the update returned (its pending state "flips between empty and queued"). So a poll that finds
nothing pending proves nothing: the wait ends when an attempt that was not there before the update
(or, for a plan already running at the start, that very attempt) shows up as ended in `current`
or in the history. Polls start about 2 s apart and grow to 30 s; the last one falls on the deadline.
"""

from __future__ import annotations

import time

from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import attempt_key, find_ended, outcome
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._progress import report

FIRST_DELAY = 2.0
GROWTH = 1.5
MAX_DELAY = 30.0
# wait=false: how long to look for the new attempt to show (pending, or already ended), so that a
# deployment_plan task run next finds it. The register's `plan-pending-late` reading has it show only a
# while after the update; the default reading shows it at the first read.
SHOWN_WITHIN = 30.0


class PlanTimeout(EceError):
    """The attempt had not ended by the deadline (it goes on in ECE)."""


class PlanWaiter:
    """Polls `read(history)` (the resource's plan_info) until a selected attempt ended, reporting each new step."""

    def __init__(self, read, label, clock=time.monotonic, sleep=time.sleep, first_delay=FIRST_DELAY, max_delay=MAX_DELAY):
        self.read = read
        self.label = label
        self.clock = clock
        self.sleep = sleep
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.polls = 0
        self.started = clock()  # the budget (wait_timeout) counts from here, which messages say

    def wait(self, select, deadline, what='the plan change', vanished=None):
        """(outcome dict, plan_info) of the newest ended attempt that `select` accepts; PlanTimeout after `deadline`.

        `select(attempt)` tells the attempt waited for from others (by its id, see attempt_key). `vanished()`, when
        given, is the outcome of an attempt that ECE no longer reports at all: neither pending, nor current, nor in
        the history (a cancelled one, under one reading of the register's cancelled-attempt).
        """
        began = self.clock()
        delay = self.first_delay
        seen_steps: set[tuple] = set()
        attempt_id = None
        while True:
            self.polls += 1
            plan_info = self.read(False)
            pending = plan_info.get('pending')
            if pending and select(pending):
                attempt_id = pending.get('plan_attempt_id') or attempt_id
                self._report_steps(pending, seen_steps, began)
            elif not pending:
                ended = find_ended(plan_info, select)
                if ended is None:
                    # A failed attempt may be reported only in the history, which this poll did not ask for.
                    plan_info = self.read(True)
                    ended = find_ended(plan_info, select)
                if ended is not None:
                    self._report_steps(ended, seen_steps, began)
                    result = outcome(ended, plan_info)
                elif vanished is not None:
                    result = vanished()
                if ended is not None or vanished is not None:
                    report('plan_done', deployment=self.label, attempt_id=result['attempt_id'], status=result['status'],
                           elapsed=self.clock() - began)
                    return result, plan_info
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise PlanTimeout(self._timeout_message(what, attempt_id),
                                  plan=dict(attempt_id=attempt_id, status='pending', duration_seconds=None))
            self.sleep(min(delay, remaining))
            delay = min(delay * GROWTH, self.max_delay)

    def until_shown(self, select, deadline, within=SHOWN_WITHIN):
        """The attempt `select` accepts once it shows: {attempt_id, status 'pending', duration_seconds None}, or its
        outcome when it ended already; None when it had not shown after `within` seconds (or by `deadline`).

        Polls about a second apart: this is the short look of wait=false, not the wait for the end.
        """
        limit = min(deadline, self.clock() + within)
        while True:
            plan_info = self.read(False)
            pending = plan_info.get('pending')
            if pending and select(pending):
                return dict(attempt_id=pending.get('plan_attempt_id'), status='pending', duration_seconds=None)
            if not pending:
                ended = find_ended(plan_info, select) or find_ended(self.read(True), select)
                if ended is not None:
                    return outcome(ended, plan_info)
            remaining = limit - self.clock()
            if remaining <= 0:
                return None
            self.sleep(min(1.0, remaining))

    def _timeout_message(self, what, attempt_id):
        seen = ' (attempt %s)' % attempt_id if attempt_id else ', which had not shown up as pending yet,'
        return ('%s of deployment %s%s had not ended when wait_timeout ran out (after %d seconds). It goes on in ECE, and the '
                'previous plan keeps running until it ends. Raise wait_timeout, or run the task again later.'
                % (what[0].upper() + what[1:], self.label, seen, round(self.clock() - self.started)))

    def _report_steps(self, attempt, seen_steps, began):
        for step in attempt.get('plan_attempt_log') or []:
            key = (attempt_key(attempt), step.get('step_id'), step.get('status'))
            if key in seen_steps:
                continue
            seen_steps.add(key)
            messages = [entry.get('message') for entry in step.get('info_log') or [] if entry.get('message')]
            report('plan_step', deployment=self.label, attempt_id=attempt.get('plan_attempt_id'), step_id=step.get('step_id'),
                   status=step.get('status'), message=messages[-1] if messages else None, elapsed=self.clock() - began)


def not_shown(warn, label):
    """wait=false, and the new attempt did not show within SHOWN_WITHIN: say what that means for a later deployment_plan."""
    warn('ECE accepted the plan change of deployment %s, but it had not shown as pending after %d seconds. '
         'ece.platform.deployment_plan waits only for attempts that show as pending, so run it once the change shows '
         '(ece.platform.extension_info with deployment= shows the running plan), or use wait=true.' % (label, SHOWN_WITHIN))
    return dict(attempt_id=None, status='pending', duration_seconds=None)
