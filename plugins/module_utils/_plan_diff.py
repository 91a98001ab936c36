# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the extension lists as a plan holds them, for diffs and reads.

A plan lists extensions at plan level (`plan.elasticsearch`) and in each topology element
(`cluster_topology[].elasticsearch`, where the UI may put them). A reviewer who approves a change from
`--check --diff` must see every list that changes, so the diff shows both, and a reload (a no-op plan
change, a rolling restart) shows as `reload` with the names it loads.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._plan_merge import ARRAYS, ENTRY_FIELDS


def _entries(config, array):
    return [{field: entry.get(field) for field in ENTRY_FIELDS} for entry in (config or {}).get(array) or []]


def _element_key(element, index):
    return str(element.get('id') or index)


def topology_lists(plan):
    """[{id, user_bundles, user_plugins}] of each topology element that lists an extension."""
    found = []
    for index, element in enumerate(plan.get('cluster_topology') or []):
        config = element.get('elasticsearch') if isinstance(element, dict) else None
        lists = {array: _entries(config, array) for array in ARRAYS}
        if any(lists.values()):
            found.append(dict(id=_element_key(element, index), **lists))
    return found


def held_lists(plan):
    """The plan-level lists and, under `cluster_topology`, those of each topology element that has any."""
    held = {array: _entries(plan.get('elasticsearch'), array) for array in ARRAYS}
    held['cluster_topology'] = topology_lists(plan)
    return held


def plan_diff(before_plan, after_plan, reload_names=None):
    """{before, after}: the plan-level lists, each topology element's lists where either side has some, and
    `reload` (after only) when the change restarts the nodes to load new archives."""
    before, after = held_lists(before_plan), held_lists(after_plan)
    empty: dict[str, list] = {array: [] for array in ARRAYS}
    before_ids = [element['id'] for element in before['cluster_topology']]
    after_ids = [element['id'] for element in after['cluster_topology']]
    # An element whose lists were emptied is shown empty on the after side, so the removal is visible.
    for element_id in before_ids:
        if element_id not in after_ids:
            after['cluster_topology'].append(dict(id=element_id, **empty))
    for element_id in after_ids:
        if element_id not in before_ids:
            before['cluster_topology'].append(dict(id=element_id, **empty))
    for side in (before, after):
        side['cluster_topology'].sort(key=lambda element: element['id'])
        if not side['cluster_topology']:
            del side['cluster_topology']
    if reload_names:
        after['reload'] = list(reload_names)
    return dict(before=before, after=after)
