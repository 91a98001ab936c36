# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the filters of the inventory plugin, checked, sent and applied.

A filter goes to `POST /deployments/_search` where the API can express it (name term or prefix on
`name.keyword`, version term or prefix in a nested `resources.elasticsearch` query, tags as nested
key/value pairs, all in Elastic's specification [C]); every filter is applied locally as well, so a server
that ignores a query part, or a glob the API cannot express (`*-eu`, `8.1?.*`), still gives the right hosts.
Extensions are local only: no documented search finds deployments by the extensions their plans use.
"""

from __future__ import annotations

import fnmatch

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

FILTER_KEYS = ('name', 'elasticsearch_version', 'tags', 'extensions')
VERSION_FIELD = 'resources.elasticsearch.info.plan_info.current.plan.elasticsearch.version'
GLOB_CHARS = '*?['


def _string_list(key, value):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(item, str) and item.strip() for item in values):
        raise EceError('Filter %s must be a non-empty list of non-empty strings (or one string), not %r.' % (key, value))
    return [item.strip() for item in values]


def check_filters(filters):
    """The filters in one shape ({name: [...], elasticsearch_version: [...], tags: {...}, extensions: [...]}).

    An unknown key fails: ignored, a typo would select the whole fleet.
    """
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise EceError('Option filters must be a dictionary with keys among %s, not %r.' % (', '.join(FILTER_KEYS), type(filters).__name__))
    unknown = sorted(str(key) for key in filters if key not in FILTER_KEYS)
    if unknown:
        raise EceError('Unknown filter key%s %s in option filters: the known keys are %s. An ignored key would select every '
                       'deployment, so fix or remove it.' % ('s' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(FILTER_KEYS)))
    checked = {}
    for key in ('name', 'elasticsearch_version', 'extensions'):
        if filters.get(key) is not None:
            checked[key] = _string_list(key, filters[key])
    tags = filters.get('tags')
    if tags is not None:
        if not isinstance(tags, dict) or not tags:
            raise EceError('Filter tags must be a non-empty dictionary of tag keys to values, like {team: search}, not %r.' % (tags,))
        for key, value in tags.items():
            if not isinstance(key, str) or not key or isinstance(value, (dict, list)) or value is None:
                raise EceError('Filter tags maps tag keys to single values, like {team: search}; %r: %r is not one.' % (key, value))
        checked['tags'] = dict((key, str(value).lower() if isinstance(value, bool) else str(value)) for key, value in tags.items())
    return checked


def glob_query(pattern):
    """How the API can match a glob: ('term', text), ('prefix', text), ('all', None), or None when it cannot."""
    if not any(char in pattern for char in GLOB_CHARS):
        return 'term', pattern
    head = pattern.rstrip('*')
    if any(char in head for char in GLOB_CHARS):
        return None
    return ('prefix', head) if head else ('all', None)


def _any_of(field, patterns):
    """A query matching `field` against any of the globs, or None when one of them cannot be sent (or matches all)."""
    if not patterns:
        return None
    clauses = []
    for pattern in patterns:
        sendable = glob_query(pattern)
        if sendable is None or sendable[0] == 'all':
            return None  # the list is an OR: one glob the API cannot express means the server cannot narrow it
        clauses.append({sendable[0]: {field: {'value': sendable[1]}}})
    return clauses[0] if len(clauses) == 1 else {'bool': {'should': clauses, 'minimum_should_match': 1}}


def _tag_query(key, value):
    return {'nested': {'path': 'metadata.tags', 'query': {'bool': {'filter': [
        {'term': {'metadata.tags.key': {'value': key}}}, {'term': {'metadata.tags.value': {'value': value}}}]}}}}


def search_query(filters):
    """(the `query` for `_search` or None for all, the filter keys it narrows by)."""
    clauses, sent = [], []
    names = _any_of('name.keyword', filters.get('name') or [])
    if names is not None:
        clauses.append(names)
        sent.append('name')
    versions = _any_of(VERSION_FIELD, filters.get('elasticsearch_version') or [])
    if versions is not None:
        clauses.append({'nested': {'path': 'resources.elasticsearch', 'query': versions}})
        sent.append('elasticsearch_version')
    for key, value in sorted((filters.get('tags') or {}).items()):
        clauses.append(_tag_query(key, value))
    if filters.get('tags'):
        sent.append('tags')
    if not clauses:
        return None, sent
    return {'bool': {'filter': clauses}}, sent


def _glob_any(value, patterns):
    return value is not None and any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


def matches_before_plans(filters, name, tags):
    """The filters a search hit answers without its plan: name globs and tags (all of them)."""
    if filters.get('name') and not _glob_any(name, filters['name']):
        return False
    return all(tags.get(key) == value for key, value in (filters.get('tags') or {}).items())


def matches_plan(filters, version, extension_refs):
    """The filters that need the plan: a version glob, and any of the extensions (by name or id).

    `extension_refs`: (name, id) of every extension the current plan uses (id None for a raw URL).
    """
    if filters.get('elasticsearch_version') and not _glob_any(version, filters['elasticsearch_version']):
        return False
    wanted = filters.get('extensions')
    if wanted:
        return any(name in wanted or (ext_id is not None and ext_id in wanted) for name, ext_id in extension_refs)
    return True
