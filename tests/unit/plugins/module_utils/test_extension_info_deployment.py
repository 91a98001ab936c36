# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""extension_info deployment=...: the plan's own lists (plan level, topology elements, plain URLs), TRIAL M5."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_info import deployment_uses

DEP = {'id': 'f' * 32, 'name': 'search-prod', 'resources': {'elasticsearch': [{'ref_id': 'main-elasticsearch', 'info': {'plan_info': {
    'current': {'healthy': True, 'plan': {
        'elasticsearch': {'version': '8.15.1',
                          'user_plugins': [{'name': 'raw', 'url': 'https://x/raw.zip', 'elasticsearch_version': '8.15.1'}],
                          'user_bundles': [{'name': 'syn', 'url': 'repo://1', 'elasticsearch_version': '8.*'}]},
        'cluster_topology': [{'id': 'hot_content', 'elasticsearch': {
            'user_bundles': [{'name': 'stop-ui', 'url': 'repo://2', 'elasticsearch_version': '8.15.1'}]}}]}},
    'pending': {'plan': {'elasticsearch': {'user_bundles': [{'name': 'next', 'url': 'repo://3'}]}}}}}}]}}


class Deployments:
    def __init__(self):
        self.asked = []

    def find(self, wanted, history=False):
        self.asked.append(wanted)
        return DEP, '1'


def test_lists_as_the_running_plan_holds_them_and_urls_in_use():
    urls, extra = deployment_uses(Deployments(), 'search-prod')
    assert urls == {'https://x/raw.zip', 'repo://1', 'repo://2', 'repo://3'}  # the pending plan counts as in use
    assert extra['deployment'] == {'id': 'f' * 32, 'name': 'search-prod', 'label': 'search-prod (id %s)' % ('f' * 32)}
    assert extra['user_plugins'] == [{'name': 'raw', 'url': 'https://x/raw.zip', 'elasticsearch_version': '8.15.1',
                                      'ref_id': 'main-elasticsearch', 'topology_element': None}]
    assert [(e['name'], e['topology_element']) for e in extra['user_bundles']] == [('syn', None), ('stop-ui', 'hot_content')]


def test_empty_deployment_is_refused_before_any_request():
    deployments = Deployments()
    with pytest.raises(EceError, match='Option deployment is empty'):
        deployment_uses(deployments, '')
    assert deployments.asked == []
