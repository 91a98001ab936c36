# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan an upgrade sends: which build each attached entry gets, and what changes in the plan (nothing else)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._upgrade_plan import (
    BuildChoice,
    parse_items,
    stateless_payload,
    upgraded_plan,
)
from ansible_collections.ece.platform.plugins.module_utils._upgrade_report import failed_step, failure_message
from ansible_collections.ece.platform.tests.unit.ece_register import both, reading

FILE = {'size': 10, 'url': 'https://ece/file.zip'}


def ext(ext_id, name, version, extension_type='plugin', archive=True):
    found = {'id': ext_id, 'name': name, 'version': version, 'extension_type': extension_type, 'url': 'repo://%s' % ext_id}
    if archive:
        found['file_metadata'] = dict(FILE)
    return found


OLD = ext('1', 'analysis-custom', '8.15.1')
NEW = ext('2', 'analysis-custom', '8.16.0')
OTHER = ext('3', 'analysis-custom-v2', '8.16.0')
BUNDLE = ext('4', 'synonyms', '8.*', 'bundle')
NARROW = ext('5', 'stopwords', '8.15.*', 'bundle')


def entry(extension, version=None):
    return {'name': extension['name'], 'url': extension['url'], 'elasticsearch_version': version or extension['version']}


def plan(plugins=(OLD,), bundles=(BUNDLE,), topology_plugins=()):
    return {
        'cluster_topology': [{'id': 'hot_content', 'size': {'value': 4096, 'resource': 'memory'},
                              'elasticsearch': {'node_attributes': {'data': 'hot'},
                                                'user_plugins': [entry(e) for e in topology_plugins]}}],
        'elasticsearch': {'version': '8.15.1', 'enabled_built_in_plugins': ['analysis-icu'],
                          'user_plugins': [entry(e) for e in plugins], 'user_bundles': [entry(e, '8.15.1') for e in bundles]},
        'deployment_template': {'id': 'default'},
        'transient': {'plan_configuration': {'cluster_reboot': 'forced'}},
    }


def test_items_parse_names_ids_and_replaces():
    assert parse_items(['analysis-custom', 42, {'id': '2', 'replaces': 'old'}, {'name': 'x', 'replaces': ['a', 1]}]) == [
        {'where': 'extensions[0]', 'name_or_id': True, 'name': 'analysis-custom', 'id': None, 'replaces': None},
        {'where': 'extensions[1]', 'name_or_id': True, 'name': '42', 'id': None, 'replaces': None},
        {'where': 'extensions[2]', 'name_or_id': False, 'name': None, 'id': '2', 'replaces': ['old']},
        {'where': 'extensions[3]', 'name_or_id': False, 'name': 'x', 'id': None, 'replaces': ['a', '1']},
    ]


@pytest.mark.parametrize('items, fragment', [
    ([True], 'must be an extension name or id'), ([{'nmae': 'x'}], 'unknown key nmae'), ([{}], 'needs name or id'),
    ([{'name': ' '}], 'non-empty string'), ([{'name': 'x', 'replaces': {'a': 1}}], 'replaces must be a list'),
])
def test_bad_items_fail_naming_the_item(items, fragment):
    with pytest.raises(EceError, match=fragment):
        parse_items(items)


def test_the_build_of_the_same_name_is_chosen_automatically():
    choice = BuildChoice(plan(), '8.16.0', [OLD, NEW, OTHER, BUNDLE], [])
    assert choice.problems == [] and choice.archive_problems() == []
    assert choice.swaps == {OLD['url']: NEW}
    assert choice.swapped() == [{'from': {'name': 'analysis-custom', 'id': '1'}, 'to': {'name': 'analysis-custom', 'id': '2'}}]


def test_a_missing_build_names_the_plugin_and_the_extension_to_create():
    choice = BuildChoice(plan(), '8.16.0', [OLD, BUNDLE], [])
    assert len(choice.problems) == 1
    assert 'plugin analysis-custom (id 1, version 8.15.1)' in choice.problems[0]
    assert 'Create an extension named analysis-custom with version 8.16.0' in choice.problems[0]


def test_several_builds_ask_for_an_id():
    twin = ext('9', 'analysis-custom', '8.16.0')
    choice = BuildChoice(plan(), '8.16.0', [OLD, NEW, twin], [])
    assert '2 builds for 8.16.0 (id 2, id 9)' in choice.problems[0]
    chosen = BuildChoice(plan(), '8.16.0', [OLD, NEW, twin], parse_items([{'id': '9'}]))
    assert chosen.problems == [] and chosen.swaps[OLD['url']] is twin


def test_an_item_with_replaces_takes_over_another_name():
    choice = BuildChoice(plan(), '8.16.0', [OLD, NEW, OTHER], parse_items([{'name': 'analysis-custom-v2', 'replaces': ['analysis-custom']}]))
    assert choice.problems == [] and choice.swaps == {OLD['url']: OTHER}
    by_id = BuildChoice(plan(), '8.16.0', [OLD, OTHER], parse_items([{'id': '3', 'replaces': ['1']}]))
    assert by_id.problems == [] and by_id.swaps == {OLD['url']: OTHER}


def test_items_that_do_not_fit_or_replace_nothing_are_named():
    wrong = BuildChoice(plan(), '8.16.0', [OLD, NEW], parse_items([{'id': '1'}]))
    assert any('does not fit Elasticsearch 8.16.0' in p for p in wrong.problems)
    nothing = BuildChoice(plan(), '8.16.0', [OLD, NEW, OTHER], parse_items(['analysis-custom-v2']))
    assert any('replaces nothing the deployment has attached' in p for p in nothing.problems)
    unknown = BuildChoice(plan(), '8.16.0', [OLD, NEW], parse_items([{'id': '77'}, {'name': 'nope'}]))
    assert any('no extension has id 77' in p for p in unknown.problems) and any('no extension is named nope' in p for p in unknown.problems)
    misnamed = BuildChoice(plan(), '8.16.0', [OLD, NEW], parse_items([{'id': '2', 'name': 'other'}]))
    assert any('is named analysis-custom, not other' in p for p in misnamed.problems)


def test_a_build_without_archive_is_refused():
    bare = ext('2', 'analysis-custom', '8.16.0', archive=False)
    choice = BuildChoice(plan(), '8.16.0', [OLD, bare], [])
    assert choice.problems == [] and 'has no archive' in choice.archive_problems()[0]


def test_bundles_must_cover_the_target():
    covered = BuildChoice(plan(bundles=(BUNDLE,)), '8.16.0', [OLD, NEW, BUNDLE], [])
    assert covered.problems == []
    major = BuildChoice(plan(plugins=(), bundles=(BUNDLE,)), '9.1.0', [BUNDLE], [])
    assert 'widen its version (for example to 9.* or *' in major.problems[0].lower()
    assert 'replaces: [synonyms]' in major.problems[0]
    narrow = BuildChoice(plan(plugins=(), bundles=(NARROW,)), '8.16.0', [NARROW], [])
    assert 'stopwords' in narrow.problems[0]
    widened = ext('6', 'synonyms-9', '9.*', 'bundle')
    swapped = BuildChoice(plan(plugins=(), bundles=(BUNDLE,)), '9.1.0', [BUNDLE, widened], parse_items([{'name': 'synonyms-9', 'replaces': ['synonyms']}]))
    assert swapped.problems == [] and swapped.swaps == {BUNDLE['url']: widened}


def test_the_upgraded_plan_changes_only_versions_and_entries():
    before = plan(topology_plugins=(OLD,))
    kept = copy.deepcopy(before)
    after = upgraded_plan(before, '8.16.0', {OLD['url']: NEW})
    assert before == kept  # the input is not changed
    assert after['elasticsearch']['version'] == '8.16.0'
    assert after['elasticsearch']['user_plugins'] == [entry(NEW)]
    assert after['cluster_topology'][0]['elasticsearch']['user_plugins'] == [entry(NEW)]
    # the bundle entry said 8.15.1, which no longer matches: it moves to the target
    assert after['elasticsearch']['user_bundles'] == [dict(entry(BUNDLE), elasticsearch_version='8.16.0')]
    assert 'transient' not in after
    for key in ('deployment_template',):
        assert after[key] == before[key]
    assert after['elasticsearch']['enabled_built_in_plugins'] == ['analysis-icu']
    assert after['cluster_topology'][0]['elasticsearch']['node_attributes'] == {'data': 'hot'}
    assert after['cluster_topology'][0]['size'] == before['cluster_topology'][0]['size']


def test_a_wildcard_bundle_entry_stays_as_it_is():
    before = plan(plugins=())
    before['elasticsearch']['user_bundles'] = [entry(BUNDLE)]
    after = upgraded_plan(before, '8.16.0', {}, strategy={'rolling': {'group_by': '__all__'}})
    assert after['elasticsearch']['user_bundles'] == [entry(BUNDLE)]
    assert after['transient'] == {'strategy': {'rolling': {'group_by': '__all__'}}}


def test_two_entries_replaced_by_one_build_become_one():
    before = plan(plugins=(OLD, ext('8', 'analysis-extra', '8.15.1')))
    after = upgraded_plan(before, '8.16.0', {OLD['url']: OTHER, 'repo://8': OTHER})
    assert after['elasticsearch']['user_plugins'] == [entry(OTHER)]


def test_stateless_payload_moves_only_the_version():
    resource = {'ref_id': 'main-kibana', 'elasticsearch_cluster_ref_id': 'main-elasticsearch', 'region': 'ece-region'}
    running = {'kibana': {'version': '8.15.1', 'user_settings_yaml': 'a: 1'}, 'cluster_topology': [{'zone_count': 1}], 'transient': {}}
    payload = stateless_payload('kibana', resource, running, '8.16.0')
    assert payload == dict(resource, plan={'kibana': {'version': '8.16.0', 'user_settings_yaml': 'a: 1'}, 'cluster_topology': [{'zone_count': 1}]})
    assert running['kibana']['version'] == '8.15.1'


def test_the_failed_step_is_the_last_error_before_plan_completed():
    log = [{'step_id': 'validate-elasticsearch-plugin-versions', 'status': 'error'}, {'step_id': 'plan-completed', 'status': 'error'}]
    info = {'current': {'plan_attempt_id': 'a'}, 'history': [{'plan_attempt_id': 'b', 'plan_attempt_log': log}]}
    assert failed_step(info, {'attempt_id': 'b'}) == 'validate-elasticsearch-plugin-versions'
    info['history'][0]['plan_attempt_log'] = log[1:]
    assert failed_step(info, {'attempt_id': 'b'}) == 'plan-completed'
    assert failed_step(info, {'attempt_id': 'x'}) is None


def test_failure_messages_say_what_runs_now():
    result = {'deployment': {'id': 'i', 'name': 'n'}, 'resources': {'elasticsearch': '8.16.0', 'kibana': '8.15.1'},
              'plan': {'attempts': {'kibana': {'attempt_id': 'k', 'step': 'wait-until-running', 'message': 'boom.'},
                                    'elasticsearch': {'attempt_id': 'e', 'step': 'plan-completed', 'message': 'bang.'}}}}
    kibana = failure_message(result, 'kibana', '8.16.0')
    assert 'was upgraded to 8.16.0, but the kibana plan failed' in kibana and 'step wait-until-running' in kibana
    assert 'Now running: elasticsearch 8.16.0, kibana 8.15.1' in kibana
    es = failure_message(result, 'elasticsearch', '8.16.0')
    assert 'failed in its Elasticsearch plan' in es and 'rolled the Elasticsearch change back' in es and 'bang.' in es


@pytest.mark.parametrize('after', both('es_after_kibana_failure'))
def test_a_kibana_failure_reports_what_elasticsearch_runs_under_both_readings(after):
    """Register stateless-failure-keeps-elasticsearch: the message claims the upgrade only where Elasticsearch kept it."""
    es_version = '8.16.0' if after == reading('es_after_kibana_failure') else '8.15.1'
    result = {'deployment': {'id': 'i', 'name': 'n'}, 'resources': {'elasticsearch': es_version, 'kibana': '8.15.1'},
              'plan': {'attempts': {'kibana': {'attempt_id': 'k', 'step': 'wait-until-running', 'message': 'boom.'}}}}
    message = failure_message(result, 'kibana', '8.16.0')
    assert 'boom.' in message and 'Now running: elasticsearch %s, kibana 8.15.1' % es_version in message
    if es_version == '8.16.0':
        assert 'was upgraded to 8.16.0, but the kibana plan failed' in message
    else:
        assert 'was upgraded' not in message and 'Elasticsearch was not kept at 8.16.0: it runs 8.15.1' in message
