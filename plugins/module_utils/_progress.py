# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: progress of long work (uploads, plan changes).

A module that Ansible runs in its own process can print nothing before it ends, so by default a
report goes nowhere and costs one function call. When the collection's action plugins run a module
inside Ansible's worker process, they install a reporter that shows reports through Ansible's
display (and decides how often a line is worth printing). The work itself only calls report().

Events and their fields (all optional but `event`):
- 'upload': name, sent (bytes so far), total (bytes), elapsed (seconds since the upload began)
- 'upload_done': name, sent, total, elapsed
- 'plan_step': deployment, attempt_id, step_id, status, message, elapsed
- 'plan_done': deployment, attempt_id, status, elapsed
- 'note': text (how a decision was made, e.g. a digest from the cache; shown at -vvv)

In a module process the notes are kept (NoteCollector) and travel back in the result under NOTES_KEY;
the action plugin removes that key and shows them at -vvv, so -vvv tells the same either way.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

Reporter = Callable[[str, dict], None]

_reporter: Optional[Reporter] = None

# The result key that carries a module process's notes to its action plugin (never left in a task result).
NOTES_KEY = '_ece_notes'


def set_reporter(reporter: Optional[Reporter]) -> Optional[Reporter]:
    """Install `reporter(event, fields)` (or None to remove it); returns the one it replaced."""
    global _reporter  # pylint: disable=global-statement
    previous, _reporter = _reporter, reporter
    return previous


def current_reporter() -> Optional[Reporter]:
    """The reporter installed now (None in a module process before ece_module() runs)."""
    return _reporter


class NoteCollector:
    """A reporter that keeps the text of every 'note' event (a module process cannot print them)."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def __call__(self, event: str, fields: dict) -> None:
        if event == 'note' and fields.get('text'):
            self.notes.append(str(fields['text']))


def report(event: str, **fields: Any) -> None:
    """Hand one progress event to the installed reporter, if any; a reporter's failure never stops the work."""
    reporter = _reporter
    if reporter is None:
        return
    try:
        reporter(event, fields)
    except Exception:  # pylint: disable=broad-except
        pass


class UploadProgress:
    """The 'upload' and 'upload_done' events of one request body, fed with each block the HTTP layer reads."""

    def __init__(self, name: str, total: int) -> None:
        self.name = name
        self.total = total
        self.sent = 0
        self.done = False
        self.started = time.monotonic()

    def passed(self, block: Any) -> Any:
        """Report `block` (an empty one ends the upload, reported once) and hand it on."""
        elapsed = time.monotonic() - self.started
        if block:
            self.sent += len(block)
            report('upload', name=self.name, sent=self.sent, total=self.total, elapsed=elapsed)
        elif not self.done:
            self.done = True
            report('upload_done', name=self.name, sent=self.sent, total=self.total, elapsed=elapsed)
        return block
