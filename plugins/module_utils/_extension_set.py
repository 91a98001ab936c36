# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: converge a whole list of extensions in one module run.

Every module run costs Ansible a few hundred milliseconds, an HTTP round trip about one. So the set
is validated in full first (bad input fails before any write), the server is listed once, and each
item then goes through the same ExtensionReconciler as ece.platform.extension, given what the list
said instead of reading it again. Only the writes that are needed are sent.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension, ExtensionReconciler, only_match


def desired_items(items, workdir=None):
    """DesiredExtension for every item, all validated; the first bad one fails naming its position."""
    desired, seen = [], {}
    for index, item in enumerate(items):
        entry = DesiredExtension.from_params(item)
        label = 'extensions[%d] (%s)' % (index, entry.name)
        key = ('id', entry.id) if entry.id is not None else ('name', entry.name)
        if key in seen:
            raise EceError('%s: the same extension (%s %s) is listed twice, as extensions[%d] too; list it once.'
                           % (label, key[0], key[1], seen[key]))
        seen[key] = index
        try:
            entry.validate(workdir=workdir)
        except EceError as exc:
            raise EceError('%s: %s' % (label, exc.msg), **exc.details) from None
        desired.append(entry)
    return desired


def _current_for(entry, by_id, by_name):
    if entry.id is not None:
        return by_id.get(str(entry.id))
    return only_match(by_name.get(entry.name, []), entry.name)


class ExtensionSetReconciler:
    """Runs a validated list against the server; `exclusive` also deletes what the list does not name."""

    def __init__(self, api, warn=None, diff=True):
        self.api = api
        self.single = ExtensionReconciler(api, warn=warn, diff=diff)

    def run(self, desired, exclusive=False):
        server = self.api.list()
        by_id = {str(ext.get('id')): ext for ext in server}
        by_name = {}
        for ext in server:
            by_name.setdefault(ext.get('name'), []).append(ext)
        results, failures, claimed = [], [], set()
        for entry in desired:
            outcome = dict(name=entry.name, state=entry.state)
            try:
                current = _current_for(entry, by_id, by_name)
                if current is not None:
                    claimed.add(str(current.get('id')))
                outcome.update(self.single.run(entry, current=current, looked_up=True))
            except EceError as exc:
                # One item's failure must not stop the others: the next run converges what is left. A failure
                # after a write that went through (an upload after the create) still changed the server.
                outcome.update(dict(dict(changed=False), **exc.result()), failed=True)
                failures.append(outcome)
            outcome['id'] = (outcome.get('extension') or {}).get('id') or entry.id
            results.append(outcome)
        deleted, kept_in_use = [], []
        if exclusive:
            deleted, kept_in_use = self._delete_unlisted(server, claimed, results, failures)
        return results, failures, deleted, kept_in_use

    def _delete_unlisted(self, server, claimed, results, failures):
        deleted, kept_in_use = [], []
        for ext in server:
            ext_id = str(ext.get('id'))
            if ext_id in claimed:
                continue
            detailed = self.api.get(ext_id, include_deployments=True)
            if detailed is None:
                continue
            if detailed.get('deployments'):
                kept_in_use.append(dict(id=ext_id, name=ext.get('name'), deployments=detailed['deployments']))
                continue
            outcome = dict(name=ext.get('name'), id=ext_id, state='absent', unlisted=True)
            try:
                self.api.delete(ext_id)
                outcome.update(changed=True, extension=ext)
                deleted.append(dict(id=ext_id, name=ext.get('name')))
            except EceError as exc:
                if isinstance(exc, EceApiError) and exc.has_code('extensions.extension_in_use'):
                    kept_in_use.append(dict(id=ext_id, name=ext.get('name'), deployments=[], message=exc.msg))
                    continue
                outcome.update(exc.result(), failed=True, changed=False)
                failures.append(outcome)
            results.append(outcome)
        return deleted, kept_in_use
