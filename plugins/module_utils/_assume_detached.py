# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: check mode of "detach, then delete" across two tasks.

In check mode an earlier task's detach did not happen, so the deployment still uses the extension and
a delete is predicted to fail "in use", although the real run (detach first, then delete) succeeds.
Option check_mode_detached names the (extension, deployment) pairs an earlier task detaches; in check
mode only, those deployments are left out of the extension's users, with a warning. The real run never
looks at it: ECE alone says whether an extension is still in use.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

PAIR_KEYS = ('extension', 'deployment')


def parse_pairs(pairs):
    """Option check_mode_detached as a set of (extension name or id, deployment id); fails naming a bad entry."""
    parsed = set()
    for index, pair in enumerate(pairs or []):
        if not isinstance(pair, dict) or set(pair) != set(PAIR_KEYS) or not all(str(pair[key] or '').strip() for key in PAIR_KEYS):
            raise EceError('check_mode_detached[%d] must be a dict with the keys extension (a name or id) and deployment (an id), '
                           'not %r.' % (index, pair))
        parsed.add((str(pair['extension']).strip(), str(pair['deployment']).strip()))
    return parsed


class AssumeDetached:
    """An ExtensionsApi in check mode whose reads leave out the deployments an earlier task detaches."""

    def __init__(self, api, pairs, warn):
        self._api = api
        self._pairs = pairs
        self._warn = warn

    def __getattr__(self, name):
        return getattr(self._api, name)

    def _without_detached(self, extension):
        if not extension or not extension.get('deployments'):
            return extension
        keys = {str(extension.get('id')), str(extension.get('name'))}
        gone = [dep for dep in extension['deployments'] if any((key, str(dep)) in self._pairs for key in keys)]
        if not gone:
            return extension
        self._warn('Check mode: extension %s (id %s) is in use by deployment%s %s now; predicted as detached by an earlier task '
                   '(check_mode_detached). The real run deletes it only if nothing uses it then.'
                   % (extension.get('name'), extension.get('id'), 's' if len(gone) > 1 else '', ', '.join(str(d) for d in gone)))
        return dict(extension, deployments=[dep for dep in extension['deployments'] if dep not in gone])

    def get(self, extension_id, include_deployments=False):
        found = self._api.get(extension_id, include_deployments=include_deployments)
        return self._without_detached(found) if include_deployments else found

    def delete(self, extension_id, read=None):
        if read is None:
            read = self._api.get(extension_id, include_deployments=True)
        return self._api.delete(extension_id, read=self._without_detached(read))
