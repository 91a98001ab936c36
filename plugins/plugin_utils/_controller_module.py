# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: an AnsibleModule look-alike for running a module on the controller.

The modules of this collection use a small part of AnsibleModule: the validated `params`, `check_mode`,
`_diff`, `tmpdir`, `warn()`, `exit_json()` and `fail_json()`. ControllerModule offers exactly that, built
on ansible-core's public API only: ArgumentSpecValidator checks and coerces the arguments with the
module's own spec (fallbacks, defaults, types, mutually_exclusive, ...), remove_values masks no_log
values in the result, and the run ends by raising ModuleExit with the result. Nothing is printed, no
stdout is captured, and no global of ansible-core is touched.

What ansible-core would otherwise take from a module process (the `_ansible_*` arguments) comes from the
action plugin instead: check mode, diff mode and the module name.
"""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
from typing import Any, NoReturn, Optional

try:
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible.module_utils.common.parameters import remove_values
    from ansible.module_utils.errors import UnsupportedError
except ImportError:  # another ansible-core layout: plugin_utils/_core_hooks.py sends every task to the module process
    ArgumentSpecValidator = remove_values = UnsupportedError = None


class ModuleExit(BaseException):
    """exit_json() or fail_json() was called: `result` is the task result.

    A BaseException, as SystemExit is for a module process: an `except Exception` in the module's code
    does not stop it either.
    """

    def __init__(self, result: dict) -> None:
        super().__init__()
        self.result = result


def no_log_values(spec: dict, params: dict) -> set[str]:
    """The values of the options that `spec` marks no_log (in sub-options too), as strings to mask."""
    found: set[str] = set()
    for name, option in spec.items():
        value = params.get(name)
        if value is None:
            continue
        if option.get('no_log'):
            found.update(_leaves(value))
        sub_spec = option.get('options')
        if sub_spec:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found.update(no_log_values(sub_spec, item))
    return found


def as_json_data(result: dict) -> dict:
    """`result` as the controller reads it from a module process's JSON output: tuples become lists, sets sorted
    lists, bytes text, dates ISO 8601; and no object of the module's run is shared with the task result."""
    return json.loads(json.dumps(result, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.decode('utf-8', errors='surrogateescape')
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError('Object of type %s is not JSON serializable' % type(value).__name__)


def _leaves(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {text for item in value.values() for text in _leaves(item)}
    if isinstance(value, (list, tuple, set)):
        return {text for item in value for text in _leaves(item)}
    text = str(value)
    return {text} if text else set()


class ControllerModule:
    """Stands in for AnsibleModule when a module's main() runs inside the action plugin.

    settings: what the action plugin knows about the task: `name` (the module's name for messages),
    `args` (the task's arguments, module_defaults included), `check_mode`, `diff`, `invocation` (whether
    the result carries `invocation.module_args`, as ansible-core's INJECT_INVOCATION decides).
    """

    settings: dict[str, Any] = {}  # set on a subclass per run by ControllerModule.for_task()
    instances: list[ControllerModule] = []  # the objects that subclass made, so that the action plugin can clean up after them

    @classmethod
    def for_task(cls, **settings: Any) -> type[ControllerModule]:
        """A subclass bound to one task's settings, for module_class_set(); ece_module() then instantiates it."""
        return type('ControllerModuleForTask', (cls,), dict(settings=settings, instances=[]))

    def __init__(self, argument_spec: dict, mutually_exclusive: Any = None, required_together: Any = None,
                 required_one_of: Any = None, required_if: Any = None, required_by: Any = None,
                 supports_check_mode: bool = False, **_ignored: Any) -> None:
        settings = self.settings
        self.instances.append(self)
        self._name = settings['name']
        self._invocation = settings.get('invocation', True)
        self._warnings: list[str] = []
        self._tmpdir: Optional[str] = None
        self.check_mode = bool(settings.get('check_mode'))
        self._diff = bool(settings.get('diff'))
        self.supports_check_mode = supports_check_mode
        self.argument_spec = argument_spec
        validator = ArgumentSpecValidator(argument_spec, mutually_exclusive=mutually_exclusive,
                                          required_together=required_together, required_one_of=required_one_of,
                                          required_if=required_if, required_by=required_by)
        # As AnsibleModule: the task's arguments, with what validation coerced and added on top.
        self.params = dict(settings.get('args') or {})
        # A module process gets its arguments as UTF-8 JSON: ansible-core refuses arguments that cannot be encoded
        # (a file name with bytes that are not UTF-8, carried as surrogate escapes) with this UnicodeEncodeError,
        # before the module runs. The same error here ends the task the same way, before any request.
        json.dumps(self.params, ensure_ascii=False).encode('utf-8')
        validation = validator.validate(self.params)
        self.params.update(validation.validated_parameters)
        self._no_log_values = no_log_values(argument_spec, self.params)
        if validation.error_messages:
            msg = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                msg = 'Unsupported parameters for (%s) module: %s' % (self._name, msg)
            self.fail_json(msg=msg)
        if self.check_mode and not supports_check_mode:
            self.exit_json(skipped=True, msg='remote module (%s) does not support check mode' % self._name)

    @property
    def tmpdir(self) -> str:
        """A private directory for this run, removed by cleanup() when the run ends (as a module process removes its own)."""
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix='ece-platform-')
        return self._tmpdir

    def cleanup(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def warn(self, warning: str) -> None:
        if not isinstance(warning, str):
            raise TypeError('warn requires a string, not %s' % type(warning))
        self._warnings.append(warning)

    def exit_json(self, **kwargs: Any) -> NoReturn:
        self._exit(kwargs)

    def fail_json(self, msg: Any, **kwargs: Any) -> NoReturn:
        kwargs.pop('exception', None)  # a traceback for a module process's output; the action shows its own
        kwargs.update(failed=True, msg=str(msg))
        self._exit(kwargs)

    def _exit(self, result: dict) -> NoReturn:
        if self._invocation:
            result.setdefault('invocation', dict(module_args=self.params))
        if self._warnings:
            result['warnings'] = list(self._warnings)
        raise ModuleExit(as_json_data(remove_values(result, self._no_log_values)))
