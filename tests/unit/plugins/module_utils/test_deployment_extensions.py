# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reconciler and the plan wait on in-memory APIs: order of work, conflicts, waiting, failures."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ece.platform.plugins.module_utils._deployment_extensions import DeploymentExtensions, parse_items
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import VersionConflict
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.tests.unit.ece_register import reading

DEP_ID = 'd' * 32


def stamp(seconds):
    return '2026-12-01T10:%02d:%02d.000Z' % divmod(int(seconds), 60)


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeDeployments:
    """One deployment with one ES resource; a plan change appears as pending after `appear_after` seconds,
    and ends `duration` seconds after it started, failing when `fail` says so (placed in history or current)."""

    def __init__(self, clock, bundles=None, es_version='8.15.1', duration=5.0, appear_after=0.0, fail=False,
                 failed_in='history', check_mode=False, which='default'):
        self.clock = clock
        self.which = which
        self.check_mode = check_mode
        self.version = 1
        self.duration, self.appear_after, self.fail, self.failed_in = duration, appear_after, fail, failed_in
        self.current = {'plan_attempt_id': 'a0', 'healthy': True, 'attempt_start_time': stamp(0), 'plan_attempt_log': [],
                        'plan': {'cluster_topology': [{'id': 'hot'}], 'elasticsearch': {'version': es_version, 'user_bundles': bundles or []}}}
        self.history = []
        self.pending = None
        self.accepted_at = None
        self.puts = []
        self.calls = []
        self.before_put = None  # a callable run once between a read and the next PUT (a concurrent change)
        self._attempts = 0

    def _advance(self):
        if self.accepted_at is not None and self.pending is None and self.clock() >= self.accepted_at + self.appear_after:
            self._attempts += 1
            self.pending = {'plan_attempt_id': 'n%d' % self._attempts, 'healthy': True, 'plan': self._next_plan,
                            'attempt_start_time': stamp(self.clock()), 'started': self.clock(),
                            'plan_attempt_log': [{'step_id': 'validate-plan-prerequisites', 'status': 'success', 'info_log': []}]}
        if self.pending is not None and self.clock() >= self.pending['started'] + self.duration:
            done = dict(self.pending, attempt_end_time=stamp(self.clock()))
            done.pop('started')
            if self.fail:
                done.update(healthy=False, plan_attempt_log=done['plan_attempt_log'] + [{
                    'step_id': 'plan-completed', 'status': 'error',
                    'info_log': [{'message': 'Plan change failed: instances did not start', 'failure_type': 'ClusterFailure:NoStart'}]}])
                if self.failed_in == 'history':
                    self.history.append(done)
                else:
                    self.history.append(self.current)
                    self.current = done
            else:
                self.history.append(self.current)
                self.current = done
            self.pending, self.accepted_at = None, None

    def body(self, history):
        self._advance()
        plan_info = {'healthy': not self.fail or self.accepted_at is None, 'current': copy.deepcopy(self.current),
                     'history': copy.deepcopy(self.history) if history else []}
        if self.pending:
            plan_info['pending'] = {k: v for k, v in copy.deepcopy(self.pending).items() if k != 'started'}
        return {'id': DEP_ID, 'name': 'search-prod', 'resources': {'elasticsearch': [
            {'ref_id': 'main-elasticsearch', 'region': 'ece-region', 'info': {'plan_info': plan_info}}]}}

    def find(self, wanted, history=False):
        self.calls.append('find')
        if wanted not in (DEP_ID, 'search-prod'):
            raise EceError('No deployment has the name %s.' % wanted)
        return self.body(history), str(self.version)

    def get(self, deployment_id, history=False, logs=False):
        self.calls.append('get')
        return self.body(history), str(self.version)

    def update_plan(self, deployment_id, body, version, label=None):
        self.calls.append('put')
        if self.check_mode:
            return None
        if self.before_put is not None:
            change, self.before_put = self.before_put, None
            change(self)
        # The refusals follow the register (tests/ece_behaviours.yml), in the reading this fake plays.
        if version != str(self.version):
            raise VersionConflict(EceApiError('conflict', 'PUT', 'u', status=reading('version_conflict_status', self.which),
                                              errors=[{'code': reading('version_conflict_code', self.which)}]))
        if self.pending or self.accepted_at is not None:  # also a plan change that does not show as pending yet
            raise VersionConflict(EceApiError('pending', 'PUT', 'u', status=reading('plan_pending_status', self.which),
                                              errors=[{'code': 'deployments.resource_plan_state_error'}]))
        self.puts.append(copy.deepcopy(body))
        self.version += 1
        self._next_plan = body['resources']['elasticsearch'][0]['plan']
        self.accepted_at = self.clock()
        return {}


class FakeExtensions:
    def __init__(self, *extensions):
        self.extensions = list(extensions)

    def list(self):
        return copy.deepcopy(self.extensions)

    def get(self, extension_id, include_deployments=False):
        return next((copy.deepcopy(e) for e in self.extensions if e['id'] == extension_id), None)


SYNONYMS = {'id': '11', 'name': 'synonyms', 'extension_type': 'bundle', 'version': '8.*', 'url': 'repo://11',
            'file_metadata': {'size': 3, 'last_modified_date': stamp(0)}}
PLUGIN = {'id': '12', 'name': 'analysis', 'extension_type': 'plugin', 'version': '8.14.0', 'url': 'repo://12',
          'file_metadata': {'size': 3, 'last_modified_date': stamp(0)}}
BARE = {'id': '13', 'name': 'bare', 'extension_type': 'bundle', 'version': '*', 'url': 'repo://13'}


def params(**overrides):
    out = dict(deployment='search-prod', ref_id=None, extensions=['synonyms'], state='present', exclusive=False,
               reload='never', wait=True, wait_timeout=600)
    out.update(overrides)
    return out


def run(deps, clock, exts=(SYNONYMS, PLUGIN, BARE), **overrides):
    warnings = []
    result = DeploymentExtensions(deps, FakeExtensions(*exts), params(**overrides), warn=warnings.append,
                                  clock=clock, sleep=clock.sleep).run()
    return result, warnings


def test_attach_then_again_without_a_write():
    clock = Clock()
    deps = FakeDeployments(clock, bundles=[{'name': 'ui', 'url': 'repo://99', 'elasticsearch_version': '8.15.1'}])
    result, _warnings = run(deps, clock)
    assert result['changed'] and result['plan']['status'] == 'success' and result['plan']['attempt_id'] == 'n1'
    assert [e['url'] for e in result['user_bundles']] == ['repo://99', 'repo://11']
    sent = deps.puts[0]
    assert sent['prune_orphans'] is False and sent['resources']['elasticsearch'][0]['plan']['cluster_topology'] == [{'id': 'hot'}]
    again, _warnings = run(deps, clock)
    assert not again['changed'] and 'put' not in deps.calls[deps.calls.index('put') + 1:]
    assert len(deps.puts) == 1


def test_polls_start_at_two_seconds_grow_and_never_hammer():
    clock = Clock()
    deps = FakeDeployments(clock, duration=60.0)
    run(deps, clock)
    assert clock.sleeps[0] == pytest.approx(2.0)
    assert all(b >= a for a, b in zip(clock.sleeps, clock.sleeps[1:]))
    assert max(clock.sleeps) <= 30.0


def test_pending_that_appears_late_is_waited_for():
    clock = Clock()
    deps = FakeDeployments(clock, appear_after=7.0, duration=3.0)
    result, _warnings = run(deps, clock)
    assert result['plan']['status'] == 'success' and result['plan']['attempt_id'] == 'n1'
    assert clock.now >= 10.0, 'the first polls that found nothing pending must not end the wait'


@pytest.mark.parametrize('failed_in', ['history', 'current'])
def test_failed_plan_fails_with_its_message_type_and_attempt(failed_in):
    clock = Clock()
    deps = FakeDeployments(clock, fail=True, failed_in=failed_in)
    with pytest.raises(EceError) as info:
        run(deps, clock)
    msg = info.value.msg
    assert 'instances did not start' in msg and 'ClusterFailure:NoStart' in msg and 'n1' in msg
    assert 'previous plan keeps running' in msg
    assert info.value.details['plan']['status'] == 'error'
    # The next run computes from the plan that runs, so it tries again rather than believing it attached.
    deps.fail = False
    result, _warnings = run(deps, clock)
    assert result['changed'] and result['plan']['status'] == 'success'


def test_plan_pending_at_the_start_is_waited_for_before_the_put():
    clock = Clock()
    deps = FakeDeployments(clock, duration=9.0)
    deps._next_plan = copy.deepcopy(deps.current['plan'])
    deps.accepted_at = 0.0
    result, _warnings = run(deps, clock)
    assert result['changed'] and len(deps.puts) == 1
    assert clock.now >= 9.0
    assert result['plan']['attempt_id'] == 'n2'


@pytest.mark.parametrize('which', ['default', 'flipped'])
def test_a_pending_plan_that_shows_only_late_is_waited_for_after_the_refusal(which):
    """Someone else's plan change is accepted but not shown yet: our PUT is refused, we wait, then attach."""
    clock = Clock()
    deps = FakeDeployments(clock, duration=4.0, appear_after=3.0, which=which)
    deps._next_plan = copy.deepcopy(deps.current['plan'])
    deps.accepted_at = 0.0
    result, _warnings = run(deps, clock)
    assert result['changed'] and result['plan']['status'] == 'success' and len(deps.puts) == 1
    assert deps.calls.count('put') >= 2 and clock.now >= 7.0
    assert clock.sleeps[:2] == [2.0, 4.0]  # after each refusal, time for the pending plan to show


@pytest.mark.parametrize('which', ['default', 'flipped'])
def test_a_version_conflict_in_either_reading_is_read_again(which):
    clock = Clock()
    deps = FakeDeployments(clock, which=which)
    deps.before_put = lambda d: setattr(d, 'version', d.version + 1)
    result, _warnings = run(deps, clock)
    assert result['changed'] and deps.calls.count('put') == 2 and len(deps.puts) == 1


def test_concurrent_change_between_read_and_put_is_kept():
    clock = Clock()
    deps = FakeDeployments(clock)

    def someone_else(d):
        d.current['plan']['elasticsearch']['user_bundles'] = [{'name': 'theirs', 'url': 'repo://77', 'elasticsearch_version': '8.*'}]
        d.version += 1
    deps.before_put = someone_else
    result, _warnings = run(deps, clock)
    assert [e['url'] for e in result['user_bundles']] == ['repo://77', 'repo://11']
    assert deps.calls.count('put') == 2 and len(deps.puts) == 1


def test_update_that_arrived_although_its_answer_was_lost_is_adopted():
    clock = Clock()
    deps = FakeDeployments(clock)
    real_update = deps.update_plan

    def applied_then_conflict(deployment_id, body, version, label=None):
        # The first try went through, its answer was lost; the client's retry meets the bumped version.
        real_update(deployment_id, body, version)
        raise VersionConflict(EceApiError('conflict', 'PUT', 'u', status=400, errors=[{'code': 'deployments.version_conflict'}]))
    deps.update_plan = applied_then_conflict
    result, _warnings = run(deps, clock)
    assert result['changed'] and result['plan']['status'] == 'success' and result['plan']['attempt_id'] == 'n1'
    assert len(deps.puts) == 1


def test_endless_conflicts_give_up_with_nothing_changed():
    clock = Clock()
    deps = FakeDeployments(clock)

    def always_conflict(*_args, **_kwargs):
        raise VersionConflict(EceApiError('conflict', 'PUT', 'u', status=400))
    deps.update_plan = always_conflict
    with pytest.raises(EceError, match='changed while this task updated it'):
        run(deps, clock)


@pytest.mark.parametrize('extensions, needle', [
    (['analysis'], '8.14.0'),
    (['bare'], 'no archive'),
    (['nothing-like-it'], 'No extension is named'),
    ([{'id': '404'}], 'No extension has id 404'),
])
def test_refusals_send_no_write(extensions, needle):
    clock = Clock()
    deps = FakeDeployments(clock)
    with pytest.raises(EceError, match=needle):
        run(deps, clock, extensions=extensions)
    assert 'put' not in deps.calls


def test_check_mode_predicts_and_sends_nothing():
    clock = Clock()
    deps = FakeDeployments(clock, check_mode=True)
    result, _warnings = run(deps, clock)
    assert result['changed'] and [e['url'] for e in result['user_bundles']] == ['repo://11'] and 'plan' not in result
    assert deps.puts == []


def test_stale_warning_with_reload_never_and_reload_with_stale():
    clock = Clock()
    newer = dict(SYNONYMS, file_metadata={'size': 3, 'last_modified_date': stamp(30)})
    deps = FakeDeployments(clock, bundles=[{'name': 'synonyms', 'url': 'repo://11', 'elasticsearch_version': '8.*'}])
    result, warnings = run(deps, clock, exts=(newer,))
    assert not result['changed'] and result['stale'] == ['synonyms']
    assert 'reload=stale' in warnings[0] and 'synonyms' in warnings[0]
    clock.now = 31.0
    result, warnings = run(deps, clock, exts=(newer,), reload='stale')
    assert result['changed'] and result['plan']['status'] == 'success' and result['stale'] == []
    assert deps.puts[0]['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles'] == \
        [{'name': 'synonyms', 'url': 'repo://11', 'elasticsearch_version': '8.*'}]
    result, _warnings = run(deps, clock, exts=(newer,), reload='stale')
    assert not result['changed']


def test_wait_timeout_fails_saying_the_plan_goes_on():
    clock = Clock()
    deps = FakeDeployments(clock, duration=1000.0)
    with pytest.raises(EceError, match='goes on in ECE') as info:
        run(deps, clock, wait_timeout=20)
    assert clock.now <= 20.0 + 1e-9
    assert info.value.details['plan']['status'] == 'pending'


def test_wait_false_returns_pending():
    clock = Clock()
    deps = FakeDeployments(clock)
    result, _warnings = run(deps, clock, wait=False)
    assert result['plan'] == {'attempt_id': 'n1', 'status': 'pending', 'duration_seconds': None}
    assert clock.sleeps == []


def test_wait_false_looks_until_a_late_attempt_shows_so_deployment_plan_finds_it():
    """The register's plan-pending-late reading: the attempt shows a few seconds after the update."""
    clock = Clock()
    deps = FakeDeployments(clock, appear_after=4.0, duration=60.0)
    result, warnings = run(deps, clock, wait=False)
    assert result['plan'] == {'attempt_id': 'n1', 'status': 'pending', 'duration_seconds': None}
    assert 4.0 <= clock.now <= 5.0 and warnings == []


def test_wait_false_warns_when_the_attempt_does_not_show_within_the_look():
    clock = Clock()
    deps = FakeDeployments(clock, appear_after=300.0)
    result, warnings = run(deps, clock, wait=False)
    assert result['plan'] == {'attempt_id': None, 'status': 'pending', 'duration_seconds': None}
    assert 29.0 <= clock.now <= 31.0
    assert len(warnings) == 1 and 'had not shown as pending after 30 seconds' in warnings[0]
    assert 'deployment_plan' in warnings[0]


@pytest.mark.parametrize('items, needle', [
    ([{'nme': 'x'}], 'unknown key nme'),
    ([{'elasticsearch_version': '8.*'}], 'needs name or id'),
    ([['x']], 'must be an extension name'),
    ([{'name': ''}], 'non-empty string'),
])
def test_bad_items(items, needle):
    with pytest.raises(EceError, match=needle):
        parse_items(items)


def test_id_given_as_a_number_is_read_as_a_string():
    assert parse_items([{'id': 4226448541}]) == [{'name': None, 'id': '4226448541', 'elasticsearch_version': None, 'replaces': []}]


def test_each_new_plan_step_and_the_end_are_reported():
    from ansible_collections.ece.platform.plugins.module_utils import _progress
    events = []
    previous = _progress.set_reporter(lambda event, fields: events.append((event, fields)))
    try:
        clock = Clock()
        run(FakeDeployments(clock, duration=5.0), clock)
    finally:
        _progress.set_reporter(previous)
    steps = [fields for event, fields in events if event == 'plan_step']
    assert [step['step_id'] for step in steps] == ['validate-plan-prerequisites'], 'a step is reported once, not per poll'
    assert steps[0]['attempt_id'] == 'n1' and steps[0]['deployment'].startswith('search-prod')
    done = [fields for event, fields in events if event == 'plan_done']
    assert len(done) == 1 and done[0]['status'] == 'success' and done[0]['attempt_id'] == 'n1'


def test_a_failing_read_while_waiting_says_the_change_was_accepted():
    clock = Clock()
    deps = FakeDeployments(clock, duration=30.0)
    real_get = deps.get

    def get(deployment_id, history=False, logs=False):
        if deps.puts:
            raise EceApiError('Reading deployment x failed: ECE answered HTTP 500.', 'GET', 'u', status=500)
        return real_get(deployment_id, history, logs)
    deps.get = get
    with pytest.raises(EceError) as info:
        run(deps, clock)
    assert 'accepted the plan change' in info.value.msg and 'HTTP 500' in info.value.msg
    assert info.value.details['changed'] is True and info.value.details['status'] == 500


def test_exclusive_with_an_empty_list_fails_before_any_request():
    clock = Clock()
    deps = FakeDeployments(clock, bundles=[{'name': 'ui', 'url': 'repo://99', 'elasticsearch_version': '8.15.1'}])
    with pytest.raises(EceError, match='allow_empty=true') as caught:
        run(deps, clock, extensions=[], exclusive=True)
    assert 'Nothing was sent' in caught.value.msg
    assert deps.calls == [] and deps.puts == []


def test_exclusive_with_an_empty_list_and_allow_empty_detaches_everything():
    clock = Clock()
    deps = FakeDeployments(clock, bundles=[{'name': 'ui', 'url': 'repo://99', 'elasticsearch_version': '8.15.1'}])
    result, _warnings = run(deps, clock, extensions=[], exclusive=True, allow_empty=True)
    assert result['changed'] and result['user_bundles'] == []


FIXED = {'id': '14', 'name': 'analysis-fixed', 'extension_type': 'plugin', 'version': '8.15.1', 'url': 'repo://14',
         'file_metadata': {'size': 3, 'last_modified_date': stamp(0)}}
FAULTY = dict(FIXED, id='15', name='analysis-faulty', url='repo://15')


def test_swap_with_replaces_is_one_put_with_the_strategy_and_idempotent():
    clock = Clock()
    deps = FakeDeployments(clock)
    run(deps, clock, exts=(SYNONYMS, FIXED, FAULTY), extensions=['analysis-faulty', 'synonyms'])
    assert len(deps.puts) == 1 and 'transient' not in deps.puts[0]['resources']['elasticsearch'][0]['plan']
    result, _warnings = run(deps, clock, exts=(SYNONYMS, FIXED, FAULTY), strategy='rolling',
                            extensions=[{'name': 'analysis-fixed', 'replaces': ['analysis-faulty']}])
    assert len(deps.puts) == 2 and result['attached'] == ['analysis-fixed'] and result['detached'] == ['analysis-faulty']
    sent = deps.puts[1]['resources']['elasticsearch'][0]['plan']
    assert [e['url'] for e in sent['elasticsearch']['user_plugins']] == ['repo://14']
    assert [e['url'] for e in sent['elasticsearch']['user_bundles']] == ['repo://11']
    assert sent['transient'] == {'strategy': {'rolling': {'group_by': '__name__'}}}
    again, _warnings = run(deps, clock, exts=(SYNONYMS, FIXED, FAULTY), strategy='rolling',
                           extensions=[{'name': 'analysis-fixed', 'replaces': ['analysis-faulty']}])
    assert not again['changed'] and len(deps.puts) == 2


@pytest.mark.parametrize('attached', [[], [{'name': 'analysis', 'url': 'repo://12', 'elasticsearch_version': '8.15.1'}]])
def test_explicit_elasticsearch_version_does_not_skip_the_plugin_check_also_when_attached(attached):
    clock = Clock()
    deps = FakeDeployments(clock)
    deps.current['plan']['elasticsearch']['user_plugins'] = attached
    with pytest.raises(EceError, match='its version 8.14.0 differs from the Elasticsearch version 8.15.1'):
        run(deps, clock, extensions=[{'name': 'analysis', 'elasticsearch_version': '8.15.1'}])
    assert 'put' not in deps.calls


def test_diff_shows_a_reload_only_change():
    clock = Clock()
    newer = dict(SYNONYMS, file_metadata={'size': 3, 'last_modified_date': stamp(30)})
    deps = FakeDeployments(clock, bundles=[{'name': 'synonyms', 'url': 'repo://11', 'elasticsearch_version': '8.*'}])
    clock.now = 31.0
    result, _warnings = run(deps, clock, exts=(newer,), reload='stale', wait=False)
    assert result['changed'] and result['diff']['after']['reload'] == ['synonyms'] and 'reload' not in result['diff']['before']


def test_detaching_a_label_left_by_a_rename_warns_and_detaches():
    clock = Clock()
    renamed = dict(SYNONYMS, name='synonyms-v2')
    deps = FakeDeployments(clock, bundles=[{'name': 'synonyms', 'url': 'repo://11', 'elasticsearch_version': '8.*'}])
    result, warnings = run(deps, clock, exts=(renamed,), extensions=['synonyms'], state='absent')
    assert result['detached'] == ['synonyms'] and deps.puts[0]['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles'] == []
    assert any('labelled synonyms' in w and 'synonyms-v2' in w for w in warnings)


def test_empty_deployment_is_refused_before_any_request():
    clock = Clock()
    deps = FakeDeployments(clock)
    with pytest.raises(EceError, match='Option deployment is empty'):
        run(deps, clock, deployment='  ')
    assert deps.calls == []


def test_a_version_only_in_the_topology_is_sent_at_plan_level_too():
    # Register omitted-version: no plan leaves ECE to choose the version.
    clock = Clock()
    deps = FakeDeployments(clock)
    plan = deps.current['plan']
    plan['cluster_topology'] = [{'id': 'hot', 'elasticsearch': {'version': '8.15.1'}}]
    del plan['elasticsearch']['version']
    result, _warnings = run(deps, clock)
    assert result['changed']
    sent = deps.puts[0]['resources']['elasticsearch'][0]['plan']
    assert sent['elasticsearch']['version'] == '8.15.1' and sent['cluster_topology'] == plan['cluster_topology']


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_a_plan_without_any_version_is_never_sent(state):
    clock = Clock()
    deps = FakeDeployments(clock, bundles=[{'name': 'synonyms', 'url': 'repo://11', 'elasticsearch_version': '*'}])
    del deps.current['plan']['elasticsearch']['version']
    with pytest.raises(EceError, match='names no Elasticsearch version.*could upgrade the deployment; nothing was changed'):
        run(deps, clock, state=state)
    assert 'put' not in deps.calls
