# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory's requests under both readings of the register's search behaviours.

The fake search answers as the register says ECE does (tests/ece_behaviours.yml, through ece_register):
search-cursor (a cursor or none), search-hits-carry-plans (hits with or without the current plan) and
search-hit-ceiling (beyond 10,000 hits: part of the page, or a refusal).
"""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.plugin_utils._inventory_fetch import CEILING, SEARCH_PATH, inventory_hosts, search_all
from ansible_collections.ece.platform.tests.unit.ece_register import both, reading


def _deployment(number):
    dep_id = '%032x' % (0xabc000 + number)
    plan = {'elasticsearch': {'version': '8.15.1' if number % 2 else '8.16.0', 'user_bundles': [], 'user_plugins': []},
            'deployment_template': {'id': 'default'}, 'cluster_topology': []}
    resource = {'ref_id': 'main-elasticsearch', 'info': {'healthy': True, 'plan_info': {'healthy': True, 'current': {'plan': plan}}}}
    return {'id': dep_id, 'name': 'fleet-%05d' % number, 'healthy': True, 'resources': {'elasticsearch': [resource]}}


class FakeEce:
    """POST /deployments/_search (sorted by id) and the deployment GET, in one reading of each switch."""

    def __init__(self, count, cursor=None, plans_in_hits=None, search_ceiling=None):
        self.deployments = sorted((_deployment(number) for number in range(1, count + 1)), key=lambda dep: dep['id'])
        self.cursor = reading('cursor') if cursor is None else cursor
        self.plans_in_hits = reading('plans_in_hits') if plans_in_hits is None else plans_in_hits
        self.search_ceiling = reading('search_ceiling') if search_ceiling is None else search_ceiling
        self.requests = []

    def request(self, method, path, json_body=None, params=None, operation=None):
        self.requests.append((method, path, json.loads(json.dumps(json_body)) if json_body is not None else None, params))
        if path == SEARCH_PATH:
            return self._search(json_body or {})
        if path == '/deployments/extensions':
            return []
        return next(dep for dep in self.deployments if path.endswith(dep['id']))

    def _search(self, body):
        if self.cursor and 'cursor' in body:
            state = json.loads(base64.b64decode(body['cursor']))
            offset, size = state['next'], state['size']
        else:
            offset, size = body.get('from', 0), body.get('size', 10)
            if offset + size > CEILING:
                if self.search_ceiling == 'refuse':
                    raise EceApiError('from + size may not exceed 10000', 'POST', SEARCH_PATH, status=400)
                size = max(0, CEILING - offset)
        page = [self._hit(dep) for dep in self.deployments[offset:offset + size]]
        answer = {'return_count': len(page), 'deployments': page}
        if self.cursor:
            answer['cursor'] = base64.b64encode(json.dumps({'next': offset + len(page), 'size': size}).encode()).decode()
        return answer

    def _hit(self, dep):
        if self.plans_in_hits:
            return dep
        bare = json.loads(json.dumps(dep))
        del bare['resources']['elasticsearch'][0]['info']['plan_info']['current']
        return bare

    def searches(self):
        return [body for method, path, body, _params in self.requests if path == SEARCH_PATH]

    def gets(self):
        return [(path, params) for method, path, _body, params in self.requests if method == 'GET' and path != '/deployments/extensions']


@pytest.mark.parametrize('cursor', both('cursor'))
@pytest.mark.parametrize('plans_in_hits', both('plans_in_hits'))
def test_the_same_hosts_under_every_reading(cursor, plans_in_hits):
    ece = FakeEce(23, cursor=cursor, plans_in_hits=plans_in_hits)
    found = inventory_hosts(lambda: ece, {}, page_size=10, concurrency=3)
    assert list(found) == ['fleet-%05d' % number for number in range(1, 24)]
    assert found['fleet-00002']['ece_elasticsearch_version'] == '8.16.0'
    searches = ece.searches()
    assert len(searches) == 3 and searches[0] == {'size': 10, 'sort': [{'id': {'order': 'asc'}}]}
    if cursor:
        assert [list(body) for body in searches[1:]] == [['cursor'], ['cursor']]
    else:
        assert [body.get('from') for body in searches] == [None, 10, 20] and all(body['size'] == 10 for body in searches)
    gets = ece.gets()
    if plans_in_hits:
        assert gets == []
    else:  # one light read per deployment, each once
        assert len(gets) == 23 and len({path for path, _params in gets}) == 23
        assert all(params['show_plan_logs'] == 'false' and params['enrich_with_template'] == 'false' for _path, params in gets)


@pytest.mark.parametrize('search_ceiling', both('search_ceiling'))
def test_without_a_cursor_paging_stops_before_the_ceiling_and_says_so(search_ceiling):
    ece = FakeEce(CEILING + 50, cursor=False, search_ceiling=search_ceiling)
    with pytest.raises(EceError) as caught:
        search_all(ece, None, 500)
    assert 'More than 10000 deployments match' in caught.value.msg and 'narrow the inventory' in caught.value.msg
    assert max(body.get('from', 0) + body['size'] for body in ece.searches()) == CEILING  # never past it


@pytest.mark.parametrize('search_ceiling', both('search_ceiling'))
def test_a_cursor_pages_past_the_ceiling(search_ceiling):
    ece = FakeEce(CEILING + 50, cursor=True, search_ceiling=search_ceiling)
    hits = search_all(ece, None, 500)
    assert len(hits) == CEILING + 50 and len({hit['id'] for hit in hits}) == CEILING + 50
