"""The emulator keeps each attempt's transient strategy (GET /_emulator/deployments/{id}/attempts) and cancels
a pending attempt gracefully (a history entry) or with force_delete (none)."""

import requests

from deployments_helpers import codes, update_body

ROLLING_ALL = {'rolling': {'group_by': '__all__'}}


def attempts(emu, dep_id):
    reply = requests.get(emu.control('/deployments/%s/attempts' % dep_id), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()['attempts']


def put_with(deps, dep_id, transient=None):
    body = update_body(deps.get(dep_id, clear_transient='true').json(), [], [])
    if transient is not None:
        body['resources']['elasticsearch'][0]['plan']['transient'] = transient
    reply = deps.put(dep_id, body)
    assert reply.status_code == 200, reply.text


def test_each_attempt_keeps_the_strategy_it_was_sent_with(deps, emu):
    dep = deps.create()
    put_with(deps, dep['id'], {'strategy': ROLLING_ALL})
    deps.wait_settled(dep['id'])
    put_with(deps, dep['id'])
    deps.wait_settled(dep['id'])
    seen = attempts(emu, dep['id'])
    assert [(a['action'], a['status'], a['strategy']) for a in seen] == [
        ('deployments.create-deployment', 'success', None),
        ('deployments.update-deployment', 'success', ROLLING_ALL),
        ('deployments.update-deployment', 'success', None)]
    # ECE drops transient from an ended plan: the GET no longer shows it.
    info = deps.plan_info(dep['id'])
    assert all('transient' not in a['plan'] for a in info['history'] + [info['current']])
    missing = requests.get(emu.control('/deployments/%s/attempts' % ('0' * 32)), timeout=10)
    assert missing.status_code == 404


def test_pending_attempt_shows_as_pending_with_its_strategy(deps, emu):
    dep = deps.create()
    deps.plans(seconds=30, pending_appears_after=30)
    put_with(deps, dep['id'], {'strategy': {'grow_and_shrink': {}}})
    last = attempts(emu, dep['id'])[-1]
    assert (last['status'], last['strategy']) == ('pending', {'grow_and_shrink': {}})


def test_cancel_graceful_leaves_history_force_delete_does_not(deps, emu):
    dep = deps.create()
    path = '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id']
    deps.plans(seconds=30)
    put_with(deps, dep['id'])
    assert deps.call('DELETE', path).status_code == 200
    assert [a['plan_attempt_name'] for a in deps.plan_info(dep['id'])['history']] == ['attempt-0000000002']
    put_with(deps, dep['id'])
    assert deps.call('DELETE', path, params={'force_delete': 'true'}).status_code == 200
    info = deps.plan_info(dep['id'])
    assert 'pending' not in info and [a['plan_attempt_name'] for a in info['history']] == ['attempt-0000000002']
    nothing = deps.call('DELETE', path, params={'force_delete': 'true'})
    assert nothing.status_code == 400 and codes(nothing) == ['deployments.resource_does_not_have_a_pending_plan']


def test_a_malformed_strategy_is_refused_and_starts_no_attempt(deps, emu):
    dep = deps.create()
    for strategy in ({}, {'rolling': {}, 'autodetect': {}}, {'fastest': {}}, {'rolling': {'group_by': 'rack'}}, {'autodetect': []}):
        body = update_body(deps.get(dep['id']).json(), [], [])
        body['resources']['elasticsearch'][0]['plan']['transient'] = {'strategy': strategy}
        reply = deps.put(dep['id'], body)
        assert reply.status_code == 400 and codes(reply) == ['clusters.cluster_invalid_plan'], strategy
        assert reply.json()['errors'][0]['fields'] == ['resources.elasticsearch[0].plan.transient.strategy']
    assert len(attempts(emu, dep['id'])) == 1
    put_with(deps, dep['id'], {'strategy': {'rolling': {'group_by': 'logical_zone_name'}}})
    assert attempts(emu, dep['id'])[-1]['strategy'] == {'rolling': {'group_by': 'logical_zone_name'}}
