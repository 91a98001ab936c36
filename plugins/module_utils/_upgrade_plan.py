# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the extensions an upgrade carries across, and the plan it sends (pure).

A plugin is built for one exact Elasticsearch version, so each attached plugin entry is swapped for the
build of the target: an item of option `extensions`, else the extension with the same name whose
`version` equals the target. A bundle's extension `version` (a wildcard such as `8.*`) must cover the
target; its entry's `elasticsearch_version` moves to the target where it no longer matches. The new
plan is the running one with only the versions and those entries changed (one PUT carries both, as
Elastic's clients do), at plan level and in every topology element alike.
"""

from __future__ import annotations

import copy

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import ARRAYS
from ansible_collections.ece.platform.plugins.module_utils._version_rules import version_matches

ITEM_KEYS = ('name', 'id', 'replaces')
TYPE_OF_ARRAY = {'user_bundles': 'bundle', 'user_plugins': 'plugin'}


def parse_items(items):
    """Option extensions as [{name, id, replaces}] (a plain string is a name or an id); fails on bad items."""
    parsed = []
    for index, item in enumerate(items or []):
        where = 'extensions[%d]' % index
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            item = {'name': str(item), 'name_or_id': True}
        if not isinstance(item, dict):
            raise EceError('%s must be an extension name or id, or a dict with name or id and optionally replaces, not %r.' % (where, item))
        unknown = sorted(set(item) - set(ITEM_KEYS) - {'name_or_id'})
        if unknown:
            plural = 's' if len(unknown) > 1 else ''
            raise EceError('%s has unknown key%s %s; the keys are %s.' % (where, plural, ', '.join(unknown), ', '.join(ITEM_KEYS)))
        clean = {'where': where, 'name_or_id': item.get('name_or_id', False)}
        for key in ('name', 'id'):
            value = item.get(key)
            if value is not None and (isinstance(value, bool) or not str(value).strip()):
                raise EceError('%s.%s must be a non-empty string, not %r.' % (where, key, value))
            clean[key] = str(value).strip() if value is not None else None
        if clean['name'] is None and clean['id'] is None:
            raise EceError('%s needs name or id.' % where)
        replaces = item.get('replaces')
        replaces = [replaces] if isinstance(replaces, (str, int)) and not isinstance(replaces, bool) else replaces
        if replaces is not None and (not isinstance(replaces, list) or not all(str(r).strip() for r in replaces)):
            raise EceError('%s.replaces must be a list of extension names or ids, not %r.' % (where, item.get('replaces')))
        clean['replaces'] = [str(r).strip() for r in replaces] if replaces is not None else None
        parsed.append(clean)
    return parsed


def fits(extension, target):
    """Whether an extension can run on Elasticsearch `target`: a plugin's version equals it, a bundle's covers it."""
    return version_matches(extension.get('extension_type'), extension.get('version'), target)


def label(extension):
    fields = (extension.get('extension_type'), extension.get('name'), extension.get('id'), extension.get('version'))
    return '%s %s (id %s, version %s)' % fields


def attached_entries(plan):
    """[(array, entry)] of every plugin and bundle entry, plan level first, then each topology element; one per url."""
    configs = [plan.get('elasticsearch') or {}] + [element.get('elasticsearch') or {} for element in plan.get('cluster_topology') or []]
    seen, found = set(), []
    for config in configs:
        for array in ARRAYS:
            for entry in config.get(array) or []:
                if entry.get('url') not in seen:
                    seen.add(entry.get('url'))
                    found.append((array, entry))
    return found


class BuildChoice:
    """Which build each attached entry gets at `target`: `swaps` (old url -> new extension), `problems` (messages)."""

    def __init__(self, plan, target, listed, items):
        self.target = target
        self.listed = listed
        self.by_url = {plan_url(ext): ext for ext in listed}
        self.swaps = {}
        self.problems = []
        self.entries = attached_entries(plan)
        explicit = self._explicit(items)
        for array, entry in self.entries:
            if entry.get('url') in explicit:
                self.swaps[entry['url']] = explicit[entry['url']]
            elif array == 'user_plugins':
                self._plugin(entry)
            else:
                self._bundle(entry)

    # option extensions

    def _resolve(self, item):
        if item['id'] is not None or item['name_or_id']:
            wanted = item['id'] or item['name']
            by_id = [ext for ext in self.listed if str(ext.get('id')) == wanted]
            if by_id:
                if item['name'] is not None and not item['name_or_id'] and by_id[0].get('name') != item['name']:
                    self.problems.append('%s: extension id %s is named %s, not %s; give the right name, or only the id.'
                                         % (item['where'], wanted, by_id[0].get('name'), item['name']))
                    return None
                return by_id[0]
            if item['id'] is not None:
                self.problems.append('%s: no extension has id %s. Check the id with ece.platform.extension_info.' % (item['where'], wanted))
                return None
        named = [ext for ext in self.listed if ext.get('name') == item['name']]
        fitting = [ext for ext in named if fits(ext, self.target)]
        if len(fitting) == 1:
            return fitting[0]
        if not named:
            self.problems.append('%s: no extension is named %s. Create it first (ece.platform.extension).' % (item['where'], item['name']))
        elif not fitting:
            self.problems.append('%s: no extension named %s fits Elasticsearch %s (there are: %s). Create a build for %s.'
                                 % (item['where'], item['name'], self.target, '; '.join(label(ext) for ext in named), self.target))
        else:
            self.problems.append('%s: %d extensions named %s fit Elasticsearch %s (%s); give the id of the one to use.'
                                 % (item['where'], len(fitting), item['name'], self.target, '; '.join(label(ext) for ext in fitting)))
        return None

    def _explicit(self, items):
        """old url -> build, from option extensions; every item must fit the target and replace something attached."""
        chosen = {}
        for item in items:
            build = self._resolve(item)
            if build is None:
                continue
            if not fits(build, self.target):
                self.problems.append('%s: the %s does not fit Elasticsearch %s; %s.' % (
                    item['where'], label(build), self.target,
                    'a plugin\'s version must equal it' if build.get('extension_type') == 'plugin' else 'a bundle\'s version must cover it'))
                continue
            replaced = [entry for _array, entry in self.entries if self._is_replaced(entry, build, item['replaces'])]
            if not replaced:
                what = ', '.join(item['replaces']) if item['replaces'] else 'an attached extension named %s' % build.get('name')
                self.problems.append('%s: the %s replaces nothing the deployment has attached (looked for %s). Give replaces with the '
                                     'name or id of the attached extension it takes over; to attach a new extension, use '
                                     'ece.platform.deployment_extensions.' % (item['where'], label(build), what))
            for entry in replaced:
                chosen[entry['url']] = build
        return chosen

    def _is_replaced(self, entry, build, replaces):
        attached = self.by_url.get(entry.get('url')) or {}
        if replaces is None:
            same_type = TYPE_OF_ARRAY.get(self._array_of(entry)) == build.get('extension_type')
            return same_type and (attached.get('name') or entry.get('name')) == build.get('name')
        keys = {entry.get('name'), attached.get('name'), str(attached.get('id')) if attached else None}
        return bool(keys & set(replaces))

    def _array_of(self, wanted):
        return next(array for array, entry in self.entries if entry is wanted)

    # the automatic choice

    def _plugin(self, entry):
        attached = self.by_url.get(entry.get('url'))
        name = (attached or {}).get('name') or entry.get('name')
        if attached is not None and fits(attached, self.target):
            return  # already the build for the target (its entry's version moves with the plan)
        builds = [ext for ext in self.listed if ext.get('name') == name and ext.get('extension_type') == 'plugin' and fits(ext, self.target)]
        now = label(attached) if attached else 'plugin %s (url %s)' % (name, entry.get('url'))
        if len(builds) == 1:
            self.swaps[entry['url']] = builds[0]
        elif not builds:
            self.problems.append('The %s is built for another Elasticsearch version and has no build for %s. Create an extension '
                                 'named %s with version %s and its archive (ece.platform.extension with identity: name_and_version), '
                                 'or name the build to use in option extensions.' % (now, self.target, name, self.target))
        else:
            self.problems.append('The %s has %d builds for %s (%s); name the one to use in option extensions (by id).'
                                 % (now, len(builds), self.target, ', '.join('id %s' % ext.get('id') for ext in builds)))

    def _bundle(self, entry):
        attached = self.by_url.get(entry.get('url'))
        if attached is None or fits(attached, self.target):
            return  # a raw URL bundle has no extension version to check; the entry's version moves
        major = self.target.split('.')[0]
        self.problems.append('The %s does not cover Elasticsearch %s. Widen its version (for example to %s.* or *, with '
                             'ece.platform.extension), or attach a build for %s with option extensions: [{name: <build>, replaces: [%s]}].'
                             % (label(attached), self.target, major, self.target, attached.get('name')))

    def archive_problems(self):
        return ['The %s has no archive (no file_metadata), so the upgraded nodes could not load it. Upload one first '
                '(ece.platform.extension with option file or download_url).' % label(build)
                for build in _unique(self.swaps.values()) if not build.get('file_metadata')]

    def swapped(self):
        """[{from: {name, id}, to: {name, id}}] for each entry that changes extension."""
        result = []
        for url, build in self.swaps.items():
            if plan_url(build) == url:
                continue
            old = self.by_url.get(url) or {}
            entry = next(entry for _array, entry in self.entries if entry.get('url') == url)
            result.append({'from': {'name': old.get('name') or entry.get('name'), 'id': str(old['id']) if old.get('id') else None},
                           'to': {'name': build.get('name'), 'id': str(build.get('id'))}})
        return result


def _unique(builds):
    seen, result = set(), []
    for build in builds:
        if plan_url(build) not in seen:
            seen.add(plan_url(build))
            result.append(build)
    return result


def _moved_entry(entry, array, target, build):
    if build is not None:
        entry = {'name': build.get('name'), 'url': plan_url(build), 'elasticsearch_version': entry.get('elasticsearch_version')}
    kind = TYPE_OF_ARRAY[array]
    if not version_matches(kind, entry.get('elasticsearch_version'), target):
        entry = dict(entry, elasticsearch_version=target)
    return entry


def upgraded_plan(plan, target, swaps, strategy=None):
    """A copy of the running `plan` at `target`: versions, swapped plugin/bundle entries, moved bundle versions, nothing else."""
    new = copy.deepcopy(plan)
    new.pop('transient', None)
    new.setdefault('elasticsearch', {})['version'] = target
    configs = [new['elasticsearch']] + [element['elasticsearch'] for element in new.get('cluster_topology') or []
                                        if isinstance(element.get('elasticsearch'), dict)]
    for config in configs[1:]:
        if config.get('version'):
            config['version'] = target
    for config in configs:
        for array in ARRAYS:
            if not config.get(array):
                continue
            moved, seen = [], set()
            for entry in config[array]:
                entry = _moved_entry(entry, array, target, swaps.get(entry.get('url')))
                if entry['url'] not in seen:  # two entries replaced by one build become one entry
                    seen.add(entry['url'])
                    moved.append(entry)
            config[array] = moved
    if strategy:
        new['transient'] = {'strategy': strategy}
    return new


def stateless_payload(kind, resource, plan, target, strategy=None):
    """The payload moving a stateless resource (Kibana, APM, ...) to `target`, its plan otherwise as it runs."""
    new = copy.deepcopy(plan or {})
    new.pop('transient', None)
    new.setdefault(kind, {})['version'] = target
    if strategy:
        new['transient'] = {'strategy': strategy}
    return {'ref_id': resource.get('ref_id'), 'elasticsearch_cluster_ref_id': resource.get('elasticsearch_cluster_ref_id'),
            'region': resource.get('region'), 'plan': new}
