# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory's filters: checked, turned into a _search query where the API can, and applied locally."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.plugin_utils._inventory_query import (
    VERSION_FIELD, check_filters, glob_query, matches_before_plans, matches_plan, search_query)


def test_no_filter_searches_everything():
    assert check_filters(None) == {} and check_filters({}) == {}
    assert search_query({}) == (None, [])


@pytest.mark.parametrize('filters, fragment', [
    ({'nme': ['a']}, 'Unknown filter key nme'),
    ({'name': ['a'], 'tag': {}, 'version': []}, 'Unknown filter keys tag, version'),
    ('name=a', 'must be a dictionary'),
    ({'name': []}, 'Filter name must be a non-empty list'),
    ({'name': ['']}, 'Filter name must be a non-empty list'),
    ({'elasticsearch_version': [8]}, 'Filter elasticsearch_version'),
    ({'tags': ['team']}, 'Filter tags must be a non-empty dictionary'),
    ({'tags': {'team': ['a', 'b']}}, 'maps tag keys to single values'),
])
def test_bad_filters_name_the_problem(filters, fragment):
    with pytest.raises(EceError) as caught:
        check_filters(filters)
    assert fragment in caught.value.msg


def test_filters_take_one_string_and_tag_scalars():
    assert check_filters({'name': 'search-*', 'tags': {'tier': 2, 'prod': True}}) == {
        'name': ['search-*'], 'tags': {'tier': '2', 'prod': 'true'}}


@pytest.mark.parametrize('pattern, expected', [
    ('prod-eu', ('term', 'prod-eu')),
    ('search-*', ('prefix', 'search-')),
    ('search-**', ('prefix', 'search-')),
    ('*', ('all', None)),
    ('*-eu', None),
    ('8.1?.*', None),
    ('[ab]-x', None),
])
def test_glob_query(pattern, expected):
    assert glob_query(pattern) == expected


def test_names_versions_and_tags_become_one_filter_query():
    query, sent = search_query(check_filters({'name': ['search-*', 'logs'], 'elasticsearch_version': ['8.15.1'],
                                              'tags': {'team': 'search', 'env': 'prod'}}))
    assert sent == ['name', 'elasticsearch_version', 'tags']
    names, versions, env, team = query['bool']['filter']
    assert names == {'bool': {'should': [{'prefix': {'name.keyword': {'value': 'search-'}}},
                                         {'term': {'name.keyword': {'value': 'logs'}}}], 'minimum_should_match': 1}}
    assert versions == {'nested': {'path': 'resources.elasticsearch', 'query': {'term': {VERSION_FIELD: {'value': '8.15.1'}}}}}
    assert env['nested']['path'] == 'metadata.tags'
    assert env['nested']['query']['bool']['filter'] == [{'term': {'metadata.tags.key': {'value': 'env'}}},
                                                        {'term': {'metadata.tags.value': {'value': 'prod'}}}]
    assert team['nested']['query']['bool']['filter'][1] == {'term': {'metadata.tags.value': {'value': 'search'}}}


def test_a_glob_the_api_cannot_express_keeps_its_whole_filter_local():
    query, sent = search_query(check_filters({'name': ['search-*', '*-eu'], 'elasticsearch_version': ['8.*']}))
    assert sent == ['elasticsearch_version']
    assert query == {'bool': {'filter': [{'nested': {'path': 'resources.elasticsearch',
                                                     'query': {'prefix': {VERSION_FIELD: {'value': '8.'}}}}}]}}
    assert search_query(check_filters({'name': ['*']})) == (None, [])


def test_extensions_are_never_sent():
    assert search_query(check_filters({'extensions': ['analysis-custom']})) == (None, [])


def test_local_name_and_tags():
    filters = check_filters({'name': ['*-eu', 'logs'], 'tags': {'team': 'search', 'env': 'prod'}})
    assert matches_before_plans(filters, 'search-eu', {'team': 'search', 'env': 'prod', 'extra': 'x'})
    assert not matches_before_plans(filters, 'search-eu', {'team': 'search'})  # every tag is needed
    assert not matches_before_plans(filters, 'search-us', {'team': 'search', 'env': 'prod'})
    assert matches_before_plans(filters, 'logs', {'team': 'search', 'env': 'prod'})
    assert not matches_before_plans(check_filters({'name': ['Logs']}), 'logs', {})  # case counts, as a keyword term does


def test_local_versions_and_extensions():
    filters = check_filters({'elasticsearch_version': ['8.15.*', '7.17.29'], 'extensions': ['analysis-custom', '42']})
    assert matches_plan(filters, '8.15.3', [('analysis-custom', '7')])
    assert matches_plan(filters, '7.17.29', [('synonyms', '42')])  # by id
    assert not matches_plan(filters, '8.16.0', [('analysis-custom', '7')])
    assert not matches_plan(filters, '8.15.3', [('synonyms', '9')])
    assert not matches_plan(filters, None, [('analysis-custom', '7')])  # no plan read: no version to match
    assert matches_plan(check_filters({}), None, [])
