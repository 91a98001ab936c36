# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the requests behind the inventory, and nothing else.

Cost, as the inventory plugin's documentation promises: the pages of `POST /deployments/_search` sorted by id,
one list of the extensions (only when a plan references `repo://` extensions), and one light GET per
deployment whose hit lacks its plan, a few at a time.

Assumption [I] (register: search-hits-carry-plans): whether ECE's search hits carry the current plan is not
verified; a hit without it costs one light GET, so the hosts are the same either way.
Assumption [C]/[I] (register: search-cursor): ECE 3.8 and later answer with a cursor, ECE 3.7 with none; the
cursor is followed when it comes, else the pages are asked for with from/size.
Assumption [O] (register: search-hit-ceiling): one search reaches 10,000 hits with from/size; the plugin never
asks beyond (page_size is at most that, and from/size paging stops with an error before it), so whether ECE
clamps or refuses beyond the ceiling is never met.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.ece.platform.plugins.module_utils._deployments_api import deployment_path
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi
from ansible_collections.ece.platform.plugins.plugin_utils import _inventory_hosts as hosts
from ansible_collections.ece.platform.plugins.plugin_utils import _inventory_query as query

SEARCH_PATH = '/deployments/_search'
CEILING = 10000  # one search reaches 10,000 hits with from/size [O]; beyond, only a cursor pages (ECE >= 3.8)
SORT = [{'id': {'order': 'asc'}}]  # a static, unique field, so that a deployment changed between pages is not lost [C]
# Everything but the current plans left out (the GET's show_* flags [C]); the deployment's own plan, without the
# template's.
LIGHT_GET = {'show_plans': 'true', 'show_plan_logs': 'false', 'show_plan_history': 'false', 'show_instance_configurations': 'false',
             'show_metadata': 'false', 'show_settings': 'false', 'show_system_alerts': '0', 'enrich_with_template': 'false'}


def search_all(client, search, page_size):
    """Every hit of the search `query` (None: all deployments), page by page; the cursor when ECE gives one."""
    body = {'size': page_size, 'sort': SORT}
    if search is not None:
        body['query'] = search
    hits, offset = [], 0
    while True:
        page = client.request('POST', SEARCH_PATH, json_body=body, operation='Searching deployments')
        found = [hit for hit in page.get('deployments') or [] if isinstance(hit, dict)]
        hits.extend(found)
        if len(found) < page_size:
            return hits
        if page.get('cursor'):
            body = {'cursor': page['cursor']}  # every other field is ignored with a cursor [C]
            continue
        offset += page_size
        if offset + page_size > CEILING:
            raise EceError('More than %d deployments match and this ECE gives no search cursor (ECE before 3.8), so the rest '
                           'cannot be paged; narrow the inventory with filters (name, elasticsearch_version, tags).' % offset)
        body = dict(body, **{'from': offset})


def extension_names(client):
    """{extension id: name} from one list of the extensions."""
    return dict((str(ext.get('id')), ext.get('name')) for ext in ExtensionsApi(client, check_mode=False).list() if isinstance(ext, dict))


def read_plans(make_client, hits, concurrency):
    """{deployment id: GET body} for the hits that lack their plan, at most `concurrency` GETs at once.

    A client per thread: a requests session is not meant to be shared between threads.
    """
    missing = [hit['id'] for hit in hits if hosts.lacks_plan(hit)]
    if not missing:
        return {}
    local = threading.local()

    def read(dep_id):
        if getattr(local, 'client', None) is None:
            local.client = make_client()
        return dep_id, local.client.request('GET', deployment_path(dep_id), params=LIGHT_GET, operation='Reading deployment %s' % dep_id)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(missing)))) as pool:
        return dict(pool.map(read, missing))


def inventory_hosts(make_client, filters, page_size=100, concurrency=8):
    """{host name: host vars} of the deployments that pass every filter, in host-name order."""
    client = make_client()
    search, _sent = query.search_query(filters)
    hits = [hit for hit in search_all(client, search, page_size)
            if hit.get('id') and query.matches_before_plans(filters, hit.get('name'), hosts.tags_of(hit))]
    bodies = read_plans(make_client, hits, concurrency)
    deployments = [(hit, bodies.get(hit['id'], hit)) for hit in hits]
    names = {}
    if any(hosts.uses_repo_extensions(hosts.current_plan(body)) for _hit, body in deployments):
        names = extension_names(client)
    kept = []
    for hit, body in deployments:
        plan = hosts.current_plan(body) or {}
        refs = hosts.extension_refs(plan, names)
        if query.matches_plan(filters, (plan.get('elasticsearch') or {}).get('version'), refs):
            kept.append(hosts.host_vars(body, names, tags=hosts.tags_of(hit)))
    host_names = hosts.host_names([(item['ece_deployment_id'], item['ece_deployment_name']) for item in kept])
    return dict(sorted((host_names[item['ece_deployment_id']], item) for item in kept))
