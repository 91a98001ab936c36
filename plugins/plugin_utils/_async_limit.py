# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: keep a module's wait for a plan change inside the task's `async` limit.

A module that waits for a plan change (option wait_timeout, default 1800 seconds) under an `async` limit
shorter than that is stopped by ansible with a bare "Timeout exceeded" and changed=false, although the
plan change was sent. Capping wait_timeout below the limit lets the module end first, with its own
message (the plan change goes on in ECE; the next run waits for it), and a warning says why.
"""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

DEFAULT_WAIT_TIMEOUT = 1800
# The modules whose option wait_timeout bounds a wait for a plan change.
WAITING_MODULES = ('deployment_extensions', 'deployment_upgrade', 'deployment_plan')


def capped_wait_timeout(module_name, args, async_seconds):
    """(wait_timeout to use instead, warning), or (None, None) when the wait fits in the async limit."""
    if not async_seconds or module_name.rpartition('.')[2] not in WAITING_MODULES:
        return None, None
    try:
        if not boolean(args.get('wait', True), strict=False):
            return None, None
        wait_timeout = int(args.get('wait_timeout', DEFAULT_WAIT_TIMEOUT))
        limit = int(async_seconds)
    except (TypeError, ValueError):
        return None, None  # the module refuses the value itself
    if wait_timeout < limit:
        return None, None
    capped = max(1, limit - max(2, limit // 10))
    given = 'wait_timeout=%d' % wait_timeout if 'wait_timeout' in args else 'wait_timeout (default %d)' % wait_timeout
    return capped, ('%s is not below the async limit of this task (%d seconds): ansible would stop the task with "Timeout '
                    'exceeded" and changed=false, although the plan change was sent. The module waits %d seconds instead and '
                    'then says what it knows (the plan change goes on in ECE; the next run waits for it). Set wait_timeout '
                    'below async, or raise async.' % (given, limit, capped))
