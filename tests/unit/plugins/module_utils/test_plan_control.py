# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ece.platform.deployment_plan's logic on an in-memory deployment: wait, cancel, check mode, timeout, failures."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._plan_control import PlanControl, resources_of
from ansible_collections.ece.platform.plugins.module_utils._plan_wait import PlanTimeout
from ansible_collections.ece.platform.tests.unit.ece_register import both, reading

DEP_ID = 'e' * 32


def stamp(seconds):
    return '2026-12-01T10:%02d:%02d.000Z' % divmod(int(seconds), 60)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeDeployments:
    """A deployment with an Elasticsearch and a Kibana resource; `pending` maps kind -> (seconds until it ends, fails)."""

    def __init__(self, clock, pending=None, check_mode=False, failed_in='history', cancelled_attempt=None):
        self.clock, self.check_mode, self.failed_in = clock, check_mode, failed_in
        # Register cancelled-attempt: `history` keeps a cancelled attempt (ended with an error), `removed` drops it.
        self.cancelled_attempt = cancelled_attempt or reading('cancelled_attempt')
        self.calls, self.cancels = [], []
        self.state = {}
        for kind in ('elasticsearch', 'kibana'):
            self.state[kind] = {'current': {'plan_attempt_id': kind + '-0', 'healthy': True, 'attempt_start_time': stamp(0),
                                            'attempt_end_time': stamp(0), 'plan': {}}, 'history': [], 'pending': None, 'ends': None}
        for kind, (seconds, fails) in (pending or {}).items():
            self.state[kind].update(pending={'plan_attempt_id': kind + '-1', 'healthy': True, 'attempt_start_time': stamp(0),
                                             'plan': {}, 'plan_attempt_log': []}, ends=seconds, fails=fails)

    def _advance(self):
        for kind, state in self.state.items():
            if state['pending'] is not None and self.clock() >= state['ends']:
                done = dict(state['pending'], attempt_end_time=stamp(self.clock()))
                if state['fails'] and self.failed_in == 'history':
                    done.update(healthy=False, error={'message': state['fails']})
                    state['history'].append(done)
                elif state['fails']:
                    done.update(healthy=False, error={'message': state['fails']})
                    state['history'].append(state['current'])
                    state['current'] = done
                else:
                    state['history'].append(state['current'])
                    state['current'] = done
                state['pending'] = None

    def body(self, history):
        self._advance()
        resources = {}
        for kind, state in self.state.items():
            info = {'current': copy.deepcopy(state['current']), 'history': copy.deepcopy(state['history']) if history else []}
            if state['pending']:
                info['pending'] = copy.deepcopy(state['pending'])
            resources[kind] = [{'ref_id': 'main-' + kind, 'info': {'plan_info': info}}]
        return {'id': DEP_ID, 'name': 'search-prod', 'resources': resources}

    def find(self, wanted, history=False):
        self.calls.append('find')
        return self.body(history), '3'

    def get(self, deployment_id, history=False, logs=False):
        self.calls.append('get')
        return self.body(history), '3'

    def cancel_pending(self, deployment_id, kind, ref_id, label=None):
        self.calls.append('cancel')
        if self.check_mode:
            return None
        self.cancels.append((kind, ref_id, label))
        state = self.state[kind]
        if state['pending'] is not None and self.cancelled_attempt == 'removed':
            state['pending'] = None
        elif state['pending'] is not None:
            state.update(ends=self.clock(), fails='Plan change cancelled')
        return {}


def run(deps, clock, **params):
    full = dict(deployment='search-prod', ref_id=None, state='finished', wait_timeout=600)
    full.update(params)
    return PlanControl(deps, full, clock=clock, sleep=clock.sleep).run()


def test_nothing_pending_reports_no_attempts_and_sends_no_write():
    clock = Clock()
    deps = FakeDeployments(clock)
    for state in ('finished', 'cancelled'):
        result = run(deps, clock, state=state)
        assert result['attempts'] == [] and not result['changed'] and 'No plan change' in result['msg']
    assert 'cancel' not in deps.calls


def test_finished_waits_for_every_resource_and_reports_each():
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (10, None), 'kibana': (40, None)})
    result = run(deps, clock)
    assert not result['changed'] and clock.now >= 40
    assert [(a['resource'], a['ref_id'], a['attempt_id'], a['status']) for a in result['attempts']] == [
        ('elasticsearch', 'main-elasticsearch', 'elasticsearch-1', 'success'), ('kibana', 'main-kibana', 'kibana-1', 'success')]
    assert result['attempts'][1]['duration_seconds'] >= 40


def test_finished_fails_when_one_failed_naming_it():
    clock = Clock()
    deps = FakeDeployments(clock, pending={'kibana': (5, 'Kibana did not start')})
    with pytest.raises(EceError, match='kibana main-kibana \\(attempt kibana-1\\): Kibana did not start') as info:
        run(deps, clock)
    assert info.value.details['attempts'][0]['status'] == 'error'


def test_ref_id_selects_one_resource_and_an_unknown_one_is_named():
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (10, None), 'kibana': (10, None)})
    result = run(deps, clock, ref_id='main-kibana', state='cancelled')
    assert deps.cancels == [('kibana', 'main-kibana', 'search-prod (id %s)' % DEP_ID)]
    assert [(a['resource'], a['status']) for a in result['attempts']] == [('kibana', 'cancelled')] and result['changed']
    with pytest.raises(EceError, match='no resource with ref_id nope; it has elasticsearch main-elasticsearch, kibana main-kibana'):
        resources_of(deps.body(False), 'nope')


def test_check_mode_cancels_nothing_and_does_not_wait():
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (100, None)}, check_mode=True)
    result = run(deps, clock, state='cancelled')
    assert result['changed'] and deps.cancels == [] and clock.now == 0
    assert result['attempts'][0]['status'] == 'pending' and 'the real run cancels' in result['msg']
    result = run(deps, clock)
    assert not result['changed'] and clock.now == 0


def test_timeout_says_the_outcome_is_unknown_and_the_plan_goes_on():
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (1000, None)})
    with pytest.raises(PlanTimeout) as info:
        run(deps, clock, wait_timeout=30)
    assert 'goes on in ECE' in info.value.msg and 'outcome is unknown' in info.value.msg
    assert info.value.details['attempts'][0]['status'] == 'pending' and clock.now <= 30 + 1e-9


@pytest.mark.parametrize('params, needle', [
    ({'deployment': ''}, 'Option deployment is empty'),
    ({'wait_timeout': -1}, 'must not be negative'),
])
def test_bad_input_before_any_request(params, needle):
    clock = Clock()
    deps = FakeDeployments(clock)
    with pytest.raises(EceError, match=needle):
        run(deps, clock, **params)
    assert deps.calls == []


@pytest.mark.parametrize('failed_in', ['history', 'current'])
def test_a_cancelled_attempt_is_found_wherever_ece_reports_it(failed_in):
    # Register cancelled-attempt: where ECE puts a cancelled attempt is not documented; either place works.
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (100, None)}, failed_in=failed_in)
    result = run(deps, clock, state='cancelled')
    assert [(a['attempt_id'], a['status'], a['message']) for a in result['attempts']] == [
        ('elasticsearch-1', 'cancelled', 'Plan change cancelled')]
    assert clock.now < 100


@pytest.mark.parametrize('cancelled_attempt', both('cancelled_attempt'))
def test_a_cancel_ends_promptly_whether_ece_keeps_the_attempt_or_not(cancelled_attempt):
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (100, None), 'kibana': (100, None)}, cancelled_attempt=cancelled_attempt)
    result = run(deps, clock, state='cancelled', wait_timeout=60)
    assert result['changed'] and clock.now < 60
    assert [(a['attempt_id'], a['status']) for a in result['attempts']] == [('elasticsearch-1', 'cancelled'), ('kibana-1', 'cancelled')]
    if cancelled_attempt == 'removed':
        assert result['attempts'][0]['duration_seconds'] is None and 'no record' in result['attempts'][0]['message']
    assert 'Cancelled the pending plan changes' in result['msg']


def test_an_attempt_that_vanishes_while_waiting_without_a_cancel_is_still_waited_for():
    # Only a cancel explains a vanished attempt; a plain wait keeps waiting and times out saying so.
    clock = Clock()
    deps = FakeDeployments(clock, pending={'elasticsearch': (100, None)})
    original = deps.get

    def get_then_vanish(deployment_id, history=False, logs=False):
        deps.state['elasticsearch']['pending'] = None
        return original(deployment_id, history, logs)
    deps.get = get_then_vanish
    with pytest.raises(PlanTimeout):
        run(deps, clock, wait_timeout=30)
