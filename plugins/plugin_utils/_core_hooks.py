# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: what running a module on the controller needs from ansible-core.

Beyond the action plugin API that every action plugin uses (ActionBase, self._task, self._connection,
self._templar), the in-process path needs the names below. Each is looked up when a task runs, never
assumed at import time: when a future ansible-core moves one, the path becomes unavailable and the task
runs its module in a module process, saying why at -vvv, instead of failing. The unit tests remove each
hook in turn and check that fallback.
"""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.ece.platform.plugins.plugin_utils import _controller_module


def _imported(name: str) -> Callable[[Any], bool]:
    return lambda action: getattr(_controller_module, name, None) is not None


def _task_attributes(action: Any) -> bool:
    task = getattr(action, '_task', None)
    return all(hasattr(task, name) for name in ('args', 'action', 'check_mode', 'diff', 'async_val'))


def _environment_method(action: Any) -> bool:
    return callable(getattr(action, '_compute_environment_string', None))


# (what ansible-core provides, how to tell it is there): the name is what -vvv shows when it is missing.
HOOKS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ('ansible.module_utils.common.arg_spec.ArgumentSpecValidator', _imported('ArgumentSpecValidator')),
    ('ansible.module_utils.common.parameters.remove_values', _imported('remove_values')),
    ('ansible.module_utils.errors.UnsupportedError', _imported('UnsupportedError')),
    ('the task attributes args, action, check_mode, diff and async_val', _task_attributes),
    # Public in practice: ansible.builtin.normal's module transfer uses it for the task's `environment:`.
    ('ActionBase._compute_environment_string', _environment_method),
)


def missing_hooks(action: Any) -> list[str]:
    """The names of HOOKS that this ansible-core lacks, for the action plugin instance `action`."""
    return [name for name, present in HOOKS if not present(action)]
