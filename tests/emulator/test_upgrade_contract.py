"""The upgrade subset's replies validated against Elastic's Swagger subsets (fleet-swagger.json, deployments-swagger.json).

The Swagger files live in shared/ece-api/ beside the checkout, not in the repository. Outside CI, a
missing file skips these tests (saying which file and where it was looked for); under CI (environment
variable CI set) it fails them, so a CI run cannot pass without the contract being checked.
"""

import os

import pytest
import requests

from deployments_helpers import update_body
from swagger_contract import load_contract, shared_file
from test_upgrade import fixture_plugin, packs, plugin_entry, settle_all, stack, upgrade_body  # noqa: F401 pylint: disable=unused-import

VERSIONS, VERSION = '/stack/versions', '/stack/versions/{version}'
ITEM = '/deployments/{deployment_id}'
EVERY_SWITCH = {'show_plans': 'true', 'show_plan_logs': 'true', 'show_plan_history': 'true'}


def _contract(name):
    if shared_file(name) is None and os.environ.get('CI'):
        pytest.fail('CI is set but shared/ece-api/%s was not found above %s: the contract tests must run in CI.'
                    % (name, os.path.dirname(os.path.abspath(__file__))))
    return load_contract(name)


@pytest.fixture(name='fleet', scope='module')
def fixture_fleet():
    return _contract('fleet-swagger.json')


@pytest.fixture(name='contract', scope='module')
def fixture_contract():
    return _contract('deployments-swagger.json')


def test_stack_versions_match_the_swagger(fleet, emu):
    listed = fleet.check(VERSIONS, 'GET', stack(emu))
    assert len(listed['stacks']) == 7
    assert fleet.check(VERSION, 'GET', stack(emu, '/8.16.0'))['version'] == '8.16.0'
    missing = stack(emu, '/7.0.0')
    assert missing.status_code == 404
    fleet.check(VERSION, 'GET', missing)
    packs(emu, [{'version': '8.15.1', 'upgradable_to': [], 'plugins': [], 'deleted': True}])
    assert fleet.check(VERSIONS, 'GET', stack(emu, show_deleted='true'))['stacks'][0]['deleted'] is True
    assert fleet.check(VERSIONS, 'GET', stack(emu))['stacks'] == []


def test_deployments_with_kibana_and_upgrades_match_the_swagger(contract, deps, emu, plugin):
    old, new = plugin('8.15.1'), plugin('8.16.0')
    dep = deps.create(kibana=True, enabled_built_in_plugins=['analysis-icu'])
    contract.validate(dep, contract.definition('DeploymentGetResponse'))
    contract.check('/deployments', 'GET', deps.call('GET'))
    first = update_body(deps.get(dep['id']).json(), plugins=[plugin_entry(old)])
    contract.validate(first, contract.definition('DeploymentUpdateRequest'))
    contract.check(ITEM, 'PUT', deps.put(dep['id'], first))
    settle_all(deps, dep['id'])
    deps.plans(seconds=30, fail_kibana_next=1)
    body = upgrade_body(deps, dep['id'], '8.16.0', plugins=[plugin_entry(new)], strategy={'rolling': {'group_by': '__all__'}})
    contract.validate(body, contract.definition('DeploymentUpdateRequest'))  # the tests send what the Swagger allows
    contract.check(ITEM, 'PUT', deps.put(dep['id'], body, validate_only='true'))
    contract.check(ITEM, 'PUT', deps.put(dep['id'], body))
    contract.check(ITEM, 'GET', deps.get(dep['id'], **EVERY_SWITCH))  # both resources pending
    refused = deps.put(dep['id'], body)
    assert refused.status_code == 400
    contract.check(ITEM, 'PUT', refused)
    deps.call('DELETE', '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id'])
    deps.plans(seconds=0)
    for version in ('9.9.9', '8.15.0'):
        reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], version))
        assert reply.status_code == 400
        contract.check(ITEM, 'PUT', reply)
    stack_reply = requests.get(emu.url + '/api/v1/stack/versions', timeout=10)
    assert stack_reply.status_code == 401
