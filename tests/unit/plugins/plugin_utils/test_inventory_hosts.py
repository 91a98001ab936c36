# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory host names (duplicates) and host variables from search hits and deployment GETs."""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.plugin_utils._inventory_hosts import host_names, host_vars, lacks_plan

ID_A, ID_B, ID_C = 'a1b2c3d4' + '0' * 24, 'ffeeddcc' + '1' * 24, '12345678' + '2' * 24


def test_unique_names_stay_as_they_are():
    assert host_names([(ID_A, 'search-eu'), (ID_B, 'search-us')]) == {ID_A: 'search-eu', ID_B: 'search-us'}


def test_every_deployment_of_a_shared_name_gets_its_id_prefix():
    assert host_names([(ID_A, 'dup'), (ID_B, 'dup'), (ID_C, 'other')]) == {ID_A: 'dup_a1b2c3d4', ID_B: 'dup_ffeeddcc', ID_C: 'other'}


def test_a_suffixed_name_that_collides_gets_the_whole_id():
    names = host_names([(ID_A, 'dup'), (ID_B, 'dup'), (ID_C, 'dup_a1b2c3d4')])
    assert names == {ID_A: 'dup_' + ID_A, ID_B: 'dup_ffeeddcc', ID_C: 'dup_a1b2c3d4'}
    assert len(set(names.values())) == 3


def _body(plan=None, pending=False, kibana=None, tags=None):
    info = {'healthy': True, 'plan_info': {'healthy': True, 'history': []}}
    if plan is not None:
        info['plan_info']['current'] = {'plan': plan}
    if pending:
        info['plan_info']['pending'] = {'plan': plan}
    resources = {'elasticsearch': [{'ref_id': 'main-elasticsearch', 'info': info}], 'kibana': [], 'apm': []}
    if kibana:
        resources['kibana'] = [{'ref_id': 'main-kibana', 'info': {'plan_info': {'current': {'plan': {'kibana': {'version': kibana}}}}}}]
    body = {'id': ID_A, 'name': 'search-eu', 'healthy': False, 'resources': resources}
    if tags is not None:
        body['metadata'] = {'last_modified': '2026-01-01T00:00:00Z', 'tags': [{'key': k, 'value': v} for k, v in tags.items()]}
    return body


PLAN = {
    'elasticsearch': {'version': '8.15.1', 'user_bundles': [{'name': 'synonyms', 'url': 'repo://11', 'elasticsearch_version': '8.*'}],
                      'enabled_built_in_plugins': ['analysis-icu']},
    'cluster_topology': [{'id': 'hot_content', 'elasticsearch': {
        'user_plugins': [{'name': 'label-in-plan', 'url': 'repo://12', 'elasticsearch_version': '8.15.1'},
                         {'name': 'raw', 'url': 'https://example.com/raw.zip', 'elasticsearch_version': '8.15.1'}],
        'enabled_built_in_plugins': ['analysis-icu', 'mapper-size']}}],
    'deployment_template': {'id': 'hot-warm'},
}


def test_host_vars_from_both_plan_levels():
    body = _body(PLAN, pending=True, kibana='8.15.1', tags={'team': 'search'})
    found = host_vars(body, {'11': 'synonyms', '12': 'analysis-custom'})
    assert found == {
        'ece_deployment_id': ID_A, 'ece_deployment_name': 'search-eu', 'ece_elasticsearch_version': '8.15.1',
        'ece_ref_id': 'main-elasticsearch', 'ece_healthy': False, 'ece_tags': {'team': 'search'}, 'ece_template_id': 'hot-warm',
        'ece_user_plugins': PLAN['cluster_topology'][0]['elasticsearch']['user_plugins'],
        'ece_user_bundles': PLAN['elasticsearch']['user_bundles'],
        'ece_extensions': ['analysis-custom', 'raw', 'synonyms'],  # the extensions API's name, not the plan's label
        'ece_enabled_built_in_plugins': ['analysis-icu', 'mapper-size'],
        'ece_pending': True, 'ece_resources': {'elasticsearch': '8.15.1', 'kibana': '8.15.1'},
    }


def test_tags_of_the_hit_win_over_a_get_without_metadata():
    assert host_vars(_body(PLAN), {}, tags={'env': 'prod'})['ece_tags'] == {'env': 'prod'}
    assert host_vars(_body(PLAN), {})['ece_tags'] == {}


def test_a_hit_without_its_plan_needs_a_read():
    assert lacks_plan(_body())
    assert not lacks_plan(_body(PLAN))
    assert lacks_plan({'id': ID_A, 'resources': {'elasticsearch': []}})
