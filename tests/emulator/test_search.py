"""POST /deployments/_search over HTTP: queries of FLEET.md 8.3, paging (from/size and cursor), the seeding hooks."""

import requests

from deployments_helpers import entry, update_body


def _seed(emu, **body):
    reply = requests.post(emu.control('/deployments'), json=body, timeout=60)
    assert reply.status_code == 201, reply.text
    return reply.json()


def _search(deps, body=None, **params):
    reply = deps.call('POST', '/_search', json=body, params=params) if body is not None else deps.call('POST', '/_search', params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _names(doc):
    return [hit['name'] for hit in doc['deployments']]


def _nested_version(version, kind='term'):
    field = 'resources.elasticsearch.info.plan_info.current.plan.elasticsearch.version'
    return {'nested': {'path': 'resources.elasticsearch', 'query': {kind: {field: {'value': version}}}}}


def _tag(key, value):
    return {'nested': {'path': 'metadata.tags', 'query': {'bool': {'filter': [
        {'term': {'metadata.tags.key': {'value': key}}}, {'term': {'metadata.tags.value': {'value': value}}}]}}}}


def test_bulk_seeding_and_default_page(emu, deps):
    created = _seed(emu, count=25, name_prefix='fleet-', elasticsearch_version='8.15.1', tags={'team': 'search'})['deployments']
    assert [dep['name'] for dep in created][:2] == ['fleet-0001', 'fleet-0002'] and len(created) == 25
    everything = _search(deps)
    assert everything['return_count'] == 10 and len(everything['deployments']) == 10  # the API's default size
    assert 'match_count' not in everything  # only with a query
    by_id = _search(deps, {'size': 100, 'sort': ['id']})
    assert [hit['id'] for hit in by_id['deployments']] == sorted(dep['id'] for dep in created)
    hit = by_id['deployments'][0]
    assert hit['metadata']['tags'] == [{'key': 'team', 'value': 'search'}]
    assert hit['resources']['elasticsearch'][0]['info']['plan_info']['current']['plan']['elasticsearch']['version'] == '8.15.1'


def test_bulk_list_and_bad_seeds(emu):
    listed = _seed(emu, **{'count': 2, 'name_prefix': 'x-', 'elasticsearch_version': '8.15.1', 'template_id': 'hot-warm'})
    assert len(listed['deployments']) == 2
    reply = requests.post(emu.control('/deployments'), json=[{'name': 'a', 'elasticsearch_version': '8.15.1'},
                                                             {'name': 'b', 'elasticsearch_version': 'eight'}], timeout=10)
    assert reply.status_code == 400 and 'Item 1' in reply.json()['errors'][0]['message']
    for bad in ({'name': 'a', 'elasticsearch_version': '8.15.1', 'tags': ['team']}, {'count': 0, 'elasticsearch_version': '8.15.1'},
                {'name': 'a', 'elasticsearch_version': '8.15.1', 'template_id': ''}):
        assert requests.post(emu.control('/deployments'), json=bad, timeout=10).status_code == 400, bad


def test_term_prefix_bool_nested_exists(emu, deps):
    _seed(emu, name='search-eu', elasticsearch_version='8.15.1', tags={'team': 'search', 'env': 'prod'})
    _seed(emu, name='search-us', elasticsearch_version='8.16.0', tags={'team': 'search', 'env': 'dev'})
    _seed(emu, name='logs-eu', elasticsearch_version='8.15.1', tags={'team': 'logs', 'env': 'prod'}, template_id='hot-warm')

    def names(query):
        found = _search(deps, {'query': query, 'size': 50, 'sort': [{'name': {'order': 'asc'}}]})
        assert found['match_count'] == found['return_count']
        return _names(found)

    assert names({'term': {'name.keyword': {'value': 'search-eu'}}}) == ['search-eu']
    assert names({'prefix': {'name.keyword': {'value': 'search-'}}}) == ['search-eu', 'search-us']
    assert names(_nested_version('8.15.1')) == ['logs-eu', 'search-eu']
    assert names(_nested_version('8.16.', 'prefix')) == ['search-us']
    assert names({'bool': {'filter': [_tag('team', 'search'), _tag('env', 'prod')]}}) == ['search-eu']
    # key and value must hold in the same tag: team=prod matches nothing although both strings are tags
    assert names(_tag('team', 'prod')) == []
    assert names({'bool': {'should': [_tag('env', 'dev'), _tag('team', 'logs')], 'minimum_should_match': 1}}) == ['logs-eu', 'search-us']
    assert names({'bool': {'must_not': [{'prefix': {'name.keyword': {'value': 'search-'}}}]}}) == ['logs-eu']
    template = 'resources.elasticsearch.info.plan_info.current.plan.deployment_template.id'
    assert names({'nested': {'path': 'resources.elasticsearch', 'query': {'term': {template: {'value': 'hot-warm'}}}}}) == ['logs-eu']
    pending = {'nested': {'path': 'resources.elasticsearch', 'query': {'exists': {'field': 'resources.elasticsearch.info.plan_info.pending'}}}}
    assert names(pending) == []
    assert names({'term': {'metadata.tags.key': {'value': 'team'}}}) == []  # a nested field outside nested: no match
    assert names({'term': {'healthy': {'value': 'true'}}}) == ['logs-eu', 'search-eu', 'search-us']


def test_exists_sees_a_pending_plan(emu, deps, client, make_zip):
    dep = _seed(emu, name='busy', elasticsearch_version='8.15.1')
    _seed(emu, name='idle', elasticsearch_version='8.15.1')
    ext = client.create(name='pending-bundle', version='8.*', extension_type='bundle')
    client.upload(ext['id'], make_zip())
    deps.plans(seconds=60)
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), [entry(ext)])).status_code == 200
    query = {'nested': {'path': 'resources.elasticsearch', 'query': {'exists': {'field': 'resources.elasticsearch.info.plan_info.pending'}}}}
    assert _names(_search(deps, {'query': query})) == ['busy']


def test_cursor_pages_everything_once_and_ends_with_an_empty_page(emu, deps):
    created = _seed(emu, count=45, name_prefix='c-', elasticsearch_version='8.15.1')['deployments']
    seen, body, pages = [], {'size': 20, 'sort': ['id'], 'query': {'prefix': {'name.keyword': {'value': 'c-'}}}}, 0
    while True:
        page = _search(deps, body)
        pages += 1
        assert 'cursor' in page  # the last, empty page still carries one
        if page['return_count'] == 0:
            break
        seen.extend(hit['id'] for hit in page['deployments'])
        body = {'cursor': page['cursor'], 'size': 1}  # every other field is ignored with a cursor
    assert seen == sorted(dep['id'] for dep in created) and pages == 4


def test_from_size_paging_and_the_ceiling(emu, deps):
    _seed(emu, count=30, name_prefix='p-', elasticsearch_version='8.15.1')
    first = _search(deps, {'size': 20, 'from': 0, 'sort': ['name']})
    second = _search(deps, {'size': 20, 'from': 20, 'sort': ['name']})
    assert _names(first) + _names(second) == ['p-%04d' % number for number in range(1, 31)]
    assert _search(deps, {'size': 5, 'from': 9998, 'sort': ['name']})['return_count'] == 0  # clamped: 2 slots left, 0 hits there
    assert requests.post(emu.control('/search'), json={'strict': True}, timeout=10).status_code == 200
    over = deps.call('POST', '/_search', json={'size': 10001})
    assert over.status_code == 400 and 'cursor' in over.json()['errors'][0]['message']
    assert deps.call('POST', '/_search', json={'query': {'range': {'id': {}}}}).status_code == 400


def test_unsupported_query_matches_nothing_unless_strict(emu, deps):
    _seed(emu, name='one', elasticsearch_version='8.15.1')
    assert _search(deps, {'query': {'query_string': {'query': 'name: one'}}})['return_count'] == 0


def test_ece_3_7_mode_no_cursor_and_hits_without_plans(emu, deps):
    _seed(emu, count=3, name_prefix='old-', elasticsearch_version='8.15.1')
    settings = requests.post(emu.control('/search'), json={'cursor': False, 'plans_in_hits': False}, timeout=10).json()['settings']
    assert settings == {'strict': False, 'cursor': False, 'plans_in_hits': False, 'search_ceiling': 'clamp'}
    page = _search(deps, {'size': 2, 'sort': ['id'], 'cursor': 'ignored'})
    assert 'cursor' not in page and page['return_count'] == 2
    assert 'current' not in page['deployments'][0]['resources']['elasticsearch'][0]['info']['plan_info']


def test_minimal_metadata_and_the_search_log(emu, deps):
    _seed(emu, name='mini', elasticsearch_version='8.15.1')
    page = _search(deps, {'size': 5}, minimal_metadata='id,name')
    assert page['deployments'] == [] and list(page['minimal_metadata'][0]) == ['id', 'name']
    log = requests.get(emu.control('/search'), timeout=10).json()['searches']
    assert log == [{'query': {'minimal_metadata': 'id,name'}, 'body': {'size': 5}}]
    emu.reset()
    assert requests.get(emu.control('/search'), timeout=10).json()['searches'] == []


def test_search_needs_credentials(emu, client_for):
    reply = client_for(emu, None).session.post(emu.url + '/api/v1/deployments/_search', json={}, timeout=10)
    assert reply.status_code == 401


def test_kibana_resources_are_searchable(emu, deps):
    _seed(emu, name='with-kibana', elasticsearch_version='8.15.1', kibana=True)
    _seed(emu, name='without', elasticsearch_version='8.15.1')
    query = {'nested': {'path': 'resources.kibana', 'query': {'term': {'resources.kibana.info.plan_info.current.plan.kibana.version': {'value': '8.15.1'}}}}}
    found = _search(deps, {'query': query})
    assert _names(found) == ['with-kibana']
    assert found['deployments'][0]['resources']['kibana'][0]['info']['plan_info']['current']['plan']['kibana']['version'] == '8.15.1'


def test_search_switches_are_the_registers(emu, deps):
    """/_emulator/search and /_emulator/assumptions set the same switches; a reset returns to the starting reading."""
    _seed(emu, count=3, name_prefix='sw-', elasticsearch_version='8.15.1')
    state = requests.post(emu.control('/assumptions'), json={'cursor': 'flipped', 'search_ceiling': 'refuse'}, timeout=10).json()
    assert state['switches']['cursor'] is False and set(state['flipped']) >= {'cursor', 'search_ceiling'}
    assert requests.get(emu.control('/search'), timeout=10).json()['settings'] == {
        'strict': False, 'cursor': False, 'plans_in_hits': True, 'search_ceiling': 'refuse'}
    assert 'cursor' not in _search(deps, {'size': 2, 'sort': ['id']})
    over = deps.call('POST', '/_search', json={'size': 5, 'from': 9998})  # refused without strict: the register's switch
    assert over.status_code == 400 and 'page with a cursor' in over.json()['errors'][0]['message']
    reply = requests.post(emu.control('/search'), json={'plans_in_hits': False, 'search_ceiling': 'clamp'}, timeout=10)
    assert reply.status_code == 200
    switches = requests.get(emu.control('/assumptions'), timeout=10).json()['switches']
    assert switches['plans_in_hits'] is False and switches['search_ceiling'] == 'clamp' and switches['cursor'] is False
    hit = _search(deps, {'size': 1})['deployments'][0]
    assert 'current' not in hit['resources']['elasticsearch'][0]['info']['plan_info']
    emu.reset()
    assert requests.get(emu.control('/search'), timeout=10).json()['settings'] == {
        'strict': False, 'cursor': True, 'plans_in_hits': True, 'search_ceiling': 'clamp'}


def test_search_control_refuses_what_is_not_a_reading(emu):
    for body in ({'cursor': 'yes'}, {'search_ceiling': 'sometimes'}, {'strict': 1}, {'size': 3}, ['cursor']):
        reply = requests.post(emu.control('/search'), json=body, timeout=10)
        assert reply.status_code == 400, body
    # a refused body changes nothing, also not the valid part of it
    assert requests.post(emu.control('/search'), json={'plans_in_hits': False, 'cursor': 'no'}, timeout=10).status_code == 400
    assert requests.get(emu.control('/search'), timeout=10).json()['settings']['plans_in_hits'] is True
