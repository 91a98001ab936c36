# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: read and filter extensions (ece.platform.extension_info)."""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import deployment_label
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import plans_of, running_attempt
from ansible_collections.ece.platform.plugins.module_utils._plan_diff import held_lists
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import ARRAYS, referenced_urls


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


def deployment_uses(deployments, wanted):
    """What option deployment adds to the result: (urls the deployment references, the extra result keys).

    The keys are `deployment` (id, name) and `user_bundles`/`user_plugins`: every entry of the plan each
    Elasticsearch resource runs, as the plan holds it (plain-URL entries too), with its `ref_id` and the
    topology element it is listed in (`topology_element`, null at plan level).
    """
    if not str(wanted or '').strip():
        raise EceError('Option deployment is empty; give the id (32 hexadecimal characters) or the exact name of a deployment, '
                       'or leave the option out.')
    deployment, _version = deployments.find(wanted)
    lists: dict[str, list] = {array: [] for array in ARRAYS}
    for resource in (deployment.get('resources') or {}).get('elasticsearch') or []:
        attempt = running_attempt(plans_of(resource)) or {}
        held = held_lists(attempt.get('plan') or {})
        for array in ARRAYS:
            lists[array].extend(dict(entry, ref_id=resource.get('ref_id'), topology_element=None) for entry in held[array])
            for element in held['cluster_topology']:
                lists[array].extend(dict(entry, ref_id=resource.get('ref_id'), topology_element=element['id'])
                                    for entry in element[array])
    extra = dict(deployment=dict(id=deployment.get('id'), name=deployment.get('name'), label=deployment_label(deployment)), **lists)
    return referenced_urls(deployment), extra
