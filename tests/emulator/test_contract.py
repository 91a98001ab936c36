"""The emulator's real responses, validated against Elastic's Swagger for the extensions endpoints.

The Swagger lives outside the repository, in the research folder (<repo>/../shared/ece-api/); without
it these tests skip. Schemas are resolved against the whole document, as Swagger's `#/definitions/...`
references require, and `date-time` / `uri` formats are really checked.

One known gap between the Swagger and the real server: ECE sends `"deployments": null` unless
`include_deployments=true` (ecctl's recorded replies show it; CONTRACT.md requires it), while the Swagger
types the field as a plain array. `_without_null_deployments` allows exactly that null and nothing else.
"""

import datetime
import json
import os
import urllib.parse

import pytest
import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SWAGGER = os.path.join(os.path.dirname(REPO), 'shared', 'ece-api', 'extensions-swagger.json')
BASE_URI = 'urn:ece-extensions-swagger'
COLLECTION, ITEM = '/deployments/extensions', '/deployments/extensions/{extension_id}'


def _without_null_deployments(body):
    """A copy of an Extension / Extensions body minus `deployments: null` (see the module docstring)."""
    if isinstance(body, dict) and isinstance(body.get('extensions'), list):
        return dict(body, extensions=[_without_null_deployments(ext) for ext in body['extensions']])
    if isinstance(body, dict) and 'id' in body and body.get('deployments', []) is None:
        return {key: value for key, value in body.items() if key != 'deployments'}
    return body


class Contract:
    """Looks up the declared response of an operation and validates a real reply against it."""

    def __init__(self, doc):
        jsonschema = pytest.importorskip('jsonschema', reason='jsonschema is needed to validate against the Swagger')
        referencing = pytest.importorskip('referencing', reason='referencing (a jsonschema dependency) is needed')
        from referencing.jsonschema import DRAFT4  # pylint: disable=import-outside-toplevel
        self.doc = doc
        self._registry = referencing.Registry().with_resource(BASE_URI, referencing.Resource(contents=doc, specification=DRAFT4))
        self._checker = jsonschema.FormatChecker()
        self._checker.checks('date-time', raises=ValueError)(lambda value: not isinstance(value, str) or datetime.datetime.fromisoformat(value))
        self._checker.checks('uri')(lambda value: not isinstance(value, str) or bool(urllib.parse.urlsplit(value).scheme))
        self._validator_class = jsonschema.Draft4Validator  # Swagger 2.0 schemas are JSON Schema draft 4

    def validate(self, instance, schema):
        """Validate against a Swagger schema; local `#/...` refs point into the whole document."""
        if '$ref' in schema and schema['$ref'].startswith('#'):
            schema = dict(schema, **{'$ref': BASE_URI + schema['$ref']})
        self._validator_class(schema, registry=self._registry, format_checker=self._checker).validate(instance)

    def definition(self, name):
        return {'$ref': '#/definitions/' + name}

    def check(self, path, method, reply, undeclared=False):
        """Validate `reply` as the response of (path, method); return its JSON body.

        `undeclared=True` marks a reply the Swagger does not list (status or error code), such as the
        documented 400 `extensions.extension_in_use`: it must still be a well-formed BasicFailedReply.
        """
        operation = self.doc['paths'][path][method.lower()]
        declared = operation['responses'].get(str(reply.status_code))
        body = reply.json()
        assert reply.headers['Content-Type'] in operation['produces']
        if declared is None:
            assert undeclared and reply.status_code >= 400, 'status %s is not declared for %s %s' % (reply.status_code, method, path)
            schema = self.definition('BasicFailedReply')
        else:
            schema = declared['schema']
        self.validate(_without_null_deployments(body), schema)
        for header, spec in (declared or {}).get('headers', {}).items():
            assert header in reply.headers, header
            if 'enum' in spec and not undeclared:
                assert reply.headers[header] in spec['enum'], (header, reply.headers[header])
        if reply.status_code >= 400:
            assert reply.headers['x-cloud-error-codes'] == ','.join(sorted({error['code'] for error in body['errors']}))
        return body


@pytest.fixture(name='contract', scope='module')
def fixture_contract():
    if not os.path.isfile(SWAGGER):
        pytest.skip('the Swagger file %s is absent (it belongs to the research folder next to the repository)' % SWAGGER)
    with open(SWAGGER, encoding='utf-8') as handle:
        return Contract(json.load(handle))


def _send(contract, client, method, path='', body=None, request_schema=None, **kwargs):
    if body is not None and request_schema:
        contract.validate(body, contract.definition(request_schema))  # the test itself sends valid requests
    return client.call(method, path, json=body, **kwargs)


def test_success_responses_match_the_swagger(contract, client, emu, make_zip):
    create = {'name': 'contract-plugin', 'version': '8.15.1', 'extension_type': 'plugin', 'description': 'checked'}
    ext = contract.check(COLLECTION, 'POST', _send(contract, client, 'POST', body=create, request_schema='CreateExtensionRequest'))
    item = '/' + ext['id']
    requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': ['d1']}, timeout=10).raise_for_status()
    got = contract.check(ITEM, 'GET', client.get(ext['id'], include_deployments='true'))
    assert got['deployments'] == ['d1']
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
    requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': ['d1']}, timeout=10).raise_for_status()
    reply = client.call('DELETE', '/' + ext['id'])
    assert reply.status_code == 400
    assert contract.check(ITEM, 'DELETE', reply, undeclared=True)['errors'][0]['code'] == 'extensions.extension_in_use'
    reply = client_for(emu, None).call('GET')
    assert reply.status_code == 401
    assert contract.check(COLLECTION, 'GET', reply, undeclared=True)['errors'][0]['code'] == 'root.unauthorized'
