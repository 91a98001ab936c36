# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the action plugin's side of _once_per_endpoint.py.

A task opts in with the task variable _ece_once_per_endpoint (the role ece.platform.extensions sets it
on its module tasks). Other tasks of the collection run on every host, as any module does.
"""

from __future__ import annotations

import os

from ansible import constants as C
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display

from ansible_collections.ece.platform.plugins.plugin_utils._once_per_endpoint import (
    SWITCH_VARIABLE,
    EndpointMismatch,
    OncePerEndpoint,
    endpoint_of,
    mismatch_message,
    options_digest,
    run_key,
    store_directory,
)

display = Display()


def _task_scope(task, task_vars):
    """What identifies a task of a play for every host: the play, the task's place in its file, the action."""
    play = None
    try:
        play = task.get_play()
    except Exception:  # pylint: disable=broad-except
        pass
    play_id = getattr(play, '_uuid', None) or task_vars.get('ansible_play_name')
    return [str(play_id), task.get_path(), task.action]


def once_per_endpoint(action, task_vars, run):
    """run()'s result, or, when another host of the same ECE endpoint ran this task already, a copy of its result."""
    if not boolean(task_vars.get(SWITCH_VARIABLE, False), strict=False):
        return run()
    args = dict(action._task.args)  # module_defaults are merged in by now
    environment: dict = {}
    action._compute_environment_string(environment)  # pylint: disable=protected-access
    endpoint = endpoint_of(args, environment, os.environ)
    host = task_vars.get('inventory_hostname', 'localhost')
    if endpoint is None:
        # No endpoint is known here (the module will say that host is missing, or finds it on a remote host).
        display.vvv('%s: no ECE endpoint known on the controller, so this host runs the task itself' % action._task.action, host=host)
        return run()
    store = OncePerEndpoint(store_directory(C.DEFAULT_LOCAL_TMP))
    scope = _task_scope(action._task, task_vars)
    occurrence = store.next_occurrence(scope, endpoint, host)
    try:
        result, leader = store.run(run_key(scope, endpoint, occurrence), host, options_digest(args), run)
    except EndpointMismatch as exc:
        return dict(failed=True, changed=False, msg=mismatch_message(host, str(exc), endpoint))
    if leader != host:
        display.v('%s: %s was converged by host %s in this run; its result is taken' % (action._task.action, endpoint, leader),
                  host=host)
    return result
