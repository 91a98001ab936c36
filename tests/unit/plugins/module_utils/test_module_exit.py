# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The modules' way out (run_or_fail closes the clients it was given) and the layering of the input checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ansible_collections.ece.platform.plugins.module_utils._connection import client_from_module
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._module import run_or_fail

PARAMS = dict(host='https://ece.example.com:12443', api_key='k', username=None, password=None, validate_certs=True,
              ca_path=None, timeout=10.0, retries=0, retry_max_wait=0.0)


class Exited(Exception):
    pass


class FakeModule:
    def __init__(self):
        self.params = dict(PARAMS)
        self.exited = self.failed = None
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    def exit_json(self, **result):
        self.exited = result
        raise Exited()

    def fail_json(self, **result):
        self.failed = result
        raise Exited()


def _closing_spy(client, closed):
    original = client.close

    def close():
        closed.append(client)
        original()
    client.close = close


@pytest.mark.parametrize('outcome', ['success', 'EceError'])
def test_run_or_fail_closes_every_client_the_module_built(outcome):
    module, closed = FakeModule(), []

    def action():
        for _index in range(2):
            _closing_spy(client_from_module(module), closed)
        if outcome == 'EceError':
            raise EceError('it failed')
        return {'changed': False}

    with pytest.raises(Exited):
        run_or_fail(module, action)
    assert len(closed) == 2 and closed == module.ece_clients
    assert (module.exited, module.failed) == (({'changed': False}, None) if outcome == 'success' else (None, {'msg': 'it failed'}))


def test_a_bug_still_closes_the_clients_and_is_not_swallowed():
    module, closed = FakeModule(), []

    def action():
        _closing_spy(client_from_module(module), closed)
        raise KeyError('a bug')

    with pytest.raises(KeyError):
        run_or_fail(module, action)
    assert len(closed) == 1 and module.failed is None


def test_the_option_specs_import_neither_the_module_factory_nor_the_http_client():
    code = ('import sys; import ansible_collections.ece.platform.plugins.module_utils._options; '
            'print(sorted(m for m in ("requests", "ansible.module_utils.basic", '
            '"ansible_collections.ece.platform.plugins.module_utils._client") if m in sys.modules))')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))  # where the collection is importable
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, env=env, timeout=60)
    assert out.stdout.strip() == '[]', out.stdout + out.stderr


@pytest.mark.parametrize('outcome', ['success', 'EceError'])
def test_notes_of_a_module_process_go_back_in_the_result_for_the_action_plugin(outcome):
    """A module process cannot print its -vvv notes: run_or_fail hands them back under NOTES_KEY."""
    from ansible_collections.ece.platform.plugins.module_utils import _progress
    module = FakeModule()
    collector = _progress.NoteCollector()
    previous = _progress.set_reporter(collector)
    module.ece_notes = collector.notes

    def action():
        _progress.report('note', text='digest of x from the cache')
        _progress.report('upload', name='x', sent=1, total=2)  # not a note: not kept
        if outcome == 'EceError':
            raise EceError('refused')
        return dict(changed=False)

    try:
        with pytest.raises(Exited):
            run_or_fail(module, action)
    finally:
        _progress.set_reporter(previous)
    result = module.exited if outcome == 'success' else module.failed
    assert result[_progress.NOTES_KEY] == ['digest of x from the cache']


def test_no_notes_key_when_nothing_was_noted():
    module = FakeModule()
    module.ece_notes = []
    with pytest.raises(Exited):
        run_or_fail(module, lambda: dict(changed=False))
    assert module.exited == dict(changed=False)
