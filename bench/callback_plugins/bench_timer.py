# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper (not part of the collection): the wall time of every play (and task), written as JSON.

Each benchmark playbook holds one measured thing per play, so a play's time is the measurement,
without ansible-playbook's own start-up (the same for both sides of every comparison). A play ends
when the next one starts or when the run ends. Enabled by bench/playbook.py through
ANSIBLE_CALLBACKS_ENABLED=bench_timer; the JSON goes to $BENCH_TIMINGS_FILE.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r'''
name: bench_timer
type: aggregate
short_description: time every play for bench/run.py
description: Writes the wall time of every play and the failed tasks to the file named by $BENCH_TIMINGS_FILE.
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plays = []
        self._failures = []
        self._changed = {}

    def _close_open_task(self, now):
        if self._plays and self._plays[-1]['tasks'] and 'seconds' not in self._plays[-1]['tasks'][-1]:
            task = self._plays[-1]['tasks'][-1]
            task['seconds'] = now - task.pop('start')

    def _close_open_play(self, now):
        self._close_open_task(now)
        if self._plays and self._plays[-1]['end'] is None:
            self._plays[-1]['end'] = now
            self._plays[-1]['seconds'] = now - self._plays[-1]['start']

    def v2_playbook_on_task_start(self, task, is_conditional):
        now = time.perf_counter()
        self._close_open_task(now)
        if self._plays:
            self._plays[-1]['tasks'].append(dict(name=task.get_name(), start=now))

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_play_start(self, play):
        now = time.perf_counter()
        self._close_open_play(now)
        self._plays.append(dict(name=play.get_name(), start=now, end=None, seconds=None, changed=False, tasks=[]))

    def v2_runner_on_ok(self, result):
        if self._plays and result._result.get('changed'):
            self._plays[-1]['changed'] = True

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._failures.append(dict(play=self._plays[-1]['name'] if self._plays else None,
                                       task=result._task.get_name(), msg=str(result._result.get('msg', ''))[:2000]))

    def v2_runner_on_unreachable(self, result):
        self.v2_runner_on_failed(result)

    def v2_playbook_on_stats(self, stats):
        self._close_open_play(time.perf_counter())
        path = os.environ.get('BENCH_TIMINGS_FILE')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(dict(plays=self._plays, failures=self._failures), handle, indent=1)
