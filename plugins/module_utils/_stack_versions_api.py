# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the stack versions (stack packs) of ECE, read only.

`GET /stack/versions/{version}` answers 404 `stackpack.version_not_found` for a version ECE does not
hold; the list hides deleted packs unless asked (both in Elastic's specification [C]). Both are reads: sent in check mode too.
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError

STACK_VERSIONS_PATH = '/stack/versions'


class StackVersionsApi:
    """Read the stack packs an ECE holds."""

    def __init__(self, client):
        self.client = client

    def get(self, version):
        """The StackVersionConfig of `version`, or None when ECE does not hold it."""
        try:
            return self.client.request('GET', '%s/%s' % (STACK_VERSIONS_PATH, quote(str(version), safe='')),
                                       operation='Reading stack version %s' % version)
        except EceApiError as exc:
            if exc.status == 404:
                return None
            raise

    def list(self):
        """Every usable (not deleted) stack pack."""
        body = self.client.request('GET', STACK_VERSIONS_PATH, params={'show_deleted': 'false'}, operation='Listing stack versions')
        return list(body.get('stacks') or [])
