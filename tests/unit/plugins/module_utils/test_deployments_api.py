# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployments operations over a fake client: the version guard, check mode at the write, look-ups."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._deployments_api import DeploymentsApi, VersionConflict
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.tests.unit.ece_register import reading

DEP_ID = 'f' * 32


class FakeClient:
    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def request(self, method, path, json_body=None, params=None, response_headers=None, operation=None, **_kwargs):
        self.sent.append((method, path, params))
        self.operations = getattr(self, 'operations', []) + [operation]
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        body, headers = answer
        if response_headers is not None:
            response_headers.update(headers)
        return body


def test_get_keeps_the_resource_version_and_asks_for_plans():
    client = FakeClient([({'id': DEP_ID, 'name': 'd'}, {'x-cloud-resource-version': '7'})])
    body, version = DeploymentsApi(client, check_mode=False).get(DEP_ID, history=True)
    assert body['id'] == DEP_ID and version == '7'
    params = client.sent[0][2]
    assert params['show_plans'] == 'true' and params['show_plan_history'] == 'true' and params['clear_transient'] == 'true'


@pytest.mark.parametrize('which', ['default', 'flipped'])
def test_update_sends_the_version_and_maps_a_conflict(which):
    """Both readings of the register's `deployment-version-conflict` (status and code) are conflicts."""
    conflict = EceApiError('refused', 'PUT', 'u', status=reading('version_conflict_status', which),
                           errors=[{'code': reading('version_conflict_code', which)}])
    client = FakeClient([({}, {}), conflict])
    api = DeploymentsApi(client, check_mode=False)
    api.update_plan(DEP_ID, {'prune_orphans': False}, '7')
    assert client.sent[0][2] == {'validate_only': 'false', 'version': '7'}
    with pytest.raises(VersionConflict):
        api.update_plan(DEP_ID, {'prune_orphans': False}, '7')


@pytest.mark.parametrize('which', ['default', 'flipped'])
def test_a_pending_plan_refusal_is_a_conflict_under_either_status(which):
    refusal = EceApiError('pending', 'PUT', 'u', status=reading('plan_pending_status', which),
                          errors=[{'code': 'deployments.resource_plan_state_error'}])
    with pytest.raises(VersionConflict):
        DeploymentsApi(FakeClient([refusal]), check_mode=False).update_plan(DEP_ID, {}, '1')


def test_other_update_errors_are_not_conflicts():
    client = FakeClient([EceApiError('bad plan', 'PUT', 'u', status=400, errors=[{'code': 'clusters.cluster_invalid_plan'}])])
    with pytest.raises(EceApiError) as info:
        DeploymentsApi(client, check_mode=False).update_plan(DEP_ID, {}, '1')
    assert not isinstance(info.value, VersionConflict)


def test_check_mode_sends_no_update():
    client = FakeClient([])
    assert DeploymentsApi(client, check_mode=True).update_plan(DEP_ID, {}, '1') is None
    assert client.sent == []


def test_find_by_id_then_by_name_and_duplicates():
    missing = EceApiError('not found', 'GET', 'u', status=404)
    listing = {'deployments': [{'id': 'a' * 32, 'name': 'twin'}, {'id': 'b' * 32, 'name': 'twin'}, {'id': 'c' * 32, 'name': 'solo'}]}
    client = FakeClient([missing, (listing, {})])
    with pytest.raises(EceError, match='No deployment has the id or name'):
        DeploymentsApi(client, check_mode=False).find(DEP_ID)
    client = FakeClient([(listing, {})])
    with pytest.raises(EceError, match='2 deployments are named twin') as info:
        DeploymentsApi(client, check_mode=False).find('twin')
    assert 'a' * 32 in info.value.msg and 'b' * 32 in info.value.msg
    client = FakeClient([(listing, {}), ({'id': 'c' * 32, 'name': 'solo'}, {'x-cloud-resource-version': '3'})])
    assert DeploymentsApi(client, check_mode=False).find('solo') == ({'id': 'c' * 32, 'name': 'solo'}, '3')


def test_update_names_the_deployment_by_its_label_when_known():
    client = FakeClient([({}, {}), ({}, {})])
    api = DeploymentsApi(client, check_mode=False)
    api.update_plan(DEP_ID, {}, '1', label='search-prod (id %s)' % DEP_ID)
    api.update_plan(DEP_ID, {}, '1')
    assert client.operations == ['Updating the plan of deployment search-prod (id %s)' % DEP_ID,
                                 'Updating the plan of deployment %s' % DEP_ID]


def test_cancel_pending_is_graceful_tolerates_an_ended_attempt_and_is_a_write():
    client = FakeClient([({'id': DEP_ID, 'kind': 'kibana', 'ref_id': 'main-kibana'}, {})])
    DeploymentsApi(client, check_mode=False).cancel_pending(DEP_ID, 'kibana', 'main-kibana', label='d (id x)')
    assert client.sent == [('DELETE', '/deployments/%s/kibana/main-kibana/plan/pending' % DEP_ID,
                            {'force_delete': 'false', 'ignore_missing': 'true'})]
    assert client.operations == ['Cancelling the pending plan of kibana main-kibana of deployment d (id x)']
    checking = FakeClient([])
    assert DeploymentsApi(checking, check_mode=True).cancel_pending(DEP_ID, 'elasticsearch', 'main-elasticsearch') is None
    assert checking.sent == []


@pytest.mark.parametrize('given, kind', [("{'name': 'prod', 'ece_api_key': 'k-secret'}", 'mapping'), ("['prod', 'staging']", 'list')])
def test_find_refuses_a_mapping_or_list_turned_into_text_before_any_request(given, kind):
    """A dict given as `deployment` reaches the module as its text: refused without a request or an echo of it."""
    client = FakeClient([])
    with pytest.raises(EceError) as caught:
        DeploymentsApi(client, check_mode=False).find(given)
    assert client.sent == []
    assert 'a %s turned into text' % kind in str(caught.value)
    assert 'k-secret' not in str(caught.value) and 'prod' not in str(caught.value)


def test_find_takes_a_name_with_braces_inside():
    client = FakeClient([([], {})])
    client.answers = [({'deployments': []}, {})]
    with pytest.raises(EceError) as caught:
        DeploymentsApi(client, check_mode=False).find('team {search} prod')
    assert 'No deployment has the name team {search} prod' in str(caught.value)
