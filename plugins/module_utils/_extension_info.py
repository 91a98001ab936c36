# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: read and filter extensions (ece.platform.extension_info)."""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url


def read_extensions(api, extension_id=None, name=None, extension_type=None, include_deployments=False, urls=None):
    """The extensions matching every given filter; [] when none do (an unknown id included).

    `urls`, when given, keeps only the extensions whose plan url is among them (those a deployment uses).

    ECE's list no longer reports deployments (its include_deployments parameter was removed), so with
    include_deployments each match is read once more by id, which does report them.
    """
    if extension_id is not None:
        one = api.get(extension_id, include_deployments=include_deployments)
        candidates = [one] if one is not None else []
    else:
        candidates = api.list()
    matches = [ext for ext in candidates
               if (name is None or ext.get('name') == name) and (extension_type is None or ext.get('extension_type') == extension_type)
               and (urls is None or plan_url(ext) in urls)]
    if include_deployments and extension_id is None:
        detailed = (api.get(ext['id'], include_deployments=True) for ext in matches)
        # An extension deleted between the two reads is simply no longer there.
        matches = [ext for ext in detailed if ext is not None]
    return matches
