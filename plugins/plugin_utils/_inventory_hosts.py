# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: inventory host names and host variables from deployment bodies.

A body is a `_search` hit or a deployment GET (both carry `resources.<kind>[].info.plan_info`). Nothing
here sends a request; the inventory plugin supplies the bodies and the extensions list.
"""

from __future__ import annotations

import re

REPO_URL = re.compile(r'^repo://(\d+)$')
KINDS = ('elasticsearch', 'kibana', 'apm', 'appsearch', 'enterprise_search', 'integrations_server')
SUFFIX_LENGTH = 8


def host_names(deployments):
    """{deployment id: host name}: the deployment's name, with `_<first 8 of id>` on every name two share.

    `deployments`: (id, name) pairs. Should a suffixed name still collide (another deployment is named like
    that), the whole id is appended instead, so every deployment is its own host.
    """
    counts: dict = {}
    for _dep_id, name in deployments:
        counts[name] = counts.get(name, 0) + 1
    names, taken = {}, set(name for _dep_id, name in deployments if counts[name] == 1)
    for dep_id, name in deployments:
        if counts[name] == 1:
            names[dep_id] = name
            continue
        candidate = '%s_%s' % (name, dep_id[:SUFFIX_LENGTH])
        if candidate in taken:
            candidate = '%s_%s' % (name, dep_id)
        taken.add(candidate)
        names[dep_id] = candidate
    return names


def _resource(body, kind='elasticsearch'):
    items = (body.get('resources') or {}).get(kind) or []
    return items[0] if items and isinstance(items[0], dict) else None


def _plan_info(resource):
    return ((resource or {}).get('info') or {}).get('plan_info') or {}


def current_plan(body):
    """The current plan of the deployment's (first) Elasticsearch resource, or None when the body has none."""
    plan = (_plan_info(_resource(body)).get('current') or {}).get('plan')
    return plan if isinstance(plan, dict) else None


def lacks_plan(body):
    """Whether the body cannot give the host vars (a hit without plans): then one GET of the deployment is needed."""
    return current_plan(body) is None


def _configs(plan):
    """The plan-level Elasticsearch configuration, then that of each topology element (both are legal)."""
    configs = [plan.get('elasticsearch')]
    configs.extend(element.get('elasticsearch') for element in plan.get('cluster_topology') or [] if isinstance(element, dict))
    return [config for config in configs if isinstance(config, dict)]


def plan_entries(plan, key):
    """Every entry of `user_plugins` / `user_bundles` (or names of `enabled_built_in_plugins`), plan level first."""
    entries = []
    for config in _configs(plan or {}):
        for item in config.get(key) or []:
            if key == 'enabled_built_in_plugins':
                if item not in entries:
                    entries.append(item)
            elif isinstance(item, dict):
                entries.append(item)
    return entries


def extension_refs(plan, extension_names):
    """(name, id) of every extension the plan's entries use: the extensions API's name for `repo://<id>`.

    A raw http(s) URL in a plan has no extension object behind it: its entry's own name, and no id.
    """
    refs = []
    for key in ('user_plugins', 'user_bundles'):
        for entry in plan_entries(plan, key):
            match = REPO_URL.match(str(entry.get('url') or ''))
            ext_id = match.group(1) if match else None
            name = (extension_names.get(ext_id) if ext_id else None) or entry.get('name')
            if (name, ext_id) not in refs:
                refs.append((name, ext_id))
    return refs


def uses_repo_extensions(plan):
    return any(REPO_URL.match(str(entry.get('url') or '')) for key in ('user_plugins', 'user_bundles') for entry in plan_entries(plan, key))


def tags_of(body):
    tags = {}
    for tag in ((body.get('metadata') or {}).get('tags') or []):
        if isinstance(tag, dict) and 'key' in tag:
            tags[str(tag['key'])] = tag.get('value')
    return tags


def _resources(body):
    """kind -> the version of the kind's first resource (its current plan's `<kind>.version`)."""
    versions = {}
    for kind in KINDS:
        resource = _resource(body, kind)
        if resource is not None:
            plan = (_plan_info(resource).get('current') or {}).get('plan') or {}
            versions[kind] = (plan.get(kind) or {}).get('version')
    return versions


def _pending(body):
    return any('pending' in _plan_info(item) for kind in KINDS for item in (body.get('resources') or {}).get(kind) or []
               if isinstance(item, dict))


def host_vars(body, extension_names, tags=None):
    """The `ece_*` host variables of one deployment (no credentials: bodies do not carry any).

    `extension_names`: {extension id: name} from the extensions list; `tags`: the hit's tags when `body`
    is a GET without metadata.
    """
    plan = current_plan(body) or {}
    resource = _resource(body) or {}
    refs = extension_refs(plan, extension_names)
    return {
        'ece_deployment_id': body.get('id'),
        'ece_deployment_name': body.get('name'),
        'ece_elasticsearch_version': (plan.get('elasticsearch') or {}).get('version'),
        'ece_ref_id': resource.get('ref_id'),
        'ece_healthy': body.get('healthy'),
        'ece_tags': tags_of(body) if tags is None else dict(tags),
        'ece_template_id': (plan.get('deployment_template') or {}).get('id'),
        'ece_user_plugins': plan_entries(plan, 'user_plugins'),
        'ece_user_bundles': plan_entries(plan, 'user_bundles'),
        'ece_extensions': [name for name, _ext_id in refs if name],
        'ece_enabled_built_in_plugins': plan_entries(plan, 'enabled_built_in_plugins'),
        'ece_pending': _pending(body),
        'ece_resources': _resources(body),
    }
