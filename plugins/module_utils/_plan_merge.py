# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the plan merge (pure logic, unit-tested).

The plan to send is a copy of the plan read where only `user_bundles`/`user_plugins` differ (entries
matched by `url`), so every other field and every entry added another way is kept; plus what the
lists tell: which entries a plan has (plan level and topology elements), which came and went, which
attached archives are newer than the running plan (stale), and the PUT body of one resource.
"""

from __future__ import annotations

import copy

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import ARRAY_OF_TYPE, version_matches
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import parse_time, plans_of, running_attempt

ARRAYS = ('user_bundles', 'user_plugins')
ENTRY_FIELDS = ('name', 'url', 'elasticsearch_version')


class Attachable:
    """An extension as a plan references it: looked up through the extensions API, with the version to use."""

    def __init__(self, extension, elasticsearch_version=None):
        self.id = str(extension.get('id'))
        self.name = extension.get('name')
        self.extension_type = extension.get('extension_type')
        self.url = plan_url(extension)
        self.version = extension.get('version')
        self.explicit_version = elasticsearch_version is not None
        self.elasticsearch_version = elasticsearch_version if elasticsearch_version is not None else self.version
        self.file_metadata = extension.get('file_metadata') or {}

    @property
    def array(self):
        return ARRAY_OF_TYPE[self.extension_type]

    def entry(self):
        return {'name': self.name, 'url': self.url, 'elasticsearch_version': self.elasticsearch_version}

    def label(self):
        return '%s %s (id %s)' % (self.extension_type, self.name, self.id)


def extension_lists(plan):
    """The plan-level lists, each entry reduced to name, url and elasticsearch_version (what diffs and results show)."""
    es = plan.get('elasticsearch') or {}
    return {array: [{field: entry.get(field) for field in ENTRY_FIELDS} for entry in es.get(array) or []] for array in ARRAYS}


def _configurations(plan):
    """Every place a plan can list extensions: the plan level first, then each topology element."""
    yield plan.setdefault('elasticsearch', {})
    for element in plan.get('cluster_topology') or []:
        if isinstance(element.get('elasticsearch'), dict):
            yield element['elasticsearch']


def entry_names(plan):
    """url -> the name label of its first entry, wherever the plan lists it."""
    names: dict[str, str] = {}
    for config in _configurations(copy.deepcopy(plan)):
        for array in ARRAYS:
            for entry in config.get(array) or []:
                names.setdefault(entry.get('url'), entry.get('name'))
    return names


def attachment_urls(before, after):
    """(attached, detached): the urls `after` references and `before` does not, and the reverse."""
    old, new = entry_names(before), entry_names(after)
    return [url for url in new if url not in old], [url for url in old if url not in new]


def attachment_changes(before, after):
    """(attached, detached): the names of the extensions `after` references and `before` does not, and the reverse."""
    old, new = entry_names(before), entry_names(after)
    attached, detached = attachment_urls(before, after)
    return [new[url] for url in attached], [old[url] for url in detached]


def attached_urls(plan):
    """url -> array of every entry, at plan level or in any topology element (the UI may store them there)."""
    found: dict[str, str] = {}
    for config in _configurations(copy.deepcopy(plan)):
        for array in ARRAYS:
            for entry in config.get(array) or []:
                found.setdefault(entry.get('url'), array)
    return found


def merge(plan, wanted, state='present', exclusive=False, es_version=None, replaced=()):
    """The plan to send: a copy of `plan` where only the extension lists differ, and only as asked.

    present: add each wanted extension not attached yet (at plan level); an entry already there is
    left as it is unless an explicit elasticsearch_version differs, or its own version no longer
    matches the plan. Other entries stay, unless `exclusive`. absent: remove the wanted extensions'
    entries wherever they are. `replaced` (urls, with present): removed wherever they are, in the same
    plan as the wanted ones are added, so a swap is one change. `transient` is dropped (an update must not
    repeat one-off settings).
    """
    new = copy.deepcopy(plan)
    new.pop('transient', None)
    wanted_urls = {ext.url for ext in wanted}
    configs = list(_configurations(new))
    for config in configs:
        for array in ARRAYS:
            if array not in config:
                continue
            entries = config[array] or []
            if state == 'absent':
                kept = [entry for entry in entries if entry.get('url') not in wanted_urls]
            elif exclusive:
                kept = [entry for entry in entries if entry.get('url') in wanted_urls]
            else:
                kept = [entry for entry in entries if entry.get('url') not in replaced or entry.get('url') in wanted_urls]
            if kept != entries:
                config[array] = kept
    if state == 'present':
        top = configs[0]
        for ext in wanted:
            if not would_write(new, ext, es_version):
                continue
            entries = list(top.get(ext.array) or [])
            index = next((i for i, entry in enumerate(entries) if entry.get('url') == ext.url), None)
            if index is None:
                entries.append(ext.entry())
            else:
                entries[index] = dict(entries[index], elasticsearch_version=ext.elasticsearch_version)
            top[ext.array] = entries
    return new


def would_write(plan, ext, es_version):
    """Whether attaching `ext` needs its plan-level entry written: it is not attached anywhere yet, or an explicit
    elasticsearch_version differs from its entry's, or its entry's version no longer matches the plan's."""
    es = plan.get('elasticsearch') or {}
    entry = next((e for e in es.get(ext.array) or [] if e.get('url') == ext.url), None)
    if entry is None:
        return ext.url not in attached_urls(plan)
    if ext.explicit_version and entry.get('elasticsearch_version') != ext.elasticsearch_version:
        return True
    return not version_matches(ext.extension_type, entry.get('elasticsearch_version'), es_version)


def referenced_urls(deployment):
    """The url of every extension the deployment's Elasticsearch resources use: in the running, current or pending plan."""
    urls = set()
    for resource in (deployment.get('resources') or {}).get('elasticsearch') or []:
        plan_info = plans_of(resource)
        for attempt in (running_attempt(plan_info), plan_info.get('current'), plan_info.get('pending')):
            urls.update(attached_urls((attempt or {}).get('plan') or {}))
    return urls


def with_version(plan, es_version):
    """`plan` with its Elasticsearch version at plan level, where ECE reads it.

    Assumption (register: omitted-version): what ECE does with an update whose plan leaves the version out is
    unknown; Elastic's specification says an omitted version defaults to the latest installed one, which would
    upgrade the deployment. So no plan is sent without it: a plan that has it only in its topology elements gets
    it at plan level too (the same value).
    """
    config = plan.get('elasticsearch') or {}
    if not es_version or config.get('version'):
        return plan
    return dict(plan, elasticsearch=dict(config, version=es_version))


def deployment_update_body(resource, plan):
    """The PUT body that changes this Elasticsearch resource only: other resources stay as they are."""
    return {
        'prune_orphans': False,
        'resources': {'elasticsearch': [{'ref_id': resource.get('ref_id'), 'region': resource.get('region'), 'plan': plan}]},
    }


def stale_names(plan, running, extensions_by_url, still_attached=None):
    """Names of extensions attached in `plan` (and in `still_attached`, when given) whose archive was stored after
    the running plan's attempt started. Nodes download extensions when they start, so they run an older copy.
    """
    started = parse_time((running or {}).get('attempt_start_time'))
    if started is None:
        return []
    names = []
    for url in attached_urls(plan):
        if still_attached is not None and url not in still_attached:
            continue
        ext = extensions_by_url.get(url)
        stored = parse_time(((ext or {}).get('file_metadata') or {}).get('last_modified_date'))
        if stored is not None and stored > started and ext.get('name') not in names:
            names.append(ext.get('name'))
    return names
