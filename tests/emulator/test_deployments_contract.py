"""The emulator's deployments replies (and the requests the tests send) validated against Elastic's Swagger subset.

The Swagger (shared/ece-api/deployments-swagger.json beside the checkout) is not part of the repository;
without it these tests skip. Every reply must have a status the Swagger declares for its operation,
except 401 on the operations whose subset omits it (marked `undeclared`, still a BasicFailedReply).
"""

import pytest

from deployments_helpers import entry, update_body
from swagger_contract import load_contract

LIST, ITEM = '/deployments', '/deployments/{deployment_id}'
RESOURCE = '/deployments/{deployment_id}/elasticsearch/{ref_id}'
RESTART = RESOURCE + '/_restart'
CANCEL = '/deployments/{deployment_id}/{resource_kind}/{ref_id}/plan/pending'
MISSING_ID = 'fedcba9876543210fedcba9876543210'
EVERY_SWITCH = {'show_plans': 'true', 'show_plan_logs': 'true', 'show_plan_history': 'true', 'show_settings': 'true', 'show_metadata': 'true'}


@pytest.fixture(name='contract', scope='module')
def fixture_contract():
    return load_contract('deployments-swagger.json')


@pytest.fixture(name='bundle')
def fixture_bundle(client, make_zip):
    ext = client.create(name='contract-bundle', version='8.*', extension_type='bundle')
    client.upload(ext['id'], make_zip())
    return ext


def _put(contract, deps, dep_id, body, **params):
    contract.validate(body, contract.definition('DeploymentUpdateRequest'))  # the tests send what the Swagger allows
    return deps.put(dep_id, body, **params)


def _attach(contract, deps, dep_id, bundles, **params):
    return _put(contract, deps, dep_id, update_body(deps.get(dep_id).json(), bundles), **params)


def test_reads_match_the_swagger_in_every_plan_state(contract, deps, bundle):
    dep = deps.create(name='contract')
    created = deps.get(dep['id'])
    contract.validate(dep, contract.definition('DeploymentGetResponse'))  # the control endpoint answers a GET body
    contract.check(ITEM, 'GET', created)
    contract.check(LIST, 'GET', deps.call('GET'))
    deps.plans(seconds=30)
    assert contract.check(ITEM, 'PUT', _attach(contract, deps, dep['id'], [entry(bundle)]))['id'] == dep['id']
    pending = contract.check(ITEM, 'GET', deps.get(dep['id'], **EVERY_SWITCH))
    assert 'pending' in pending['resources']['elasticsearch'][0]['info']['plan_info']
    contract.check(ITEM, 'GET', deps.get(dep['id'], show_plans='false'))
    contract.check(RESOURCE, 'GET', deps.call('GET', '/%s/elasticsearch/main-elasticsearch' % dep['id'], params=EVERY_SWITCH))
    contract.check(CANCEL, 'DELETE', deps.call('DELETE', '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id']))
    deps.plans(seconds=0, fail_next=1, failed_attempt_in='current')
    _attach(contract, deps, dep['id'], [entry(bundle)])
    deps.wait_settled(dep['id'])
    failed = contract.check(ITEM, 'GET', deps.get(dep['id'], **EVERY_SWITCH))
    assert 'error' in failed['resources']['elasticsearch'][0]['info']['plan_info']['current']
    _attach(contract, deps, dep['id'], [entry(bundle)])
    deps.wait_settled(dep['id'])
    contract.check(ITEM, 'GET', deps.get(dep['id'], **EVERY_SWITCH))


def test_writes_match_the_swagger(contract, deps, bundle):
    dep = deps.create()
    checked = contract.check(ITEM, 'PUT', _attach(contract, deps, dep['id'], [entry(bundle)], validate_only='true'))
    assert 'diagnostics' in checked
    contract.check(ITEM, 'PUT', _put(contract, deps, dep['id'], {'prune_orphans': False, 'name': 'renamed'}))
    deps.plans(seconds=30)
    assert deps.call('POST', '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id']).status_code == 202
    busy = deps.call('POST', '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    assert busy.status_code == 422
    contract.check(RESTART, 'POST', busy)
    forced = deps.call('POST', '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'], params={'cancel_pending': 'true'})
    assert contract.check(RESTART, 'POST', forced) == {}


def test_every_refusal_is_a_declared_basic_failed_reply(contract, deps, bundle, client_for, emu):
    dep = deps.create()
    body = update_body(deps.get(dep['id']).json(), [entry(bundle, '7.*')])
    refusals = [
        (404, ITEM, 'PUT', _put(contract, deps, MISSING_ID, body)),
        (404, ITEM, 'GET', deps.get(MISSING_ID)),
        (400, ITEM, 'PUT', deps.put(dep['id'], {'resources': {}})),
        (400, ITEM, 'PUT', _put(contract, deps, dep['id'], body, version='99')),
        (400, ITEM, 'PUT', _put(contract, deps, dep['id'], body)),
        (400, ITEM, 'PUT', _put(contract, deps, dep['id'], update_body(deps.get(dep['id']).json(), [dict(entry(bundle), url='ftp://x/y.zip')]))),
        (404, RESOURCE, 'GET', deps.call('GET', '/%s/elasticsearch/other' % dep['id'])),
        (404, RESTART, 'POST', deps.call('POST', '/%s/elasticsearch/other/_restart' % MISSING_ID)),
        (400, CANCEL, 'DELETE', deps.call('DELETE', '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id'])),
        (404, CANCEL, 'DELETE', deps.call('DELETE', '/%s/elasticsearch/main-elasticsearch/plan/pending' % MISSING_ID)),
    ]
    deps.plans(seconds=30)
    _attach(contract, deps, dep['id'], [entry(bundle)])
    refusals.append((400, ITEM, 'PUT', _put(contract, deps, dep['id'], update_body(deps.get(dep['id']).json(), []))))
    for status, path, method, reply in refusals:
        assert reply.status_code == status, (path, method, reply.text)
        contract.check(path, method, reply)
    anonymous = client_for(emu, None).session
    for path, url in ((LIST, '/api/v1/deployments'), (ITEM, '/api/v1/deployments/' + dep['id'])):
        reply = anonymous.get(emu.url + url, timeout=10)
        assert reply.status_code == 401
        contract.check(path, 'GET', reply)
    reply = anonymous.get(emu.url + '/api/v1/deployments/%s/elasticsearch/main-elasticsearch' % dep['id'], timeout=10)
    assert reply.status_code == 401
    contract.check(RESOURCE, 'GET', reply, undeclared=True)
