# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure plan logic: the resource and version rules (_deployment_plan), the merge and staleness (_plan_merge),
the attempt-outcome rule (_plan_attempts)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import check_attachable, es_resource, version_matches
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import (
    attempt_failed,
    find_ended,
    known_attempts,
    outcome,
    parse_time,
    running_attempt,
)
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import (
    Attachable,
    attachment_changes,
    deployment_update_body,
    extension_lists,
    merge,
    stale_names,
)
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

DEPLOYMENT = {'id': 'a' * 32, 'name': 'search-prod'}


def ext(ext_id, name, extension_type='bundle', version='8.*', modified='2026-11-28T12:00:00.000Z', es_version=None):
    data = {'id': ext_id, 'name': name, 'extension_type': extension_type, 'version': version, 'url': 'repo://%s' % ext_id,
            'file_metadata': {'size': 10, 'last_modified_date': modified}}
    return Attachable(data, es_version)


def plan(bundles=None, plugins=None, topology_bundles=None):
    es = {'version': '8.15.1', 'user_settings_yaml': 'x: 1'}
    if bundles is not None:
        es['user_bundles'] = bundles
    if plugins is not None:
        es['user_plugins'] = plugins
    element = {'id': 'hot_content', 'size': {'value': 4096, 'resource': 'memory'}, 'elasticsearch': {'node_attributes': {}}}
    if topology_bundles is not None:
        element['elasticsearch']['user_bundles'] = topology_bundles
    return {'cluster_topology': [element], 'elasticsearch': es, 'deployment_template': {'id': 'default'},
            'tiebreaker_topology': {'memory_per_node': 1024}, 'transient': {'strategy': {'rolling': {}}}}


def entry(ext_id, name, es_version='8.*'):
    return {'name': name, 'url': 'repo://%s' % ext_id, 'elasticsearch_version': es_version}


class TestMerge:
    def test_attach_adds_the_entry_and_changes_nothing_else(self):
        before = plan(bundles=[entry('1', 'ui-added')])
        after = merge(before, [ext('2', 'synonyms'), ext('3', 'analysis', 'plugin', '8.15.1')], es_version='8.15.1')
        assert after['elasticsearch']['user_bundles'] == [entry('1', 'ui-added'), entry('2', 'synonyms')]
        assert after['elasticsearch']['user_plugins'] == [entry('3', 'analysis', '8.15.1')]
        # Everything else passes through verbatim (unknown fields too), transient excepted.
        expected = copy.deepcopy(before)
        del expected['transient']
        expected['elasticsearch']['user_bundles'] = after['elasticsearch']['user_bundles']
        expected['elasticsearch']['user_plugins'] = after['elasticsearch']['user_plugins']
        assert after == expected
        assert 'transient' in before, 'the input plan must not be changed'

    def test_attached_already_is_no_change(self):
        before = plan(bundles=[entry('2', 'synonyms')])
        after = merge(before, [ext('2', 'synonyms')], es_version='8.15.1')
        assert extension_lists(after) == extension_lists(before)
        assert 'user_plugins' not in after['elasticsearch'], 'an absent list is not added when nothing goes into it'

    def test_entry_with_other_label_and_matching_version_is_kept(self):
        # Attached in the UI with the stack version and another label: no restart for a cosmetic difference.
        before = plan(bundles=[entry('2', 'Synonyms (UI)', '8.15.1')])
        after = merge(before, [ext('2', 'synonyms')], es_version='8.15.1')
        assert after['elasticsearch']['user_bundles'] == [entry('2', 'Synonyms (UI)', '8.15.1')]

    def test_explicit_version_rewrites_the_entry(self):
        before = plan(bundles=[entry('2', 'synonyms', '8.*')])
        after = merge(before, [ext('2', 'synonyms', es_version='8.15.1')], es_version='8.15.1')
        assert after['elasticsearch']['user_bundles'] == [entry('2', 'synonyms', '8.15.1')]

    def test_outdated_entry_is_rewritten_with_the_default(self):
        before = plan(bundles=[entry('2', 'synonyms', '7.*')])
        after = merge(before, [ext('2', 'synonyms')], es_version='8.15.1')
        assert after['elasticsearch']['user_bundles'] == [entry('2', 'synonyms', '8.*')]

    def test_attached_in_a_topology_element_counts_as_attached(self):
        before = plan(topology_bundles=[entry('2', 'synonyms')])
        after = merge(before, [ext('2', 'synonyms')], es_version='8.15.1')
        assert 'user_bundles' not in after['elasticsearch']

    def test_detach_removes_only_the_listed_everywhere(self):
        before = plan(bundles=[entry('1', 'keep'), entry('2', 'drop')], topology_bundles=[entry('2', 'drop')])
        after = merge(before, [ext('2', 'drop')], state='absent', es_version='8.15.1')
        assert after['elasticsearch']['user_bundles'] == [entry('1', 'keep')]
        assert after['cluster_topology'][0]['elasticsearch']['user_bundles'] == []

    def test_exclusive_detaches_the_unlisted(self):
        before = plan(bundles=[entry('1', 'other'), entry('2', 'synonyms')], plugins=[entry('9', 'p', '8.15.1')])
        after = merge(before, [ext('2', 'synonyms')], exclusive=True, es_version='8.15.1')
        assert after['elasticsearch']['user_bundles'] == [entry('2', 'synonyms')]
        assert after['elasticsearch']['user_plugins'] == []

    def test_update_body_holds_only_this_resource(self):
        body = deployment_update_body({'ref_id': 'main-elasticsearch', 'region': 'ece-region', 'info': {}}, {'p': 1})
        assert body == {'prune_orphans': False, 'resources': {'elasticsearch': [
            {'ref_id': 'main-elasticsearch', 'region': 'ece-region', 'plan': {'p': 1}}]}}


class TestVersionRules:
    @pytest.mark.parametrize('wanted, es_version, expected', [
        ('8.15.1', '8.15.1', True),
        ('8.15.0', '8.15.1', False),
        ('8.*', '8.15.1', False),
    ])
    def test_plugin_needs_the_exact_version(self, wanted, es_version, expected):
        assert version_matches('plugin', wanted, es_version) is expected

    @pytest.mark.parametrize('wanted, es_version, expected', [
        ('*', '8.15.1', True),
        ('8.*', '8.15.1', True),
        ('8.15.*', '8.15.1', True),
        ('8.15.1', '8.15.1', True),
        ('7.*', '8.15.1', False),
        ('8.14.*', '8.15.1', False),
        ('8.*.1', '8.15.1', False),
        ('8', '8.15.1', False),
        (None, '8.15.1', False),
    ])
    def test_bundle_may_use_a_wildcard(self, wanted, es_version, expected):
        assert version_matches('bundle', wanted, es_version) is expected

    def test_plugin_mismatch_names_both_versions_and_the_fix(self):
        with pytest.raises(EceError) as info:
            check_attachable(ext('3', 'analysis', 'plugin', '8.14.0'), '8.15.1', DEPLOYMENT)
        assert '8.14.0' in info.value.msg and '8.15.1' in info.value.msg and 'analysis' in info.value.msg
        assert 'exactly' in info.value.msg

    def test_plugin_of_another_version_points_to_its_build_and_to_the_upgrade(self):
        with pytest.raises(EceError) as info:
            check_attachable(ext('3', 'analysis', 'plugin', '8.16.0'), '8.15.1', DEPLOYMENT)
        assert 'identity=name_and_version' in info.value.msg
        assert 'Elasticsearch 8.16.0 with ece.platform.deployment_upgrade' in info.value.msg
        assert 'version first' not in info.value.msg

    def test_plugin_that_fits_but_has_a_wrong_elasticsearch_version_is_told_to_leave_it_out(self):
        with pytest.raises(EceError) as info:
            check_attachable(ext('3', 'analysis', 'plugin', '8.15.1', es_version='8.15'), '8.15.1', DEPLOYMENT)
        assert 'Leave elasticsearch_version out' in info.value.msg
        assert 'deployment_upgrade' not in info.value.msg and 'Attach the build' not in info.value.msg

    def test_bundle_mismatch_suggests_a_wildcard(self):
        with pytest.raises(EceError) as info:
            check_attachable(ext('2', 'synonyms', 'bundle', '7.*'), '8.15.1', DEPLOYMENT)
        assert '7.*' in info.value.msg and '8.*' in info.value.msg

    def test_extension_without_archive_is_refused(self):
        bare = Attachable({'id': '5', 'name': 'empty', 'extension_type': 'bundle', 'version': '*', 'url': 'repo://5'})
        with pytest.raises(EceError, match='no archive'):
            check_attachable(bare, '8.15.1', DEPLOYMENT)


def attempt(attempt_id, start, end=None, healthy=True, last_step=None, error=None, plan_body=None):
    log = []
    if last_step:
        log = [{'step_id': 'validate-plan-prerequisites', 'status': 'success', 'info_log': []},
               {'step_id': last_step[0], 'status': last_step[1],
                'info_log': [{'message': last_step[2], 'failure_type': last_step[3]}] if len(last_step) > 2 else []}]
    out = {'plan_attempt_id': attempt_id, 'attempt_start_time': start, 'healthy': healthy, 'plan_attempt_log': log,
           'plan': plan_body or {'elasticsearch': {'version': '8.15.1'}}}
    if end:
        out['attempt_end_time'] = end
    if error:
        out['error'] = error
    return out


class TestAttemptOutcome:
    def test_success(self):
        done = attempt('b', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:03.500Z', last_step=('plan-completed', 'success'))
        expected = {'attempt_id': 'b', 'status': 'success', 'duration_seconds': 3.5}
        assert outcome(done, {'healthy': True, 'current': done}) == expected

    def test_failure_from_the_last_step_carries_message_and_type(self):
        failed = attempt('b', '2026-12-01T10:00:00Z', '2026-12-01T10:00:01Z',
                         last_step=('plan-completed', 'error', 'Plan change failed: boom', 'ClusterFailure:Boom'))
        result = outcome(failed, {'healthy': False, 'current': attempt('a', '2026-12-01T09:00:00Z'), 'history': [failed]})
        assert result['status'] == 'error'
        assert result['message'] == 'Plan change failed: boom'
        assert result['failure_type'] == 'ClusterFailure:Boom'

    @pytest.mark.parametrize('failed', [
        attempt('b', '2026-12-01T10:00:00Z', healthy=False),
        attempt('b', '2026-12-01T10:00:00Z', error={'message': 'bad', 'failure_type': 'X:Y'}),
        attempt('b', '2026-12-01T10:00:00Z', last_step=('plan-completed', 'error')),
    ])
    def test_each_sign_of_failure_counts(self, failed):
        assert attempt_failed(failed)

    def test_an_error_in_another_step_is_not_a_failure(self):
        assert not attempt_failed(attempt('b', '2026-12-01T10:00:00Z', last_step=('post-plan-cleanup', 'warning')))

    def test_unhealthy_plan_info_fails_a_current_attempt(self):
        current = attempt('b', '2026-12-01T10:00:00Z', last_step=('plan-completed', 'success'))
        assert outcome(current, {'healthy': False, 'current': current})['status'] == 'error'

    def test_error_message_falls_back_to_the_error_field(self):
        failed = attempt('b', '2026-12-01T10:00:00Z', error={'message': 'Timeout', 'failure_type': 'Infra:Timeout'})
        result = outcome(failed, {'healthy': False, 'history': [failed]})
        assert (result['message'], result['failure_type']) == ('Timeout', 'Infra:Timeout')

    def test_new_attempt_is_found_in_current_or_history_never_among_known(self):
        old = attempt('a', '2026-12-01T09:00:00Z')
        before = {'current': old, 'history': [attempt('z', '2026-12-01T08:00:00Z')]}
        known = known_attempts(before)
        assert find_ended(before, lambda a: a['plan_attempt_id'] not in known) is None
        # Failed attempt reported in history, previous plan still current.
        failed = attempt('b', '2026-12-01T10:00:00Z', healthy=False)
        after = {'current': old, 'history': before['history'] + [failed]}
        assert find_ended(after, lambda a: a['plan_attempt_id'] not in known) is failed
        # Or reported as current.
        after = {'current': failed, 'history': before['history'] + [old]}
        assert find_ended(after, lambda a: a['plan_attempt_id'] not in known) is failed

    def test_running_attempt_skips_a_failed_current(self):
        good = attempt('a', '2026-12-01T09:00:00Z')
        failed = attempt('b', '2026-12-01T10:00:00Z', healthy=False)
        assert running_attempt({'current': failed, 'history': [good]}) is good
        assert running_attempt({'current': good, 'history': [failed]}) is good


class TestStale:
    def test_archive_stored_after_the_plan_started_is_stale(self):
        running = {'attempt_start_time': '2026-12-01T10:00:00.000Z'}
        direct = {'name': 'direct', 'url': 'https://x/y.zip', 'elasticsearch_version': '8.*'}
        the_plan = plan(bundles=[entry('1', 'old'), entry('2', 'new'), direct])
        by_url = {'repo://1': {'name': 'old', 'file_metadata': {'last_modified_date': '2026-12-01T09:59:59.999Z'}},
                  'repo://2': {'name': 'new', 'file_metadata': {'last_modified_date': '2026-12-01T10:00:00.001Z'}}}
        assert stale_names(the_plan, running, by_url) == ['new']
        assert stale_names(the_plan, running, by_url, still_attached={'repo://1'}) == []

    def test_without_a_start_time_nothing_is_called_stale(self):
        assert stale_names(plan(bundles=[entry('2', 'new')]), {}, {'repo://2': {'name': 'new'}}) == []

    @pytest.mark.parametrize('text, expected_seconds', [
        ('2026-12-01T10:00:00Z', 0.0),
        ('2026-12-01T10:00:00.5Z', 0.5),
        ('2026-12-01T11:00:00.123456+01:00', 0.123456),
        ('2026-12-01T10:00:00', 0.0),
    ])
    def test_timestamps(self, text, expected_seconds):
        delta = parse_time(text) - parse_time('2026-12-01T10:00:00Z')
        assert delta.total_seconds() == pytest.approx(expected_seconds)

    def test_unreadable_timestamp(self):
        assert parse_time('yesterday') is None and parse_time(None) is None


class TestResource:
    def test_only_resource_or_by_ref_id(self):
        one = {'id': 'a' * 32, 'name': 'd', 'resources': {'elasticsearch': [{'ref_id': 'main-elasticsearch'}]}}
        assert es_resource(one)['ref_id'] == 'main-elasticsearch'
        two = {'id': 'a' * 32, 'name': 'd', 'resources': {'elasticsearch': [{'ref_id': 'a-es'}, {'ref_id': 'b-es'}]}}
        assert es_resource(two, 'b-es')['ref_id'] == 'b-es'
        with pytest.raises(EceError, match='a-es, b-es'):
            es_resource(two)
        with pytest.raises(EceError, match='no Elasticsearch resource with ref_id c-es'):
            es_resource(two, 'c-es')


def test_attachment_changes_name_what_came_and_went():
    before = plan(bundles=[entry('1', 'stays'), entry('2', 'goes')])
    after = plan(bundles=[entry('1', 'stays')], plugins=[entry('3', 'comes', '8.15.1')])
    assert attachment_changes(before, after) == (['comes'], ['goes'])
