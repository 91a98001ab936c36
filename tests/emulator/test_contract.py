"""The emulator's real responses, validated against Elastic's Swagger for the extensions endpoints.

The Swagger lives outside the repository, in the research folder (shared/ece-api/ beside the checkout,
found by swagger_contract.py); without it these tests skip.

One known gap between the Swagger and the real server: ECE sends `"deployments": null` unless
`include_deployments=true` (ecctl's recorded replies show it; register: deployments-are-ids), while the Swagger
types the field as a plain array. `_without_null_deployments` allows exactly that null and nothing else.
"""

import pytest
import requests

from swagger_contract import load_contract

COLLECTION, ITEM = '/deployments/extensions', '/deployments/extensions/{extension_id}'
D1 = 'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1'  # a deployment id: ECE lists ids there


def _without_null_deployments(body):
    """A copy of an Extension / Extensions body minus `deployments: null` (see the module docstring)."""
    if isinstance(body, dict) and isinstance(body.get('extensions'), list):
        return dict(body, extensions=[_without_null_deployments(ext) for ext in body['extensions']])
    if isinstance(body, dict) and 'id' in body and body.get('deployments', []) is None:
        return {key: value for key, value in body.items() if key != 'deployments'}
    return body


@pytest.fixture(name='contract', scope='module')
def fixture_contract():
    return load_contract('extensions-swagger.json', _without_null_deployments)


def _send(contract, client, method, path='', body=None, request_schema=None, **kwargs):
    if body is not None and request_schema:
        contract.validate(body, contract.definition(request_schema))  # the test itself sends valid requests
    return client.call(method, path, json=body, **kwargs)


def test_success_responses_match_the_swagger(contract, client, emu, make_zip):
    create = {'name': 'contract-plugin', 'version': '8.15.1', 'extension_type': 'plugin', 'description': 'checked'}
    ext = contract.check(COLLECTION, 'POST', _send(contract, client, 'POST', body=create, request_schema='CreateExtensionRequest'))
    item = '/' + ext['id']
    requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': [D1]}, timeout=10).raise_for_status()
    got = contract.check(ITEM, 'GET', client.get(ext['id'], include_deployments='true'))
    assert got['deployments'] == [D1]
    contract.check(ITEM, 'GET', client.get(ext['id']))
    update = dict(create, description='changed')
    contract.check(ITEM, 'POST', _send(contract, client, 'POST', item, body=update, request_schema='UpdateExtensionRequest'))
    uploaded = contract.check(ITEM, 'PUT', client.call('PUT', item, files={'file': ('Extension', make_zip(), 'application/zip')}))
    assert set(uploaded['file_metadata']) == {'last_modified_date', 'size', 'url'}
    listed = contract.check(COLLECTION, 'GET', client.call('GET'))
    assert listed['extensions'][0]['file_metadata'] == uploaded['file_metadata']
    requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': []}, timeout=10).raise_for_status()
    assert contract.check(ITEM, 'DELETE', client.call('DELETE', item)) == {}


def test_declared_error_responses_match_the_swagger(contract, client, emu):
    missing = '/1234567890'
    valid = {'name': 'x', 'version': '1', 'extension_type': 'bundle'}
    for method, body in (('GET', None), ('POST', valid), ('PUT', None), ('DELETE', None)):
        reply = _send(contract, client, method, missing, body=body)
        assert reply.status_code == 404
        contract.check(ITEM, method, reply)
    reply = _send(contract, client, 'POST', body=dict(valid, download_url='ftp://nowhere/x.zip'))
    assert reply.status_code == 400
    contract.check(COLLECTION, 'POST', reply)
    ext = client.create()
    reply = client.call('PUT', '/' + ext['id'], data=b'not a zip')
    assert reply.status_code == 400
    contract.check(ITEM, 'PUT', reply)
    # The create errors the module must handle on purpose, produced through injected faults.
    emu.fault(method='POST', path='extensions$', status=409, code='extensions.id_already_exists', message='An extension already exists with the generated id.')
    emu.fault(method='POST', path='extensions$', status=404, code='extensions.no_user_id', message='No user id.')
    for status in (409, 404):
        reply = _send(contract, client, 'POST', body=valid)
        assert reply.status_code == status
        contract.check(COLLECTION, 'POST', reply)


def test_documented_deviations_are_still_basic_failed_replies(contract, client, client_for, emu):
    """Replies ECE gives beyond its Swagger (validation, in use, auth) keep the error format."""
    reply = client.call('POST', json={'name': 'bad name', 'version': '1', 'extension_type': 'plugin'})
    assert reply.status_code == 400
    assert contract.check(COLLECTION, 'POST', reply, undeclared=True)['errors'][0]['fields'] == ['body.name']
    ext = client.create()
    requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': [D1]}, timeout=10).raise_for_status()
    reply = client.call('DELETE', '/' + ext['id'])
    assert reply.status_code == 400
    assert contract.check(ITEM, 'DELETE', reply, undeclared=True)['errors'][0]['code'] == 'extensions.extension_in_use'
    reply = client_for(emu, None).call('GET')
    assert reply.status_code == 401
    assert contract.check(COLLECTION, 'GET', reply, undeclared=True)['errors'][0]['code'] == 'root.unauthorized'
