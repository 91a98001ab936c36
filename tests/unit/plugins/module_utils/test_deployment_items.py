# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Items of deployment_extensions: the build that fits, replaces, the merge of a swap, the diff, the strategy."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._deployment_items import (
    parse_items,
    replaced_urls,
    resolve,
    select_build,
)
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._plan_diff import held_lists, plan_diff
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import merge
from ansible_collections.ece.platform.plugins.module_utils._plan_strategy import plan_strategy, with_strategy

FILE = {'size': 3, 'last_modified_date': '2026-12-01T10:00:00.000Z'}


def ext(ext_id, name, version, extension_type='plugin'):
    return {'id': ext_id, 'name': name, 'extension_type': extension_type, 'version': version, 'url': 'repo://%s' % ext_id,
            'file_metadata': FILE}


def entry(extension, es_version=None):
    return {'name': extension['name'], 'url': extension['url'], 'elasticsearch_version': es_version or extension['version']}


def plan(plugins=(), bundles=(), topology_bundles=None, version='8.15.1'):
    es = {'version': version, 'user_plugins': list(plugins), 'user_bundles': list(bundles)}
    element = {'id': 'hot_content', 'elasticsearch': {'node_attributes': {'data': 'hot'}}}
    if topology_bundles is not None:
        element['elasticsearch']['user_bundles'] = list(topology_bundles)
    return {'elasticsearch': es, 'cluster_topology': [element], 'transient': {'strategy': {'autodetect': {}}}}


OLD = ext('1', 'analysis', '8.15.1')
NEW = ext('2', 'analysis', '8.16.0')
FIXED = ext('3', 'analysis-fixed', '8.15.1')
WILD = ext('4', 'synonyms', '8.*', 'bundle')
ANY = ext('5', 'synonyms', '*', 'bundle')
SEVEN = ext('6', 'synonyms', '7.*', 'bundle')
LISTED = [OLD, NEW, FIXED, WILD, ANY, SEVEN]


def no_lookup(_ext_id):
    raise AssertionError('no lookup by id expected')


@pytest.mark.parametrize('version, chosen', [('8.15.1', '1'), ('8.16.0', '2')])
def test_a_name_with_two_builds_selects_the_one_of_the_deployments_version(version, chosen):
    wanted = resolve(parse_items(['analysis']), LISTED, no_lookup, 'present', version, 'search-prod (id d)', plan(version=version))
    assert [(w.id, w.elasticsearch_version) for w in wanted] == [(chosen, version)]


def test_no_build_fits_fails_listing_candidates_with_ids_and_versions():
    with pytest.raises(EceError) as info:
        resolve(parse_items(['analysis']), LISTED, no_lookup, 'present', '8.18.8', 'search-prod (id d)', plan())
    assert 'none fits Elasticsearch 8.18.8 of deployment search-prod (id d)' in info.value.msg
    assert 'id 1 version 8.15.1, id 2 version 8.16.0' in info.value.msg


@pytest.mark.parametrize('item, version, first', [
    ('brand-new', '8.15.1', 'No extension is named brand-new.'),
    ({'id': '99'}, '8.15.1', 'No extension has id 99.'),
    ('analysis', '8.18.8', 'none fits Elasticsearch 8.18.8'),
])
def test_in_check_mode_a_missing_extension_says_an_earlier_task_may_create_it(item, version, first):
    lookups = {'99': None}
    for check_mode in (True, False):
        with pytest.raises(EceError) as info:
            resolve(parse_items([item]), LISTED, lookups.get, 'present', version, 'd', plan(version=version),
                    check_mode=check_mode)
        assert first in info.value.msg
        assert ('In check mode, an extension that an earlier task of this run would create' in info.value.msg) is check_mode


def test_two_bundles_that_both_fit_fail_and_one_that_fits_is_chosen():
    with pytest.raises(EceError, match='2 of them fit Elasticsearch 8.15.1.*id 5 version \\*, id 4 version 8\\.\\*'):
        select_build('synonyms', [WILD, ANY, SEVEN], '8.15.1', 'd')
    assert select_build('synonyms', [WILD, SEVEN], '8.15.1', 'd') is WILD
    assert select_build('synonyms', [WILD, SEVEN], '7.17.29', 'd') is SEVEN


def test_an_id_selects_exactly_that_extension_whatever_shares_its_name():
    wanted = resolve(parse_items([{'id': '2'}]), LISTED, no_lookup, 'present', '8.15.1', 'd', plan())
    assert [w.id for w in wanted] == ['2']


def test_absent_by_a_shared_name_detaches_the_attached_builds_only():
    base = plan(plugins=[entry(OLD)])
    wanted = resolve(parse_items(['analysis']), LISTED, no_lookup, 'absent', '8.15.1', 'd', base)
    assert [w.url for w in wanted] == ['repo://1']


def test_absent_by_a_plan_label_left_by_a_rename_detaches_that_entry():
    base = plan(bundles=[{'name': 'b1', 'url': 'repo://4', 'elasticsearch_version': '8.*'}])
    wanted = resolve(parse_items(['b1']), LISTED, no_lookup, 'absent', '8.15.1', 'd', base)
    assert [w.url for w in wanted] == ['repo://4']
    assert merge(base, wanted, 'absent')['elasticsearch']['user_bundles'] == []


def test_replaces_detaches_in_the_same_merge_that_attaches():
    base = plan(plugins=[entry(OLD)], bundles=[entry(WILD)])
    items = parse_items([{'name': 'analysis-fixed', 'replaces': ['analysis']}])
    wanted = resolve(items, LISTED, no_lookup, 'present', '8.15.1', 'd', base)
    warnings = []
    replaced = replaced_urls(items, wanted, LISTED, base, warnings.append)
    assert replaced == {'repo://1', 'repo://2'} and warnings == []
    new = merge(base, wanted, 'present', False, '8.15.1', replaced)
    assert new['elasticsearch']['user_plugins'] == [entry(FIXED)]
    assert new['elasticsearch']['user_bundles'] == [entry(WILD)]  # not named: kept
    assert 'transient' not in new
    # The second run: nothing left to replace, nothing to add.
    again = merge(new, wanted, 'present', False, '8.15.1', replaced_urls(items, wanted, LISTED, new, warnings.append))
    assert again == new and warnings == []


def test_replaces_by_id_and_by_plan_label_also_in_a_topology_element_never_the_item_itself():
    base = plan(plugins=[entry(OLD)], topology_bundles=[{'name': 'ui-label', 'url': 'https://x/y.zip', 'elasticsearch_version': '8.15.1'}])
    items = parse_items([{'id': '1', 'replaces': ['1', 'ui-label', 'analysis']}])
    wanted = resolve(items, LISTED, no_lookup, 'present', '8.15.1', 'd', base)
    replaced = replaced_urls(items, wanted, LISTED, base, lambda msg: None)
    assert 'repo://1' not in replaced and {'https://x/y.zip', 'repo://2'} <= replaced
    new = merge(base, wanted, 'present', False, '8.15.1', replaced)
    assert new['cluster_topology'][0]['elasticsearch']['user_bundles'] == []
    assert new['elasticsearch']['user_plugins'] == [entry(OLD)]


def test_replaces_a_misspelt_reference_fails_before_attaching_next_to_the_old_build():
    base = plan(plugins=[entry(OLD)])
    items = parse_items([{'name': 'analysis-fixed', 'replaces': ['analysys']}])
    wanted = resolve(items, LISTED, no_lookup, 'present', '8.15.1', 'd', base)
    with pytest.raises(EceError) as info:
        replaced_urls(items, wanted, LISTED, base, no_lookup)
    assert 'replaces analysys, but no extension and no plan entry has that name or id' in info.value.msg
    assert 'nothing was sent' in info.value.msg and 'the plan holds: analysis' in info.value.msg


def test_replaces_an_unknown_reference_warns_once_attached_and_one_listed_as_another_item_fails():
    # After the swap the old build was deleted: the same task, run again, warns and converges.
    base = plan(plugins=[entry(FIXED)])
    items = parse_items([{'name': 'analysis-fixed', 'replaces': ['nothing-like-it']}])
    wanted = resolve(items, LISTED, no_lookup, 'present', '8.15.1', 'd', base)
    warnings = []
    assert replaced_urls(items, wanted, LISTED, base, warnings.append) == set()
    assert 'replaces nothing-like-it, but no extension and no plan entry' in warnings[0]
    items = parse_items([{'name': 'analysis-fixed', 'replaces': ['synonyms']}, {'id': '4'}])
    wanted = resolve(items, LISTED, no_lookup, 'present', '8.15.1', 'd', base)
    with pytest.raises(EceError, match='replaces synonyms, which this task also attaches'):
        replaced_urls(items, wanted, LISTED, base, warnings.append)


@pytest.mark.parametrize('items, state, needle', [
    ([{'name': 'a', 'replaces': 'b'}], 'absent', 'works with state=present only'),
    ([{'name': 'a', 'replaces': [None]}], 'present', 'must list names or ids'),
    ([{'name': 'a', 'replaces': [{'name': 'b'}]}], 'present', r'extensions\[0\].replaces\[0\] must be a non-empty string'),
    ([{'name': 'a', 'replaces': ['']}], 'present', 'must be a non-empty string'),
])
def test_bad_replaces(items, state, needle):
    with pytest.raises(EceError, match=needle):
        parse_items(items, state)


def test_replaces_as_a_single_string_is_a_list_of_one():
    assert parse_items([{'name': 'a', 'replaces': 'b'}])[0]['replaces'] == ['b']


def test_diff_shows_topology_lists_and_a_reload():
    base = plan(bundles=[entry(WILD)], topology_bundles=[{'name': 'ui', 'url': 'https://x/ui.zip', 'elasticsearch_version': '8.15.1'}])
    after = merge(base, [], 'present', True, '8.15.1')  # exclusive with nothing listed: everything goes
    diff = plan_diff(base, after)
    assert diff['before']['cluster_topology'] == [{'id': 'hot_content', 'user_bundles': [
        {'name': 'ui', 'url': 'https://x/ui.zip', 'elasticsearch_version': '8.15.1'}], 'user_plugins': []}]
    assert diff['after']['cluster_topology'] == [{'id': 'hot_content', 'user_bundles': [], 'user_plugins': []}]
    assert diff['after']['user_bundles'] == [] and 'reload' not in diff['after']
    reload_only = plan_diff(base, base, ['synonyms'])
    assert reload_only['before'] != reload_only['after'] and reload_only['after']['reload'] == ['synonyms']
    plain = plan_diff(plan(), plan())
    assert plain['before'] == plain['after'] and 'cluster_topology' not in plain['before']


def test_held_lists_keeps_plain_url_entries_and_topology_elements():
    held = held_lists(plan(plugins=[{'name': 'raw', 'url': 'https://x/raw.zip', 'elasticsearch_version': '8.15.1'}],
                           topology_bundles=[entry(WILD)]))
    assert held['user_plugins'][0]['url'] == 'https://x/raw.zip'
    assert held['cluster_topology'] == [{'id': 'hot_content', 'user_bundles': [entry(WILD)], 'user_plugins': []}]


@pytest.mark.parametrize('name, strategy', [
    ('autodetect', {'autodetect': {}}), ('grow_and_shrink', {'grow_and_shrink': {}}),
    ('rolling_grow_and_shrink', {'rolling_grow_and_shrink': {}}), ('rolling', {'rolling': {'group_by': '__name__'}}),
    ('rolling_zone', {'rolling': {'group_by': 'logical_zone_name'}}), ('rolling_all', {'rolling': {'group_by': '__all__'}}),
])
def test_strategy_goes_into_transient_of_the_sent_plan_only(name, strategy):
    base = {'elasticsearch': {'version': '8.15.1'}}
    sent = with_strategy(base, name)
    assert sent['transient'] == {'strategy': strategy} and 'transient' not in base
    assert plan_strategy(name) == strategy
    assert with_strategy(base, None) is base


def test_attaching_one_build_while_another_of_its_name_stays_warns_how_to_swap():
    base = plan(plugins=[entry(OLD)], version='8.16.0')
    items = parse_items(['analysis'])
    wanted = resolve(items, LISTED, no_lookup, 'present', '8.16.0', 'd', base)
    warnings = []
    assert replaced_urls(items, wanted, LISTED, base, warnings.append) == set()
    assert len(warnings) == 1 and 'another extension of that name stays attached (repo://1)' in warnings[0]
    items = parse_items([{'name': 'analysis', 'replaces': ['analysis']}])
    warnings = []
    assert replaced_urls(items, wanted, LISTED, base, warnings.append) == {'repo://1'} and warnings == []


def test_replaces_naming_the_item_itself_with_no_other_build_says_so():
    """replaces: [its own name] swaps other builds of that name; with none, the warning says it named itself."""
    base = plan(bundles=[entry(WILD)])
    only_fixed = [OLD, FIXED, WILD]
    items = parse_items([{'name': 'analysis-fixed', 'replaces': ['analysis-fixed']}])
    wanted = resolve(items, only_fixed, no_lookup, 'present', '8.15.1', 'd', base)
    warnings = []
    assert replaced_urls(items, wanted, only_fixed, base, warnings.append) == set()
    assert len(warnings) == 1 and 'which is this item itself' in warnings[0]
    assert 'no extension and no plan entry has that name' not in warnings[0]
