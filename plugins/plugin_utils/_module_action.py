# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the action plugin every module of the collection shares.

plugins/action/<name>.py subclasses EceModuleAction and so belongs to plugins/modules/<name>.py.
When the task runs on the controller (see _dispatch.py) the module's main() runs in the worker
process (_in_process.py) and its output goes through the same parsing as a module process's
output; otherwise the module runs the usual way. Either way the task result is the same.
"""

from __future__ import annotations

import importlib
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.ece.platform.plugins.module_utils import _progress
from ansible_collections.ece.platform.plugins.plugin_utils._dispatch import SWITCH_ENV, SWITCH_VARIABLE, SwitchError, module_process_reason
from ansible_collections.ece.platform.plugins.plugin_utils._in_process import PROFILE, run_main
from ansible_collections.ece.platform.plugins.plugin_utils._async_limit import capped_wait_timeout
from ansible_collections.ece.platform.plugins.plugin_utils._once_per_endpoint_action import once_per_endpoint
from ansible_collections.ece.platform.plugins.plugin_utils._progress_display import DisplayReporter

display = Display()


def missing_libraries():
    """The libraries the modules need that the controller's Python lacks."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.ece.platform.plugins.module_utils._client import HAS_REQUESTS
    from ansible_collections.ece.platform.plugins.module_utils._multipart import HAS_TOOLBELT
    return [name for name, present in (('requests', HAS_REQUESTS), ('requests-toolbelt', HAS_TOOLBELT)) if not present]


def module_package(action_package):
    """`ansible_collections.<ns>.<name>.plugins.action.<module>` -> the module's Python name."""
    head, sep, name = action_package.rpartition('.plugins.action.')
    if not sep:
        raise ValueError('%s is not an action plugin of a collection' % action_package)
    return '%s.plugins.modules.%s' % (head, name)


def _without_internal_keys(parsed):
    """What ActionBase._execute_module does to a parsed module result before returning it."""
    if isinstance(parsed, dict):  # ansible-core 2.19 and 2.20: a plain dict
        # pylint: disable=import-outside-toplevel
        from ansible.vars.clean import remove_internal_keys
        parsed.pop('_ansible_suppress_tmpdir_delete', None)
        remove_internal_keys(parsed)
        return parsed
    parsed.remove_internal_keys()  # ansible-core 2.21: a UnifiedTaskResult
    return parsed.as_result_dict(for_round_trip=True)


class EceModuleAction(ActionBase):
    """Runs the module of the same name in-process when the task runs on the controller, else as usual."""

    _supports_check_mode = True
    _supports_async = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The strategy loads each action plugin class in ansible-playbook's main process before it forks the
        # task's worker: importing the module (and requests) here lets every later worker inherit them, so a
        # task does not pay the imports again in each new worker.
        try:
            importlib.import_module(module_package(cls.__module__))
        except Exception:  # pylint: disable=broad-except
            pass  # _module_main() tries again in the worker and says at -vvv why the module process runs

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        capped, warning = capped_wait_timeout(self._task.action, self._task.args, self._task.async_val)
        if warning:
            display.warning(warning)
            self._task.args['wait_timeout'] = capped
        # The role's tasks run once per ECE endpoint among the play's hosts (see _once_per_endpoint.py).
        return once_per_endpoint(self, task_vars, lambda: self._run_here(result, task_vars))

    def _run_here(self, result, task_vars):
        main, reason = None, self._module_process_reason(task_vars)
        if reason is None:
            main, reason = self._module_main()
        if reason is not None:
            display.vvv('%s: running the module in its own process: %s' % (self._task.action, reason),
                        host=self._play_context.remote_addr)
            return merge_hash(result, self._run_module_process(task_vars))
        display.vvv('%s: running the module in-process on the controller (worker pid %d): %s'
                    % (self._task.action, os.getpid(), main.__code__.co_filename), host=self._play_context.remote_addr)
        return merge_hash(result, self._run_in_process(main, task_vars))

    def _module_process_reason(self, task_vars):
        switch_var = task_vars.get(SWITCH_VARIABLE)
        if switch_var is not None:
            switch_var = self._templar.template(switch_var)
        try:
            return module_process_reason(
                connection=self._connection_name(),
                become=bool(self._play_context.become),
                async_seconds=self._task.async_val,
                switch_var=switch_var,
                switch_env=os.environ.get(SWITCH_ENV),
                libraries_missing=missing_libraries(),
            )
        except SwitchError as exc:
            raise AnsibleActionFail('%s Set it to false to run the modules of ece.platform in their own process, '
                                    'or leave it unset.' % exc) from None

    def _connection_name(self):
        return getattr(self._connection, 'transport', None) or getattr(self._connection, '_load_name', None)

    def _module_main(self):
        """(main, None), or (None, why not) when the module cannot be imported on the controller."""
        name = module_package(type(self).__module__)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            return None, 'its module %s cannot be imported on the controller (%s)' % (name, exc)
        return module.main, None

    def _run_module_process(self, task_vars):
        """What ansible.builtin.normal does."""
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run_in_process(self, main, task_vars):
        module_args = dict(self._task.args)
        self._update_module_args(self._task.action, module_args, task_vars)
        environment = {}
        self._compute_environment_string(environment)
        previous = _progress.set_reporter(DisplayReporter(display.display, task_vars.get('inventory_hostname', 'localhost')))
        try:
            output = run_main(main, module_args, environment)
        finally:
            _progress.set_reporter(previous)
        return _without_internal_keys(self._parse_returned_data(output, PROFILE))
