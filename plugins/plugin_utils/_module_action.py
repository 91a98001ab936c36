# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the action plugin every module of the collection shares.

plugins/action/<name>.py subclasses EceModuleAction and so belongs to plugins/modules/<name>.py.
When the task runs on the controller (see _dispatch.py) the module's own main() runs inside this
action plugin, with an AnsibleModule look-alike built on ansible-core's public API
(_controller_module.py); otherwise ansible-core's own `normal` action runs the module the usual way.
Either way the task result is the same.

This file imports nothing of ansible-core beyond the action plugin API, so that the action plugin
always loads: whatever else a future ansible-core lacks makes the in-process path unavailable
(_core_hooks.py), and the task then runs its module in a module process.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any, Callable, Iterator, Optional

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.ece.platform.plugins.module_utils import _progress
from ansible_collections.ece.platform.plugins.module_utils._module_class import module_class_set
from ansible_collections.ece.platform.plugins.plugin_utils._controller_module import ControllerModule, ModuleExit
from ansible_collections.ece.platform.plugins.plugin_utils._core_hooks import missing_hooks
from ansible_collections.ece.platform.plugins.plugin_utils._dispatch import SWITCH_ENV, SWITCH_VARIABLE, SwitchError, module_process_reason
from ansible_collections.ece.platform.plugins.plugin_utils._async_limit import capped_wait_timeout
from ansible_collections.ece.platform.plugins.plugin_utils._once_per_endpoint_action import once_per_endpoint
from ansible_collections.ece.platform.plugins.plugin_utils._progress_display import DisplayReporter

display = Display()


def missing_libraries() -> list[str]:
    """The libraries the modules need that the controller's Python lacks."""
    # pylint: disable=import-outside-toplevel
    from ansible_collections.ece.platform.plugins.module_utils._client import HAS_REQUESTS
    from ansible_collections.ece.platform.plugins.module_utils._multipart import HAS_TOOLBELT
    return [name for name, present in (('requests', HAS_REQUESTS), ('requests-toolbelt', HAS_TOOLBELT)) if not present]


def module_package(action_package: str) -> str:
    """`ansible_collections.<ns>.<name>.plugins.action.<module>` -> the module's Python name."""
    head, sep, name = action_package.rpartition('.plugins.action.')
    if not sep:
        raise ValueError('%s is not an action plugin of a collection' % action_package)
    return '%s.plugins.modules.%s' % (head, name)


@contextlib.contextmanager
def task_environment(extra: dict) -> Iterator[None]:
    """os.environ plus the task's `environment:` for the run (env fallbacks, proxies, CA bundle); only those keys are put back after."""
    saved = {key: os.environ.get(key) for key in map(str, extra)}
    os.environ.update((str(key), str(value)) for key, value in extra.items())
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class EceModuleAction(ActionBase):
    """Runs the module of the same name in-process when the task runs on the controller, else as usual."""

    _supports_check_mode = True
    _supports_async = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The strategy loads each action plugin class in ansible-playbook's main process before it forks the
        # task's worker: importing the module (and requests) here lets every later worker inherit them, so a
        # task does not pay the imports again in each new worker.
        try:
            importlib.import_module(module_package(cls.__module__))
        except ImportError:
            pass  # _module_main() tries again in the worker and says at -vvv why the module process runs

    def run(self, tmp: Any = None, task_vars: Optional[dict] = None) -> dict:
        task_vars = task_vars or {}
        capped, warning = capped_wait_timeout(self._task.action, self._task.args, self._task.async_val)
        if warning:
            display.warning(warning)
            self._task.args['wait_timeout'] = capped
        # The role's tasks run once per ECE endpoint among the play's hosts (see _once_per_endpoint.py).
        return once_per_endpoint(self, task_vars, lambda: self._run_here(tmp, task_vars))

    def _run_here(self, tmp: Any, task_vars: dict) -> dict:
        main, reason = None, self._module_process_reason(task_vars)
        if reason is None:
            main, reason = self._module_main()
        if main is None or reason is not None:
            display.vvv('%s: running the module in its own process: %s' % (self._task.action, reason),
                        host=self._play_context.remote_addr)
            return self._run_module_process(tmp, task_vars)
        display.vvv('%s: running the module in-process on the controller (worker pid %d): %s'
                    % (self._task.action, os.getpid(), main.__code__.co_filename), host=self._play_context.remote_addr)
        result = super().run(tmp, task_vars)
        result.update(self._run_in_process(main, task_vars))
        return result

    def _module_process_reason(self, task_vars: dict) -> Optional[str]:
        switch_var = task_vars.get(SWITCH_VARIABLE)
        if switch_var is not None:
            switch_var = self._templar.template(switch_var)
        interpreter = task_vars.get('ansible_python_interpreter')
        if interpreter is not None:
            interpreter = self._templar.template(interpreter)
        try:
            return module_process_reason(
                connection=self._connection_name(),
                become=bool(self._play_context.become),
                async_seconds=self._task.async_val,
                switch_var=switch_var,
                switch_env=os.environ.get(SWITCH_ENV),
                libraries_missing=missing_libraries(),
                interpreter=interpreter,
                controller_python=sys.executable,
                hooks_missing=missing_hooks(self),
            )
        except SwitchError as exc:
            raise AnsibleActionFail('%s Set it to false to run the modules of ece.platform in their own process, '
                                    'or leave it unset.' % exc) from None

    def _connection_name(self) -> Optional[str]:
        return getattr(self._connection, 'transport', None) or getattr(self._connection, '_load_name', None)

    def _module_main(self) -> tuple[Optional[Callable[[], Any]], Optional[str]]:
        """(main, None), or (None, why not) when the module cannot be imported on the controller."""
        name = module_package(type(self).__module__)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            return None, 'its module %s cannot be imported on the controller (%s)' % (name, exc)
        return module.main, None

    def _run_module_process(self, tmp: Any, task_vars: dict) -> dict:
        """The module the usual way: ansible-core's own `normal` action, for this task."""
        normal = self._shared_loader_obj.action_loader.get(
            'ansible.legacy.normal', task=self._task, connection=self._connection, play_context=self._play_context,
            loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        result = normal.run(tmp, task_vars)
        # What the module process noted for -vvv (module_utils/_progress.py), shown as in-process runs show it.
        for text in result.pop(_progress.NOTES_KEY, None) or ():
            display.vvv('%s: %s' % (task_vars.get('inventory_hostname', 'localhost'), text))
        return result

    def _invocation_wanted(self, task_vars: dict) -> bool:
        """Whether a module result carries `invocation` (ansible-core 2.21's INJECT_INVOCATION; always before it)."""
        from ansible import constants  # pylint: disable=import-outside-toplevel
        try:
            return bool(constants.config.get_config_value('INJECT_INVOCATION', variables=task_vars))
        except AnsibleError:
            return True  # ansible-core before 2.21 has no such setting: modules always add it

    def _run_in_process(self, main: Callable[[], Any], task_vars: dict) -> dict:
        environment: dict[str, Any] = {}
        self._compute_environment_string(environment)
        module_cls = ControllerModule.for_task(
            name=getattr(self._task, 'resolved_action', None) or self._task.action, args=self._task.args, check_mode=self._task.check_mode,
            diff=self._task.diff, invocation=self._invocation_wanted(task_vars))
        reporter = DisplayReporter(display.display, task_vars.get('inventory_hostname', 'localhost'), verbose=display.vvv)
        previous = _progress.set_reporter(reporter)
        try:
            with task_environment(environment), module_class_set(module_cls):
                main()
            raise AnsibleActionFail('The module %s returned without calling exit_json() or fail_json().' % self._task.action)
        except ModuleExit as exit_:
            return exit_.result
        finally:
            _progress.set_reporter(previous)
            for module in module_cls.instances:
                module.cleanup()
