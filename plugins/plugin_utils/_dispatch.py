# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: where a task of this collection runs its module.

A module of this collection talks to an HTTP API, so running it in Ansible's worker process on the
controller gives the same result as a separate Python process, without the cost of packaging and
starting one. That holds only when the separate process would itself run on the controller, as the
controller's user, and synchronously. Every other case keeps the usual module process.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence

LOCAL_CONNECTIONS = frozenset(('local', 'ansible.builtin.local', 'ansible.legacy.local'))

SWITCH_VARIABLE = 'ece_in_process'
SWITCH_ENV = 'ECE_IN_PROCESS'

_TRUE = frozenset(('1', 'true', 'yes', 'on', 'y', 't'))
_FALSE = frozenset(('0', 'false', 'no', 'off', 'n', 'f'))


class SwitchError(ValueError):
    """The switch holds something that is not a boolean."""


def switch_value(value: Any, source: str) -> Optional[bool]:
    """`value` of the variable or environment variable `source` as a bool; None when unset."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SwitchError('%s must be a boolean (true or false), not %r.' % (source, value))


def other_interpreter(interpreter: Any, controller_python: str) -> bool:
    """True when `interpreter` (ansible_python_interpreter, templated; None when unset) is another Python than the controller's.

    Interpreter discovery (auto, auto_silent, ...) is no explicit choice. The same file, reached through
    another name in the same directory (python3 and python3.12 of one venv), is the same Python; a link
    elsewhere (a venv's python and the system's) is not, as it sees other libraries.
    """
    if interpreter is None:
        return False
    text = str(interpreter).strip()
    if not text or text.startswith('auto'):
        return False
    chosen, ours = os.path.abspath(os.path.expanduser(text)), os.path.abspath(controller_python)
    if chosen == ours:
        return False
    return not (os.path.dirname(chosen) == os.path.dirname(ours) and os.path.realpath(chosen) == os.path.realpath(ours))


def module_process_reason(connection: Optional[str], become: bool, async_seconds: Any, switch_var: Any, switch_env: Optional[str],
                          libraries_missing: Sequence[str], interpreter: Any = None, controller_python: Optional[str] = None,
                          hooks_missing: Sequence[str] = ()) -> Optional[str]:
    """Why the module must run in its own process, or None when it can run in the worker process.

    connection: the task's connection plugin name (after delegation); become: whether the task
    becomes another user; async_seconds: the task's `async`; switch_var / switch_env: the values of
    the variable ece_in_process and of the controller's environment variable ECE_IN_PROCESS (None
    when unset; the variable wins); libraries_missing: names of the controller Python's missing
    libraries the modules need; interpreter: the task's ansible_python_interpreter (None when unset)
    and controller_python the Python running Ansible; hooks_missing: what this ansible-core lacks of
    what the in-process path needs (_core_hooks.py).
    """
    switch = switch_value(switch_var, 'The variable %s' % SWITCH_VARIABLE)
    source = 'variable %s' % SWITCH_VARIABLE
    if switch is None:
        switch = switch_value(switch_env, 'The environment variable %s' % SWITCH_ENV)
        source = 'environment variable %s' % SWITCH_ENV
    if switch is False:
        return 'the %s turns the in-process path off' % source
    if connection not in LOCAL_CONNECTIONS:
        return 'the task runs through connection %r, not on the controller' % connection
    if become:
        return 'the task uses become, which needs a process of the other user'
    if async_seconds:
        return 'the task is async, which needs a process of its own'
    if controller_python and other_interpreter(interpreter, controller_python):
        return ('ansible_python_interpreter is %s, not the Python running Ansible (%s): the module runs with that '
                'interpreter, its libraries and its CA store' % (interpreter, controller_python))
    if hooks_missing:
        return 'this ansible-core lacks %s, which running on the controller needs' % ', '.join(hooks_missing)
    if libraries_missing:
        return "the controller's Python lacks %s" % ', '.join(libraries_missing)
    return None
