"""`POST /deployments/_search` replies (and the requests the tests send) validated against fleet-swagger.json.

The Swagger lives in shared/ece-api/ beside the checkout. Outside CI its absence skips these tests with a
reason; under CI (the `CI` environment variable set, as CI services do) it fails them: there the file must be there.
"""

import os

import pytest
import requests

from deployments_helpers import entry, update_body
from swagger_contract import load_contract, shared_file

SEARCH = '/deployments/_search'


@pytest.fixture(name='contract', scope='module')
def fixture_contract():
    if shared_file('fleet-swagger.json') is None and os.environ.get('CI'):
        pytest.fail('CI is set but shared/ece-api/fleet-swagger.json is missing: the search contract cannot be checked')
    return load_contract('fleet-swagger.json')


def _search(contract, deps, body, **params):
    if body is not None:
        contract.validate(body, contract.definition('SearchRequest'))
    reply = deps.call('POST', '/_search', json=body, params=params)
    return contract.check(SEARCH, 'POST', reply)


def test_hits_match_the_swagger(contract, deps, emu, client, make_zip):
    seed = {'count': 12, 'name_prefix': 'contract-', 'elasticsearch_version': '8.15.1', 'tags': {'team': 'search'}, 'template_id': 'hot-warm'}
    seeded = requests.post(emu.control('/deployments'), json=seed, timeout=30)
    assert seeded.status_code == 201
    first = seeded.json()['deployments'][0]['id']
    ext = client.create(name='contract-bundle', version='8.*', extension_type='bundle')
    client.upload(ext['id'], make_zip())
    deps.plans(seconds=60)
    assert deps.put(first, update_body(deps.get(first).json(), [entry(ext)])).status_code == 200  # a pending plan in a hit
    page = _search(contract, deps, {'size': 5, 'sort': [{'id': {'order': 'asc'}}], 'query': {'bool': {'filter': [
        {'prefix': {'name.keyword': {'value': 'contract-'}}},
        {'nested': {'path': 'metadata.tags', 'query': {'term': {'metadata.tags.key': {'value': 'team'}}}}}]}}})
    assert page['return_count'] == 5 and page['match_count'] == 12
    follow = _search(contract, deps, {'cursor': page['cursor']})
    assert follow['return_count'] == 5
    assert _search(contract, deps, None)['return_count'] == 10
    minimal = _search(contract, deps, {'size': 3}, minimal_metadata='id,name')
    assert minimal['deployments'] == [] and len(minimal['minimal_metadata']) == 3
    requests.post(emu.control('/search'), json={'cursor': False, 'plans_in_hits': False}, timeout=10)
    assert 'cursor' not in _search(contract, deps, {'size': 2, 'from': 2, 'sort': [{'id': {'order': 'desc'}}]})


def test_the_undocumented_refusal_is_a_basic_failed_reply(contract, deps, emu):
    requests.post(emu.control('/search'), json={'strict': True}, timeout=10)
    reply = deps.call('POST', '/_search', json={'size': 20000})
    assert reply.status_code == 400
    contract.check(SEARCH, 'POST', reply, undeclared=True)  # no error status is declared for _search
