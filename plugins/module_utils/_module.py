# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the AnsibleModule of every module, and its one way out.

`ece_module` builds the AnsibleModule with the connection options next to the module's own and checks
the connection rules before anything else runs; `run_or_fail` runs the module's work, turns every
EceError into fail_json, and closes the clients the work opened.
"""

from __future__ import annotations

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.ece.platform.plugins.module_utils import _progress
from ansible_collections.ece.platform.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.ece.platform.plugins.module_utils._connection import check_connection_rules
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._module_class import module_class
from ansible_collections.ece.platform.plugins.module_utils._options import connection_argument_spec


def ece_module(argument_spec, mutually_exclusive=(), required_together=(), required_one_of=(), **kwargs):
    """An AnsibleModule whose spec holds the connection options next to the module's own; the connection rules are checked here."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    # AnsibleModule, or its look-alike when the action plugin runs the module on the controller.
    module = module_class()(
        argument_spec=spec,
        mutually_exclusive=list(mutually_exclusive),
        required_together=list(required_together),
        required_one_of=list(required_one_of),
        **kwargs
    )
    if _progress.current_reporter() is None and getattr(module, '_verbosity', 0) >= 3:
        # A module process at -vvv: nobody shows the notes now, so they go back with the result (see _progress).
        collector = _progress.NoteCollector()
        _progress.set_reporter(collector)
        module.ece_notes = collector.notes
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    try:
        check_connection_rules(module.params)
    except EceError as exc:
        module.fail_json(**exc.result())
    return module


def run_or_fail(module, action):
    """Run `action()` and exit; every EceError becomes fail_json here, the one place that does it.

    The HTTP sessions of the clients built for the module are closed first, whatever happened: in the
    controller's worker (in-process) nothing else would close them at a known time.
    """
    try:
        try:
            result = action()
        finally:
            for client in getattr(module, 'ece_clients', ()):
                client.close()
    except EceError as exc:
        module.fail_json(**with_notes(module, exc.result()))
    module.exit_json(**with_notes(module, result))


def with_notes(module, result):
    """`result` plus the notes a module process kept for -vvv (none in-process: they were shown already)."""
    notes = getattr(module, 'ece_notes', None)
    return dict(result, **{_progress.NOTES_KEY: list(notes)}) if notes else result
