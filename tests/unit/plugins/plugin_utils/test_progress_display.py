# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Progress lines: none for short work, at most one every few seconds for an upload, each plan step once."""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.plugin_utils._progress_display import EVERY_SECONDS, QUIET_SECONDS, DisplayReporter

MIB = 1024 * 1024


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def reporter():
    lines, clock = [], Clock()
    return DisplayReporter(lines.append, 'localhost', clock=clock), lines, clock


def upload(report, clock, seconds, total=100 * MIB, step=0.1):
    """Report an upload of `total` bytes that takes `seconds`, one block every `step` seconds."""
    blocks = int(seconds / step)
    for index in range(1, blocks + 1):
        clock.now += step
        report('upload', dict(name='big.zip', sent=total * index // blocks, total=total, elapsed=index * step))
    report('upload_done', dict(name='big.zip', sent=total, total=total, elapsed=seconds))


def test_short_upload_prints_nothing():
    report, lines, clock = reporter()
    upload(report, clock, seconds=QUIET_SECONDS - 0.5)
    assert lines == []


def test_long_upload_prints_a_line_every_few_seconds_with_bytes_and_rate():
    report, lines, clock = reporter()
    upload(report, clock, seconds=21)
    progress = [line for line in lines if 'uploading' in line]
    # from the quiet time on, one line per EVERY_SECONDS at most
    assert 1 <= len(progress) <= int((21 - QUIET_SECONDS) / EVERY_SECONDS) + 1
    assert progress[0].startswith('localhost: uploading big.zip: ')
    assert ' of 100.0 MiB (' in progress[0] and 'MiB/s' in progress[0]
    assert lines[-1].startswith('localhost: uploaded big.zip: 100.0 MiB in 21.0 s')


def test_unknown_events_are_ignored():
    report, lines, _clock = reporter()
    report('something_new', {'elapsed': 99})
    assert lines == []


def test_each_new_plan_step_once_after_the_quiet_time():
    report, lines, _clock = reporter()
    step = dict(deployment='search-prod', attempt_id='a1', status='running')
    report('plan_step', dict(step, step_id='validate', elapsed=0.5))
    report('plan_step', dict(step, step_id='rolling-restart', elapsed=3))
    report('plan_step', dict(step, step_id='rolling-restart', elapsed=8))
    report('plan_step', dict(step, step_id='done', status='success', message='Plan finished', elapsed=30))
    report('plan_done', dict(deployment='search-prod', attempt_id='a1', status='success', elapsed=31))
    assert lines == [
        'localhost: deployment search-prod plan: step rolling-restart running',
        'localhost: deployment search-prod plan: step done success: Plan finished',
        'localhost: deployment search-prod plan: success after 31 s',
    ]


def test_a_quick_plan_prints_nothing():
    report, lines, _clock = reporter()
    report('plan_step', dict(deployment='d', attempt_id='a', step_id='s', status='running', elapsed=0.2))
    report('plan_done', dict(deployment='d', attempt_id='a', status='success', elapsed=1.0))
    assert lines == []
