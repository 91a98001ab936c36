# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a task runs its module: in the worker process only on the controller, synchronously, as the same user."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.ece.platform.plugins.action.extension import ActionModule as ExtensionAction
from ansible_collections.ece.platform.plugins.module_utils import _argspec
from ansible_collections.ece.platform.plugins.plugin_utils import _controller_module, _core_hooks, _module_action
from ansible_collections.ece.platform.plugins.plugin_utils._dispatch import SwitchError, module_process_reason, other_interpreter


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


@pytest.mark.parametrize('interpreter, other', [
    (None, False),
    ('auto_silent', False),
    ('/venv/bin/python', False),
    ('/venv/bin/../bin/python', False),
    ('/usr/bin/python3', True),
    ('/usr/bin/env python3', True),
])
def test_only_an_explicit_other_interpreter_counts(interpreter, other):
    assert other_interpreter(interpreter, '/venv/bin/python') is other


def test_another_name_of_the_same_python_in_the_same_directory_is_the_same(tmp_path):
    (tmp_path / 'python3.12').write_text('')
    (tmp_path / 'python').symlink_to(tmp_path / 'python3.12')
    assert other_interpreter(str(tmp_path / 'python'), str(tmp_path / 'python3.12')) is False
    elsewhere = tmp_path / 'venv'
    elsewhere.mkdir()
    (elsewhere / 'python').symlink_to(tmp_path / 'python3.12')
    assert other_interpreter(str(elsewhere / 'python'), str(tmp_path / 'python3.12')) is True


def test_another_interpreter_and_missing_hooks_send_the_task_to_a_module_process():
    assert 'ansible_python_interpreter is /usr/bin/python3' in reason(interpreter='/usr/bin/python3', controller_python='/venv/bin/python')
    assert reason(interpreter='/venv/bin/python', controller_python='/venv/bin/python') is None
    assert 'lacks ActionBase._compute_environment_string' in reason(hooks_missing=['ActionBase._compute_environment_string'])


def test_switch_off_wins_over_every_other_reason():
    assert 'ece_in_process' in reason(switch_var=False, connection='ssh', become=True)


@pytest.mark.parametrize('value', ['maybe', 2, 'of course'])
def test_a_switch_that_is_no_boolean_is_an_error(value):
    with pytest.raises(SwitchError, match='ece_in_process must be a boolean'):
        reason(switch_var=value)


class _Templar:
    def template(self, value):
        return value


class _Normal:
    """ansible-core's `normal` action as the action loader hands it out."""

    def __init__(self, calls, **kwargs):
        self.kwargs = kwargs
        self.calls = calls

    def run(self, tmp=None, task_vars=None):
        self.calls.append(('module', None))
        return {'changed': False, 'from': 'normal'}


def action(cls=ExtensionAction, transport='local', become=False, async_val=0, args=None, environment=None):
    calls = []
    loader = SimpleNamespace(get=lambda name, **kwargs: calls.append(('loaded', name)) or _Normal(calls, **kwargs))
    task = SimpleNamespace(action='ece.platform.extension', resolved_action='ece.platform.extension', async_val=async_val,
                           check_mode=False, diff=False, args=args or {}, environment=environment, no_log=False)
    connection = SimpleNamespace(transport=transport, _shell=SimpleNamespace(tmpdir=None, env_prefix=lambda **kw: ''),
                                 has_native_async=False)
    play_context = SimpleNamespace(become=become, remote_addr='localhost')
    plugin = cls(task, connection, play_context, loader=None, templar=_Templar(), shared_loader_obj=None)
    plugin._shared_loader_obj = SimpleNamespace(action_loader=loader)  # ActionBase always sets ansible.plugins.loader
    return plugin, calls


def stub_in_process(plugin, calls):
    plugin._run_in_process = lambda main, task_vars: calls.append(('in-process', main)) or {'changed': False}


def path_taken(task_vars=None, **kwargs):
    plugin, calls = action(**kwargs)
    stub_in_process(plugin, calls)
    plugin.run(task_vars=task_vars or {})
    paths = [call for call in calls if call[0] != 'loaded']
    assert len(paths) == 1
    return paths[0][0]


def reasons_shown(monkeypatch):
    shown = []
    monkeypatch.setattr(_module_action.display, 'vvv', lambda msg, host=None: shown.append(msg))
    return shown


def test_local_task_runs_the_module_main_in_process():
    plugin, calls = action()
    stub_in_process(plugin, calls)
    plugin.run(task_vars={})
    from ansible_collections.ece.platform.plugins.modules import extension  # pylint: disable=import-outside-toplevel
    assert calls == [('in-process', extension.main)]


def test_the_module_process_is_ansible_core_s_own_normal_action():
    plugin, calls = action(transport='ssh')
    result = plugin.run(task_vars={})
    assert calls == [('loaded', 'ansible.legacy.normal'), ('module', None)]
    assert result == {'changed': False, 'from': 'normal'}


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


def test_an_explicit_other_interpreter_runs_the_module(monkeypatch):
    shown = reasons_shown(monkeypatch)
    assert path_taken(task_vars={'ansible_python_interpreter': '/nonexistent/ece-it/python3'}) == 'module'
    assert 'ansible_python_interpreter is /nonexistent/ece-it/python3' in shown[-1]
    assert path_taken(task_vars={'ansible_python_interpreter': sys.executable}) == 'in-process'
    assert path_taken(task_vars={'ansible_python_interpreter': 'auto_silent'}) == 'in-process'


def _without_module_level(name):
    def remove(monkeypatch, _plugin):
        monkeypatch.setattr(_controller_module, name, None)
    return remove


def _without_task_attribute(name):
    def remove(_monkeypatch, plugin):
        delattr(plugin._task, name)
    return remove


def _without_environment_method(monkeypatch, plugin):
    monkeypatch.setattr(plugin, '_compute_environment_string', None, raising=False)


# Every hook of _core_hooks.HOOKS, and how a future ansible-core might lack it.
REMOVALS = {
    'ansible.module_utils.common.arg_spec.ArgumentSpecValidator': _without_module_level('ArgumentSpecValidator'),
    'ansible.module_utils.common.parameters.remove_values': _without_module_level('remove_values'),
    'ansible.module_utils.errors.UnsupportedError': _without_module_level('UnsupportedError'),
    'the task attributes args, action, check_mode, diff and async_val': _without_task_attribute('diff'),
    'ActionBase._compute_environment_string': _without_environment_method,
}


def test_every_hook_has_a_removal_test():
    assert sorted(REMOVALS) == sorted(name for name, _present in _core_hooks.HOOKS)


@pytest.mark.parametrize('hook', sorted(REMOVALS))
def test_a_missing_hook_sends_the_task_to_the_module_process_and_says_why(monkeypatch, hook):
    shown = reasons_shown(monkeypatch)
    plugin, calls = action()
    REMOVALS[hook](monkeypatch, plugin)
    result = plugin.run(task_vars={})
    assert calls == [('loaded', 'ansible.legacy.normal'), ('module', None)]
    assert result['from'] == 'normal'
    assert 'running the module in its own process' in shown[-1]
    assert hook in shown[-1]


def test_the_action_plugins_import_when_ansible_core_lacks_the_in_process_names():
    # A future ansible-core without any of the public names the in-process path uses: every action plugin
    # still imports (remote tasks are not affected) and names what is missing.
    code = textwrap.dedent("""
        import importlib
        import ansible.plugins.action  # ansible-core itself, loaded as before the names moved
        for module, name in (('ansible.module_utils.common.arg_spec', 'ArgumentSpecValidator'),
                             ('ansible.module_utils.common.parameters', 'remove_values'),
                             ('ansible.module_utils.errors', 'UnsupportedError')):
            delattr(importlib.import_module(module), name)  # moved away: importing it raises ImportError
        for action in ('extension', 'extension_info', 'extension_set', 'deployment_extensions'):
            importlib.import_module('ansible_collections.ece.platform.plugins.action.' + action)
        from ansible_collections.ece.platform.plugins.plugin_utils import _core_hooks
        print(sorted(_core_hooks.missing_hooks(None)))
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert 'ArgumentSpecValidator' in out.stdout and 'remove_values' in out.stdout


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
    stub_in_process(plugin, calls)
    plugin.run(task_vars={})
    assert calls == [('loaded', 'ansible.legacy.normal'), ('module', None)]


def test_action_names_its_module():
    assert _module_action.module_package('ansible_collections.ece.platform.plugins.action.extension_set') == \
        'ansible_collections.ece.platform.plugins.modules.extension_set'
    with pytest.raises(ValueError):
        _module_action.module_package('somewhere.else')


def echo_main():
    module = _argspec.ece_module(argument_spec=dict(name=dict(type='str')), supports_check_mode=True)
    with open(os.path.join(module.tmpdir, 'scratch'), 'w', encoding='utf-8') as handle:
        handle.write('x')
    module.exit_json(changed=False, params=module.params, tmpdir=module.tmpdir, seen=os.environ.get('ECE_IT_SEEN'),
                     check_mode=module.check_mode)


def test_in_process_run_gives_the_module_result_and_leaves_nothing_behind(monkeypatch):
    monkeypatch.delenv('ECE_IT_SEEN', raising=False)
    monkeypatch.setenv('ECE_HOST', 'https://before')
    plugin, _calls = action(args={'api_key': 'k-secret-3', 'name': 'x'},
                            environment=[{'ECE_HOST': 'https://ece.example', 'ECE_IT_SEEN': 'yes'}])
    result = plugin._run_in_process(echo_main, {})
    assert result['params']['host'] == 'https://ece.example'  # env fallback from the task's environment
    assert result['seen'] == 'yes'
    assert 'k-secret-3' not in repr(result)
    assert not os.path.exists(result['tmpdir'])
    assert os.environ['ECE_HOST'] == 'https://before' and 'ECE_IT_SEEN' not in os.environ


def test_a_main_that_does_not_exit_fails_the_task():
    plugin, _calls = action()
    with pytest.raises(AnsibleActionFail, match='without calling exit_json'):
        plugin._run_in_process(lambda: None, {})
