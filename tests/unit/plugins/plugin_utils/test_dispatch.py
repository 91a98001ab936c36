# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a task runs its module: in the worker process only on the controller, synchronously, as the same user."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.ece.platform.plugins.action.extension import ActionModule as ExtensionAction
from ansible_collections.ece.platform.plugins.plugin_utils import _module_action
from ansible_collections.ece.platform.plugins.plugin_utils._dispatch import SwitchError, module_process_reason


def reason(**overrides):
    settings = dict(connection='local', become=False, async_seconds=0, switch_var=None, switch_env=None, libraries_missing=[])
    settings.update(overrides)
    return module_process_reason(**settings)


@pytest.mark.parametrize('connection', ['local', 'ansible.builtin.local'])
def test_local_runs_in_process(connection):
    assert reason(connection=connection) is None


@pytest.mark.parametrize('overrides, words', [
    (dict(connection='ssh'), "connection 'ssh'"),
    (dict(connection='ansible.builtin.paramiko_ssh'), 'not on the controller'),
    (dict(become=True), 'become'),
    (dict(async_seconds=60), 'async'),
    (dict(switch_var=False), 'variable ece_in_process'),
    (dict(switch_var='no'), 'variable ece_in_process'),
    (dict(switch_env='0'), 'environment variable ECE_IN_PROCESS'),
    (dict(switch_env='false'), 'environment variable ECE_IN_PROCESS'),
    (dict(libraries_missing=['requests']), 'lacks requests'),
    (dict(libraries_missing=['requests-toolbelt']), 'lacks requests-toolbelt'),
])
def test_module_process_and_why(overrides, words):
    assert words in reason(**overrides)


def test_variable_wins_over_environment():
    assert reason(switch_var=True, switch_env='0') is None
    assert 'variable' in reason(switch_var=False, switch_env='1')
    assert reason(switch_env='yes') is None


def test_switch_off_wins_over_every_other_reason():
    assert 'ece_in_process' in reason(switch_var=False, connection='ssh', become=True)


@pytest.mark.parametrize('value', ['maybe', 2, 'of course'])
def test_a_switch_that_is_no_boolean_is_an_error(value):
    with pytest.raises(SwitchError, match='ece_in_process must be a boolean'):
        reason(switch_var=value)


class _Templar:
    def template(self, value):
        return value


def action(cls=ExtensionAction, transport='local', become=False, async_val=0):
    task = SimpleNamespace(action='ece.platform.extension', async_val=async_val, check_mode=False, args={})
    connection = SimpleNamespace(transport=transport, _shell=SimpleNamespace(tmpdir=None), has_native_async=False)
    play_context = SimpleNamespace(become=become, remote_addr='localhost')
    plugin = cls(task, connection, play_context, loader=None, templar=_Templar(), shared_loader_obj=None)
    calls = []
    plugin._run_in_process = lambda main, task_vars: calls.append(('in-process', main)) or {'changed': False}
    plugin._run_module_process = lambda task_vars: calls.append(('module', None)) or {'changed': False}
    return plugin, calls


def path_taken(task_vars=None, **kwargs):
    plugin, calls = action(**kwargs)
    plugin.run(task_vars=task_vars or {})
    assert len(calls) == 1
    return calls[0][0]


def test_local_task_runs_the_module_main_in_process():
    plugin, calls = action()
    plugin.run(task_vars={})
    from ansible_collections.ece.platform.plugins.modules import extension  # pylint: disable=import-outside-toplevel
    assert calls == [('in-process', extension.main)]


def test_delegated_to_a_remote_host_runs_the_module():
    # delegate_to a remote host: the task's connection is that host's (ssh), not local
    assert path_taken(transport='ssh') == 'module'


def test_become_runs_the_module():
    assert path_taken(become=True) == 'module'


def test_async_runs_the_module():
    assert path_taken(async_val=30) == 'module'


def test_switch_variable_off_runs_the_module():
    assert path_taken(task_vars={'ece_in_process': False}) == 'module'
    assert path_taken(task_vars={'ece_in_process': 'false'}) == 'module'


def test_switch_environment_off_runs_the_module(monkeypatch):
    monkeypatch.setenv('ECE_IN_PROCESS', '0')
    assert path_taken() == 'module'
    assert path_taken(task_vars={'ece_in_process': True}) == 'in-process'


def test_requests_missing_runs_the_module(monkeypatch):
    monkeypatch.setattr(_module_action, 'missing_libraries', lambda: ['requests'])
    assert path_taken() == 'module'


def test_bad_switch_fails_the_task_naming_the_variable():
    plugin, calls = action()
    with pytest.raises(AnsibleActionFail, match='ece_in_process must be a boolean'):
        plugin.run(task_vars={'ece_in_process': 'sometimes'})
    assert not calls


class ActionWithoutModule(_module_action.EceModuleAction):
    """An action file added before its module: plugins/action/not_a_module_yet.py."""

    __module__ = 'ansible_collections.ece.platform.plugins.action.not_a_module_yet'


def test_an_action_whose_module_is_missing_runs_the_usual_way():
    # The module process path then fails as Ansible fails for any module it cannot find.
    plugin, calls = action(cls=ActionWithoutModule)
    plugin.run(task_vars={})
    assert calls == [('module', None)]


def test_action_names_its_module():
    assert _module_action.module_package('ansible_collections.ece.platform.plugins.action.extension_set') == \
        'ansible_collections.ece.platform.plugins.modules.extension_set'
    with pytest.raises(ValueError):
        _module_action.module_package('somewhere.else')
