# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: converge a whole list of extensions in one module run.

Every module run costs Ansible a few hundred milliseconds, an HTTP round trip about one. So the set
is validated in full first (bad input fails before any write, see _extension_set_items), the server is
listed once, and each item then goes through the same ExtensionReconciler as ece.platform.extension,
given what the list said instead of reading it again. Only the writes that are needed are sent.

`exclusive` deletes what the list does not name, and deleting is the one thing a rerun cannot undo,
so it follows stricter rules than the items: an extension whose name or id any item gives is never
"unlisted" (even when that item failed), and when any item failed nothing is deleted as unlisted.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_identity import select
from ansible_collections.ece.platform.plugins.module_utils._extension_state import ExtensionReconciler, metadata_view


EMPTY_EXCLUSIVE_DELETES = ('exclusive=true with an empty extensions list would delete every extension on the server that no deployment '
                           'uses. If that is meant, set allow_empty=true (in the role: ece_extensions_allow_empty: true); otherwise check '
                           'the variable that should fill the list (a misspelt variable name gives an empty list). Nothing was sent to ECE.')


def check_exclusive_list(desired, exclusive, allow_empty):
    """Refuse, before any request, an exclusive run over an empty list unless allow_empty says it is meant."""
    if exclusive and not desired and not allow_empty:
        raise EceError(EMPTY_EXCLUSIVE_DELETES)


class _WriteLog:
    """The ExtensionsApi as the reconciler sees it, noting each write of the current item that went through (or would,
    in check mode): the four writes are spelt out; everything else (the reads, check_mode, client) is the API's own."""

    def __init__(self, api):
        self._api = api
        self.writes = []

    def start_item(self):
        """Forget the writes of the previous item."""
        self.writes = []

    def _logged(self, name, args, kwargs):
        answer = getattr(self._api, name)(*args, **kwargs)
        self.writes.append(name)
        return answer

    def create(self, *args, **kwargs):
        return self._logged('create', args, kwargs)

    def update(self, *args, **kwargs):
        return self._logged('update', args, kwargs)

    def upload(self, *args, **kwargs):
        return self._logged('upload', args, kwargs)

    def delete(self, *args, **kwargs):
        return self._logged('delete', args, kwargs)

    def __getattr__(self, name):
        return getattr(self._api, name)  # only what the class does not define: reads and attributes


def action_of(writes, state, failed=False):
    """One word for what an item did: created, updated, uploaded, deleted, unchanged, absent or failed."""
    if failed:
        return 'failed'
    for write, action in (('delete', 'deleted'), ('create', 'created'), ('update', 'updated'), ('upload', 'uploaded')):
        if write in writes:
            return action
    return 'absent' if state == 'absent' else 'unchanged'


def in_phase(desired, only_state):
    """The items that a run with option only_state converges: all of them when it is not set."""
    return [entry for entry in desired if only_state is None or entry.state == only_state]


def is_listed(extension, listed_ids, listed_names, listed_builds=()):
    """True when an item names this server extension, whatever became of that item: by id, by name (identity=name),
    or by name and version (identity=name_and_version, where each build is its own entry)."""
    return (str(extension.get('id')) in listed_ids or extension.get('name') in listed_names
            or (extension.get('name'), extension.get('version')) in listed_builds)


def listed_keys(desired, failed_names=()):
    """(ids, names, builds) the list names. A failed item protects every extension of its name, whatever its
    identity: which one it meant is not known for sure."""
    ids = {str(entry.id) for entry in desired if entry.id is not None}
    names = {entry.name for entry in desired if entry.name is not None and entry.identity != 'name_and_version'}
    names.update(name for name in failed_names if name is not None)
    builds = {(entry.name, entry.version) for entry in desired if entry.name is not None and entry.identity == 'name_and_version'}
    return ids, names, builds


def _current_for(entry, by_id, by_name):
    if entry.id is not None:
        return by_id.get(str(entry.id))
    return select(by_name.get(entry.name, []), entry)


class ExtensionSetReconciler:
    """Runs a validated list against the server; `exclusive` also deletes what the list does not name."""

    def __init__(self, api, warn=None, diff=True):
        self.api = _WriteLog(api)
        self.single = ExtensionReconciler(self.api, warn=warn, diff=diff)

    def run(self, desired, exclusive=False, only_state=None):
        """A dict: results, failures, deleted, kept_in_use, unlisted_skipped and (when skipped) unlisted_skipped_reason.

        `only_state` (present or absent) converges only the items of that state; every item still counts as listed.
        With present, `exclusive` deletes nothing (the deletions belong to the run with absent); when an item failed,
        it still reports the unlisted extensions as skipped, since the run with absent must not follow.
        """
        server = self.api.list()
        by_id = {str(ext.get('id')): ext for ext in server}
        by_name: dict[str, list[dict]] = {}
        for ext in server:
            by_name.setdefault(ext.get('name'), []).append(ext)
        outcome: dict[str, Any] = dict(results=[], failures=[], deleted=[], kept_in_use=[], unlisted_skipped=[])
        failed_names = set()
        for entry in in_phase(desired, only_state):
            result = self._converge_item(entry, by_id, by_name, outcome['failures'])
            outcome['results'].append(result)
            if result.get('failed'):
                failed_names.add(entry.name)
        if exclusive:
            listed = listed_keys(desired, failed_names)
            unlisted = [ext for ext in server if not is_listed(ext, *listed)]
            if outcome['failures']:
                outcome['unlisted_skipped'] = [dict(id=str(ext.get('id')), name=ext.get('name')) for ext in unlisted]
                outcome['unlisted_skipped_reason'] = (
                    'No extension was deleted as unlisted because %d item%s failed: exclusive=true deletes only after every '
                    'item converged. Fix the failed item%s and run again.'
                    % (len(outcome['failures']), '' if len(outcome['failures']) == 1 else 's',
                       '' if len(outcome['failures']) == 1 else 's'))
            elif only_state != 'present':
                self._delete_unlisted(unlisted, outcome)
        return outcome

    def _converge_item(self, entry, by_id, by_name, failures):
        self.api.start_item()
        result = dict(name=entry.name, state=entry.state)
        if entry.identity == 'name_and_version':
            # Builds share a name: the version tells their results (and report lines) apart.
            result['version'] = entry.version
        try:
            current = _current_for(entry, by_id, by_name)
            result.update(self.single.run(entry, current=current, looked_up=True))
            result['action'] = action_of(self.api.writes, entry.state)
        except EceError as exc:
            # One item's failure must not stop the others: the next run converges what is left. A write
            # that went through before the failure (a create before a failed upload) is a change.
            result.update(exc.result(), failed=True, action='failed')
            result['changed'] = bool(exc.details.get('changed')) or bool(self.api.writes)
            failures.append(result)
        result['uploaded'] = 'upload' in self.api.writes
        extension = result.get('extension') or {}
        result['id'] = extension.get('id') or entry.id
        if result['name'] is None:
            result['name'] = extension.get('name')
        return result

    def _delete_unlisted(self, unlisted, outcome):
        for ext in unlisted:
            ext_id, name = str(ext.get('id')), ext.get('name')
            # Read with its deployments, in check mode too, so that check mode keeps what the real run keeps.
            detailed = self.api.get(ext_id, include_deployments=True)
            if detailed is None:
                continue
            if detailed.get('deployments'):
                outcome['kept_in_use'].append(dict(id=ext_id, name=name, deployments=detailed['deployments']))
                continue
            result = dict(name=name, id=ext_id, state='absent', unlisted=True, uploaded=False)
            try:
                self.api.delete(ext_id, read=detailed)
                result.update(changed=True, action='deleted', extension=ext, diff=dict(before=metadata_view(ext), after={}))
                outcome['deleted'].append(dict(id=ext_id, name=name))
            except EceError as exc:
                if isinstance(exc, EceApiError) and exc.has_code('extensions.extension_in_use'):
                    # A deployment started to use it between the read and the delete.
                    outcome['kept_in_use'].append(dict(id=ext_id, name=name, deployments=[], message=exc.msg))
                    continue
                result.update(exc.result(), failed=True, changed=False, action='failed')
                outcome['failures'].append(result)
            outcome['results'].append(result)
