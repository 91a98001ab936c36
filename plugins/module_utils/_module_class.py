# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: which class builds a module's AnsibleModule object.

In a module process it is AnsibleModule. When the collection's action plugin runs a module on the
controller (plugins/plugin_utils/_controller_module.py), it passes a look-alike for the duration of that
one run, so the module's own main() runs unchanged: same argument spec, same wiring, same result.
A context variable, not a module global: it is set and reset by one call in one thread, and no other
thread (the hashing thread of an upload, say) or later run can see it.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

from ansible.module_utils.basic import AnsibleModule

_module_class: contextvars.ContextVar[Any] = contextvars.ContextVar('ece_platform_module_class', default=None)


def module_class() -> Any:
    """The class ece_module() instantiates: the look-alike during a controller-side run, else AnsibleModule."""
    return _module_class.get() or AnsibleModule


@contextlib.contextmanager
def module_class_set(cls: Any) -> Iterator[None]:
    """Within this block (in this thread), modules are built with `cls`."""
    token = _module_class.set(cls)
    try:
        yield
    finally:
        _module_class.reset(token)
