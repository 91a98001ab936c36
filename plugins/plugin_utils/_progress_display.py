# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: progress of long work, shown through Ansible's display.

The work reports every step (module_utils/_progress.py); this reporter decides what is worth a
line. Work that ends within QUIET_SECONDS shows nothing, so a loop of small items stays quiet; a
long upload shows at most one line every EVERY_SECONDS; each new plan step shows once.
"""

from __future__ import annotations

import time
from typing import Any, Callable

QUIET_SECONDS = 2.0
EVERY_SECONDS = 5.0


def _size(count: float) -> str:
    for unit in ('B', 'KiB', 'MiB'):
        if abs(count) < 1024:
            return '%d %s' % (count, unit) if unit == 'B' else '%.1f %s' % (count, unit)
        count /= 1024.0
    return '%.2f GiB' % count


class DisplayReporter:
    """A `_progress` reporter that prints through `show(line)` (Ansible's display) for `host`."""

    def __init__(self, show: Callable[[str], Any], host: str, clock: Callable[[], float] = time.monotonic,
                 verbose: Callable[[str], Any] | None = None) -> None:
        self._show = show
        # Lines for -vvv (how a decision was made); Display.vvv prints them only at that verbosity.
        self._verbose = verbose
        self._host = host
        self._clock = clock
        self._last_line: dict[tuple, float] = {}
        self._plan_steps: dict[tuple, tuple] = {}

    def __call__(self, event: str, fields: dict) -> None:
        handler = getattr(self, '_on_' + event, None)
        if handler is not None:
            handler(fields)

    def _line(self, text: str) -> None:
        self._show('%s: %s' % (self._host, text))

    def _due(self, key: tuple, elapsed: float) -> bool:
        """True when `elapsed` is past the quiet time and the last line for `key` is old enough."""
        if elapsed < QUIET_SECONDS:
            return False
        now = self._clock()
        last = self._last_line.get(key)
        if last is not None and now - last < EVERY_SECONDS:
            return False
        self._last_line[key] = now
        return True

    def _on_note(self, fields: dict) -> None:
        if self._verbose is not None and fields.get('text'):
            self._verbose('%s: %s' % (self._host, fields['text']))

    def _on_upload(self, fields: dict) -> None:
        elapsed = fields.get('elapsed') or 0.0
        name = fields.get('name', 'archive')
        if not self._due(('upload', name), elapsed):
            return
        sent, total = fields.get('sent') or 0, fields.get('total') or 0
        share = ' (%d%%)' % (100 * sent // total) if total else ''
        self._line('uploading %s: %s of %s%s, %s/s' % (name, _size(sent), _size(total), share, _size(sent / elapsed)))

    def _on_upload_done(self, fields: dict) -> None:
        elapsed = fields.get('elapsed') or 0.0
        name = fields.get('name', 'archive')
        self._last_line.pop(('upload', name), None)
        if elapsed < QUIET_SECONDS:
            return
        sent = fields.get('sent') or 0
        self._line('uploaded %s: %s in %.1f s, %s/s' % (name, _size(sent), elapsed, _size(sent / elapsed)))

    def _on_plan_step(self, fields: dict) -> None:
        key = (fields.get('deployment'), fields.get('attempt_id'))
        step = (fields.get('step_id'), fields.get('status'))
        if (fields.get('elapsed') or 0.0) < QUIET_SECONDS or self._plan_steps.get(key) == step:
            return
        self._plan_steps[key] = step
        message = fields.get('message')
        self._line('deployment %s plan: step %s %s%s' % (fields.get('deployment'), fields.get('step_id'),
                                                         fields.get('status'), ': %s' % message if message else ''))

    def _on_plan_done(self, fields: dict) -> None:
        self._plan_steps.pop((fields.get('deployment'), fields.get('attempt_id')), None)
        elapsed = fields.get('elapsed') or 0.0
        if elapsed < QUIET_SECONDS:
            return
        self._line('deployment %s plan: %s after %.0f s' % (fields.get('deployment'), fields.get('status'), elapsed))
