"""The emulator's deployments API over real HTTP: plans, the checks of PUT, timing, in-use coupling, hooks."""

import hashlib
import subprocess
import sys
import time

import pytest
import requests

from conftest import EMULATOR
from deployments_helpers import Deployments, codes, current_plan, entry, resource, update_body

MISSING_ID = '0123456789abcdef0123456789abcdef'
ELSEWHERE = 'e1' * 16  # a deployment id the emulator does not hold, marked through the hook


@pytest.fixture(name='extension')
def fixture_extension(client, make_zip):
    """Factory: an extension with an uploaded archive (unless archive=None); `sha256` is the archive's (test-side only)."""
    def make(name='synonyms', extension_type='bundle', version='8.*', archive=b'v1'):
        ext = client.create(name=name, extension_type=extension_type, version=version)
        if archive is not None:
            data = make_zip(archive)
            client.upload(ext['id'], data)
            ext['sha256'] = hashlib.sha256(data).hexdigest()
        return ext
    return make


def attach(deps, dep_id, bundles=None, plugins=None, **params):
    """PUT the current plan with these extension lists; return the reply."""
    return deps.put(dep_id, update_body(deps.get(dep_id).json(), bundles, plugins), **params)


# ---- reading ------------------------------------------------------------------------------------------

def test_created_deployment_reads_back_with_a_healthy_plan(deps):
    made = deps.create(name='demo', elasticsearch_version='8.15.1', id=MISSING_ID)
    reply = deps.get(MISSING_ID)
    assert reply.status_code == 200 and reply.headers['x-cloud-resource-version'] == '1'
    body = reply.json()
    assert body == made and body['healthy'] is True and body['name'] == 'demo'
    es = resource(body)
    assert (es['ref_id'], es['region'], es['info']['status']) == ('main-elasticsearch', 'ece-region', 'started')
    info = es['info']['plan_info']
    assert info['healthy'] is True and info['history'] == [] and 'pending' not in info
    assert info['current']['plan']['elasticsearch'] == {'version': '8.15.1'}
    assert info['current']['plan_attempt_log'] == []  # logs only with show_plan_logs=true
    listed = deps.call('GET').json()['deployments']
    es_ref = {'id': es['id'], 'kind': 'elasticsearch', 'ref_id': 'main-elasticsearch', 'region': 'ece-region'}
    assert listed == [{'id': MISSING_ID, 'name': 'demo', 'resources': [es_ref]}]


def test_create_control_endpoint_checks_its_input(deps, emu):
    for doc in ({'name': 'x'}, {'name': '', 'elasticsearch_version': '8.1.0'}, {'name': 'x', 'elasticsearch_version': '8.1.0', 'id': 'short'},
                {'name': 'x', 'elasticsearch_version': '8.1.0', 'color': 'red'}):
        assert requests.post(emu.control('/deployments'), json=doc, timeout=10).status_code == 400, doc
    unknown = requests.post(emu.control('/deployments'), json={'name': 'x', 'elasticsearch_version': '8.1.0', 'color': 'red'}, timeout=10)
    assert 'Unknown keys color' in unknown.json()['errors'][0]['message']
    deps.create(id=MISSING_ID)
    again = requests.post(emu.control('/deployments'), json={'name': 'y', 'elasticsearch_version': '8.1.0', 'id': MISSING_ID}, timeout=10)
    assert again.status_code == 409
    two = deps.create(name='demo')  # names need not be unique, as on ECE
    assert two['id'] != MISSING_ID and len(deps.call('GET').json()['deployments']) == 2


def test_unknown_deployment_or_resource_is_404(deps):
    dep = deps.create()
    es_path = '/%s/elasticsearch/main-elasticsearch' % MISSING_ID
    for method, path in (('GET', '/' + MISSING_ID), ('GET', '/not-an-id'), ('PUT', '/' + MISSING_ID), ('GET', es_path),
                         ('POST', es_path + '/_restart'), ('DELETE', es_path + '/plan/pending')):
        reply = deps.call(method, path, json={'prune_orphans': False} if method == 'PUT' else None)
        assert reply.status_code == 404 and codes(reply) == ['deployments.deployment_not_found'], (method, path)
    # Only _restart documents a code of its own for an unknown resource.
    for method, path, code in (('GET', '/elasticsearch/other', 'deployments.deployment_not_found'),
                               ('POST', '/elasticsearch/other/_restart', 'deployments.deployment_resource_not_found'),
                               ('DELETE', '/kibana/main-kibana/plan/pending', 'deployments.deployment_not_found')):
        reply = deps.call(method, '/' + dep['id'] + path)
        assert reply.status_code == 404 and codes(reply) == [code], (method, path)
    assert deps.call('GET', '/%s/elasticsearch/_main' % dep['id']).json()['ref_id'] == 'main-elasticsearch'
    assert deps.call('POST', '/' + dep['id']).status_code == 405


def test_deployments_api_needs_credentials(deps, emu):
    dep = deps.create()
    anonymous = Deployments(emu, auth_header=None)
    try:
        for method, path in (('GET', ''), ('GET', '/' + dep['id']), ('PUT', '/' + dep['id'])):
            reply = anonymous.call(method, path, json={'prune_orphans': False})
            assert reply.status_code == 401 and codes(reply) == ['root.unauthorized']
    finally:
        anonymous.close()
    assert deps.get(dep['id']).headers['x-cloud-resource-version'] == '1'


def test_get_switches_shape_the_plan_info(deps, extension):
    dep = deps.create()
    attach(deps, dep['id'], bundles=[entry(extension())])
    deps.wait_settled(dep['id'])
    hidden = resource(deps.get(dep['id'], show_plans='false').json())['info']['plan_info']
    assert hidden == {'healthy': True, 'history': []}
    default = resource(deps.get(dep['id']).json())['info']['plan_info']
    assert default['history'] == [] and default['current']['plan_attempt_log'] == []
    full = deps.plan_info(dep['id'])
    assert [step['step_id'] for step in full['current']['plan_attempt_log']][-1] == 'plan-completed'
    assert len(full['history']) == 1 and full['history'][0]['plan']['elasticsearch'] == {'version': '8.15.1'}
    assert 'plan_end_time' in full['history'][0]


# ---- plan changes -------------------------------------------------------------------------------------

def test_put_starts_a_pending_plan_that_then_succeeds(deps, extension, emu):
    dep = deps.create()
    ext = extension(archive=b'first')
    deps.plans(seconds=2.5)
    before = deps.get(dep['id'])
    started = time.time()
    reply = attach(deps, dep['id'], bundles=[entry(ext)], version=before.headers['x-cloud-resource-version'])
    assert reply.status_code == 200
    es_ref = {'id': resource(before.json())['id'], 'kind': 'elasticsearch', 'ref_id': 'main-elasticsearch', 'region': 'ece-region'}
    assert reply.json()['resources'] == [es_ref]
    assert reply.headers['x-cloud-resource-version'] == '2'
    during = deps.get(dep['id'], show_plan_logs='true').json()
    info = resource(during)['info']
    assert (during['healthy'], info['status']) == (False, 'reconfiguring')
    assert info['plan_info']['pending']['plan']['elasticsearch']['user_bundles'] == [entry(ext)]
    assert info['plan_info']['pending']['plan_attempt_log'][-1]['stage'] == 'in_progress'
    assert 'user_bundles' not in info['plan_info']['current']['plan']['elasticsearch']
    settled = deps.wait_settled(dep['id'])
    assert time.time() - started >= 2.4
    assert settled['healthy'] is True and settled['current']['plan']['elasticsearch']['user_bundles'] == [entry(ext)]
    assert settled['current']['plan_attempt_log'][-1]['status'] == 'success'
    assert resource(deps.get(dep['id']).json())['info']['status'] == 'started'
    loaded = deps.loaded(dep['id'])['extensions']
    assert loaded == [{'id': ext['id'], 'name': 'synonyms', 'url': ext['url'], 'extension_type': 'bundle',
                       'sha256': ext['sha256'], 'stored_sha256': ext['sha256'], 'stale': False}]
    assert [(entry_['method'], entry_['status']) for entry_ in emu.requests_log() if '/extensions' not in entry_['path']][-1] == ('GET', 200)


def test_the_plan_sent_replaces_the_old_one(deps, extension):
    """An omitted user_bundles means none (tf-ec#277): the emulator must not merge."""
    dep = deps.create()
    attach(deps, dep['id'], bundles=[entry(extension())])
    deps.wait_settled(dep['id'])
    body = update_body(deps.get(dep['id']).json())
    del body['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles']
    assert deps.put(dep['id'], body).status_code == 200
    assert 'user_bundles' not in deps.wait_settled(dep['id'])['current']['plan']['elasticsearch']


def test_validate_only_changes_nothing(deps, extension):
    dep = deps.create()
    reply = attach(deps, dep['id'], bundles=[entry(extension())], validate_only='true')
    assert reply.status_code == 200 and reply.json()['diagnostics'] == {}
    assert reply.headers['x-cloud-resource-version'] == '1'
    info = deps.plan_info(dep['id'])
    assert 'pending' not in info and info['history'] == []


def test_version_guard_refuses_a_stale_version(deps, extension):
    dep = deps.create()
    ext = extension()
    assert attach(deps, dep['id'], bundles=[entry(ext)], version='1').status_code == 200
    deps.wait_settled(dep['id'])
    stale = attach(deps, dep['id'], bundles=[], version='1')
    assert stale.status_code == 400 and codes(stale) == ['deployments.version_conflict']
    assert deps.plan_info(dep['id'])['current']['plan']['elasticsearch']['user_bundles'] == [entry(ext)]
    fresh = deps.get(dep['id']).headers['x-cloud-resource-version']
    assert attach(deps, dep['id'], bundles=[], version=fresh).status_code == 200


@pytest.mark.parametrize('place', ['history', 'current'])
def test_failed_plan_keeps_the_previous_one_running(deps, extension, place):
    dep = deps.create()
    ext = extension()
    deps.plans(fail_next=1, failed_attempt_in=place, failure_message='Plan change failed: boom', failure_type='ClusterFailure:Boom')
    assert attach(deps, dep['id'], bundles=[entry(ext)]).status_code == 200
    info = deps.wait_settled(dep['id'])
    assert info['healthy'] is False
    failed = info['current'] if place == 'current' else info['history'][-1]
    previous = info['history'][-1] if place == 'current' else info['current']
    assert failed['healthy'] is False and failed['plan']['elasticsearch']['user_bundles'] == [entry(ext)]
    assert failed['error']['message'] == 'Plan change failed: boom' and failed['error']['failure_type'] == 'ClusterFailure:Boom'
    last = failed['plan_attempt_log'][-1]
    assert (last['step_id'], last['status']) == ('plan-completed', 'error')
    assert last['info_log'][-1]['message'] == 'Plan change failed: boom'
    assert previous['healthy'] is True and 'user_bundles' not in previous['plan']['elasticsearch']
    assert deps.loaded(dep['id'])['extensions'] == []  # the nodes still run the previous plan
    assert attach(deps, dep['id'], bundles=[entry(ext)]).status_code == 200  # fail_next was used up
    info = deps.wait_settled(dep['id'])
    assert info['healthy'] is True and deps.loaded(dep['id'])['extensions'][0]['sha256'] == ext['sha256']


def test_a_pending_plan_can_appear_late(deps, extension):
    dep = deps.create()
    deps.plans(seconds=1.0, pending_appears_after=1.5)
    started = time.monotonic()
    assert attach(deps, dep['id'], bundles=[entry(extension())]).status_code == 200
    early = deps.get(dep['id']).json()
    if time.monotonic() - started < 1.4:  # on a very slow machine the window may have passed already
        assert 'pending' not in resource(early)['info']['plan_info'] and resource(early)['info']['status'] == 'started'
        busy = attach(deps, dep['id'], bundles=[])
        assert busy.status_code == 400 and codes(busy) == ['deployments.resource_plan_state_error']  # the server knows it
    deadline = time.monotonic() + 120  # bounds a hang, not the expected 1.5 s
    while 'pending' not in deps.plan_info(dep['id']):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert time.monotonic() - started >= 1.4
    info = deps.wait_settled(dep['id'])
    assert time.monotonic() - started >= 2.4 and 'user_bundles' in info['current']['plan']['elasticsearch']


# ---- the checks of PUT, in order ----------------------------------------------------------------------

def _payload_body(deps, dep_id, **plan_changes):
    return update_body(deps.get(dep_id).json(), **plan_changes)


def test_malformed_requests_are_invalid_plans(deps):
    dep = deps.create()
    good = _payload_body(deps, dep['id'])
    no_topology = _payload_body(deps, dep['id'])
    del no_topology['resources']['elasticsearch'][0]['plan']['cluster_topology']
    no_url = _payload_body(deps, dep['id'])
    no_url['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_plugins'] = [{'name': 'p', 'elasticsearch_version': '8.15.1'}]
    for body, field in ((['a list'], 'body'), ({'resources': good['resources']}, 'prune_orphans'),
                        (no_topology, 'resources.elasticsearch[0].plan.cluster_topology'),
                        (no_url, 'resources.elasticsearch[0].plan.elasticsearch.user_plugins[0].url')):
        reply = deps.put(dep['id'], body)
        assert reply.status_code == 400 and codes(reply) == ['clusters.cluster_invalid_plan'], body
        assert reply.json()['errors'][0]['fields'] == [field]
    reply = deps.call('PUT', '/' + dep['id'], data=b'{not json', headers={'Content-Type': 'application/json'})
    assert reply.status_code == 400 and codes(reply) == ['clusters.cluster_invalid_plan']
    assert deps.get(dep['id']).headers['x-cloud-resource-version'] == '1'


def test_unknown_resource_or_region_is_refused(deps):
    dep = deps.create()
    body = _payload_body(deps, dep['id'])
    body['resources']['elasticsearch'][0]['ref_id'] = 'other-es'
    reply = deps.put(dep['id'], body)
    assert reply.status_code == 400 and codes(reply) == ['deployments.deployment_resource_not_found']
    body = _payload_body(deps, dep['id'])
    body['resources']['elasticsearch'][0]['region'] = 'us-east-1'
    assert codes(deps.put(dep['id'], body)) == ['clusters.cluster_invalid_plan']
    assert codes(deps.put(dep['id'], {'prune_orphans': True})) == ['clusters.cluster_invalid_plan']


def test_checks_run_in_the_documented_order(deps, extension):
    """Shape, then the version guard, then resource, pending, URL, extension, versions: the first failing one answers."""
    dep = deps.create()
    ext = extension()
    deps.plans(seconds=30)
    assert attach(deps, dep['id'], bundles=[entry(ext)]).status_code == 200  # now pending for 30 s
    body = _payload_body(deps, dep['id'])
    bundles = [{'name': 'x', 'url': 'ftp://nowhere/x.zip', 'elasticsearch_version': '7.*'}]
    body['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles'] = bundles
    malformed = dict(body)
    del malformed['prune_orphans']
    assert codes(deps.put(dep['id'], malformed, version='1')) == ['clusters.cluster_invalid_plan']
    assert codes(deps.put(dep['id'], body, version='1')) == ['deployments.version_conflict']
    assert codes(deps.put(dep['id'], body)) == ['deployments.resource_plan_state_error']
    deps.call('DELETE', '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id'])
    assert codes(deps.put(dep['id'], body)) == ['clusters.invalid_extension_url']
    body['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles'][0]['url'] = 'repo://1234567890'
    assert codes(deps.put(dep['id'], body)) == ['clusters.invalid_extension_url']
    body['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles'][0]['url'] = ext['url']
    assert codes(deps.put(dep['id'], body)) == ['clusters.cluster_invalid_plan']  # 7.* does not fit 8.15.1
    body['resources']['elasticsearch'][0]['plan']['elasticsearch']['user_bundles'][0]['elasticsearch_version'] = '8.*'
    assert deps.put(dep['id'], body).status_code == 200


def test_extension_urls_must_be_repo_or_web_urls(deps):
    dep = deps.create()
    web = [{'name': 'web', 'url': 'https://example.invalid/bundle.zip', 'elasticsearch_version': '8.15.1'}]
    for url in ('ftp://nowhere/x.zip', 'repo://abc', 'bundle.zip'):
        reply = attach(deps, dep['id'], bundles=[dict(web[0], url=url)])
        assert reply.status_code == 400 and codes(reply) == ['clusters.invalid_extension_url'], url
        error = reply.json()['errors'][0]
        assert error['message'] == 'Usage of [bundle] with URL [%s] is not permitted. The URL format is invalid.' % url
        assert error['fields'] == ['resources.elasticsearch[0]']
    deps.plans(url_mode='ess')
    assert codes(attach(deps, dep['id'], bundles=web)) == ['clusters.invalid_extension_url']
    deps.plans(url_mode='ece')
    assert attach(deps, dep['id'], bundles=web).status_code == 200


def test_unknown_wrong_type_or_archive_less_extensions_are_refused(deps, extension):
    dep = deps.create()
    plugin = extension(name='analysis', extension_type='plugin', version='8.15.1')
    bare = extension(name='bare', archive=None)
    for bundles, plugins in (([entry(plugin, '8.15.1')], None), ([entry(bare, '8.*')], None),
                             (None, [{'name': 'ghost', 'url': 'repo://1234567890', 'elasticsearch_version': '8.15.1'}])):
        reply = attach(deps, dep['id'], bundles=bundles, plugins=plugins)
        assert reply.status_code == 400 and codes(reply) == ['clusters.invalid_extension_url'], (bundles, plugins)
    assert attach(deps, dep['id'], plugins=[entry(plugin)]).status_code == 200


def test_version_rules_for_plugins_and_bundles(deps, extension):
    dep = deps.create(elasticsearch_version='8.15.1')
    plugin = extension(name='analysis', extension_type='plugin', version='8.15.1')
    old_plugin = extension(name='old', extension_type='plugin', version='8.14.0')
    bundle = extension(name='syn', version='8.*')
    refused = ([], [entry(plugin, '8.15.0')]), ([], [entry(plugin, '8.*')]), ([entry(bundle, '7.*')], []), ([entry(bundle, '8.14.*')], []), \
        ([], [entry(old_plugin, '8.15.1')])
    for bundles, plugins in refused:
        reply = attach(deps, dep['id'], bundles=bundles, plugins=plugins)
        assert reply.status_code == 400 and codes(reply) == ['clusters.cluster_invalid_plan'], (bundles, plugins)
    for version in ('*', '8.*', '8.15.*', '8.15.1'):
        assert attach(deps, dep['id'], bundles=[entry(bundle, version)], validate_only='true').status_code == 200, version
    assert attach(deps, dep['id'], bundles=[entry(bundle)], plugins=[entry(plugin)]).status_code == 200


def test_topology_level_entries_are_checked_and_count(deps, extension, client):
    dep = deps.create()
    ext = extension()
    body = _payload_body(deps, dep['id'])
    body['resources']['elasticsearch'][0]['plan']['cluster_topology'][0]['elasticsearch']['user_bundles'] = [entry(ext, '7.*')]
    assert codes(deps.put(dep['id'], body)) == ['clusters.cluster_invalid_plan']
    body['resources']['elasticsearch'][0]['plan']['cluster_topology'][0]['elasticsearch']['user_bundles'] = [entry(ext)]
    assert deps.put(dep['id'], body).status_code == 200
    assert client.get(ext['id'], include_deployments='true').json()['deployments'] == [dep['id']]


# ---- restart and cancel -------------------------------------------------------------------------------

def test_restart_reapplies_the_plan_and_reloads_archives(deps, extension, client, make_zip):
    dep = deps.create()
    ext = extension(archive=b'old')
    attach(deps, dep['id'], bundles=[entry(ext)])
    deps.wait_settled(dep['id'])
    new = make_zip(b'new')
    client.upload(ext['id'], new)
    stale = deps.loaded(dep['id'])['extensions'][0]
    assert stale['stale'] is True and stale['sha256'] == ext['sha256']
    assert stale['stored_sha256'] == hashlib.sha256(new).hexdigest() != ext['sha256']
    deps.plans(seconds=30)
    reply = deps.call('POST', '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    assert reply.status_code == 202 and reply.json() == {}
    pending = deps.plan_info(dep['id'])['pending']
    assert pending['plan']['transient'] == {'plan_configuration': {'cluster_reboot': 'forced'}}
    assert pending['source']['action'] == 'deployments.restart-deployment-es-resource'
    assert 'transient' not in deps.plan_info(dep['id'], clear_transient='true')['pending']['plan']
    again = deps.call('POST', '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'])
    assert again.status_code == 422 and codes(again) == ['deployments.deployment_resource_plan_change_error']
    deps.plans(seconds=0)
    forced = deps.call('POST', '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id'], params={'cancel_pending': 'true'})
    assert forced.status_code == 202
    info = deps.wait_settled(dep['id'])
    assert info['current']['plan_attempt_id'] != pending['plan_attempt_id'] and 'transient' not in info['current']['plan']
    cancelled = [attempt for attempt in info['history'] if attempt['plan_attempt_id'] == pending['plan_attempt_id']]
    assert len(cancelled) == 1 and cancelled[0]['healthy'] is False
    fresh = deps.loaded(dep['id'])['extensions'][0]
    assert fresh['stale'] is False and fresh['sha256'] == hashlib.sha256(new).hexdigest()


def test_cancel_pending_plan(deps, extension):
    dep = deps.create()
    path = '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id']
    reply = deps.call('DELETE', path)
    assert reply.status_code == 400 and codes(reply) == ['deployments.resource_does_not_have_a_pending_plan']
    assert deps.call('DELETE', path, params={'ignore_missing': 'true'}).status_code == 200
    deps.plans(seconds=30)
    attach(deps, dep['id'], bundles=[entry(extension())])
    reply = deps.call('DELETE', path)
    assert reply.status_code == 200 and reply.json() == {'id': dep['id'], 'kind': 'elasticsearch', 'ref_id': 'main-elasticsearch'}
    info = deps.plan_info(dep['id'])
    assert 'pending' not in info and info['healthy'] is False
    assert info['history'][-1]['error']['failure_type'] == 'PlanCancelled'
    assert 'user_bundles' not in info['current']['plan']['elasticsearch']


# ---- coupling with extensions -------------------------------------------------------------------------

def test_extensions_in_a_current_or_pending_plan_are_in_use(deps, extension, client, emu):
    dep = deps.create(name='web-prod')
    other = deps.create(name='web-test')
    ext, unused = extension(), extension(name='unused')
    deps.plans(seconds=30)
    attach(deps, dep['id'], bundles=[entry(ext)])
    assert client.get(ext['id'], include_deployments='true').json()['deployments'] == [dep['id']]  # pending counts
    assert client.get(ext['id']).json()['deployments'] is None
    deps.call('DELETE', '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id'])
    assert client.get(ext['id'], include_deployments='true').json()['deployments'] == []
    deps.plans(seconds=0)
    attach(deps, dep['id'], bundles=[entry(ext)])
    attach(deps, other['id'], bundles=[entry(ext)])
    deps.wait_settled(dep['id'])
    listed = client.call('GET', params={'include_deployments': 'true'}).json()['extensions']
    assert {item['name']: item['deployments'] for item in listed} == {'synonyms': [dep['id'], other['id']], 'unused': []}
    refused = client.call('DELETE', '/' + ext['id'])
    assert refused.status_code == 400 and codes(refused) == ['extensions.extension_in_use']
    assert refused.json()['errors'][0]['message'] == 'Cannot delete extension [%s]. It is used by deployments [web-prod, web-test].' % ext['id']
    for dep_id in (dep['id'], other['id']):
        attach(deps, dep_id, bundles=[])
        deps.wait_settled(dep_id)
    assert client.call('DELETE', '/' + ext['id']).status_code == 200
    assert client.call('DELETE', '/' + unused['id']).status_code == 200


def test_marked_in_use_still_works_beside_deployments(deps, extension, client, emu):
    dep = deps.create(name='real')
    ext = extension()
    attach(deps, dep['id'], bundles=[entry(ext)])
    requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': [ELSEWHERE]}, timeout=10).raise_for_status()
    assert client.get(ext['id'], include_deployments='true').json()['deployments'] == [ELSEWHERE, dep['id']]
    message = client.call('DELETE', '/' + ext['id']).json()['errors'][0]['message']
    assert message.endswith('It is used by deployments [%s, real].' % ELSEWHERE)


# ---- hooks --------------------------------------------------------------------------------------------

def test_reset_forgets_deployments_and_plan_settings(deps, emu):
    dep = deps.create()
    deps.plans(seconds=5, fail_next=2)
    emu.reset()
    assert deps.get(dep['id']).status_code == 404 and deps.call('GET').json() == {'deployments': []}
    settings = requests.get(emu.control('/plans'), timeout=10).json()
    assert (settings['seconds'], settings['fail_next'], settings['failed_attempt_in']) == (0.0, 0, 'history')
    assert requests.get(emu.control('/deployments/%s/loaded' % dep['id']), timeout=10).status_code == 404


def test_plan_settings_are_checked(deps, emu):
    for doc in ({'seconds': -1}, {'fail_next': 1.5}, {'failed_attempt_in': 'nowhere'}, {'url_mode': 'x'}, {'speed': 1}, [1]):
        reply = requests.post(emu.control('/plans'), json=doc, timeout=10)
        assert reply.status_code == 400, doc
    assert deps.plans(fail_next=1)['fail_next'] == 1 and deps.plans()['fail_next'] == 1  # only the keys sent change


def test_deployments_requests_are_logged(deps, emu):
    dep = deps.create()
    deps.get(dep['id'], show_plans='false')
    deps.put(dep['id'], {'prune_orphans': False}, validate_only='true')
    log = [(item['method'], item['path'], item['query'], item['status']) for item in emu.requests_log()]
    assert log == [('GET', '/api/v1/deployments/' + dep['id'], 'show_plans=false', 200),
                   ('PUT', '/api/v1/deployments/' + dep['id'], 'validate_only=true', 200)]


def test_help_lists_the_control_endpoints():
    text = subprocess.run([sys.executable, EMULATOR, '--help'], capture_output=True, text=True, check=True, timeout=30).stdout
    for endpoint in ('/_emulator/deployments ', '/_emulator/plans', '/_emulator/deployments/{id}/loaded', '/_emulator/reset'):
        assert endpoint in text, endpoint


def test_current_plan_helper_reads_what_put_wrote(deps, extension):
    """The test helpers themselves: update_body copies the plan and changes only the extension lists."""
    dep = deps.create()
    body = deps.get(dep['id']).json()
    sent = update_body(body, bundles=[entry(extension())])
    plan = sent['resources']['elasticsearch'][0]['plan']
    assert plan['cluster_topology'] == current_plan(body)['cluster_topology'] and len(plan['elasticsearch']['user_bundles']) == 1


def test_history_shows_the_newest_hundred_unless_all_are_asked_for(deps):
    dep = deps.create()
    restart = '/%s/elasticsearch/main-elasticsearch/_restart' % dep['id']
    for _attempt in range(101):  # each instant restart ends before the next request, so none is refused as pending
        assert deps.call('POST', restart).status_code == 202
    capped = deps.plan_info(dep['id'])['history']
    everything = deps.plan_info(dep['id'], force_all_plan_history='true')['history']
    assert len(capped) == 100 and len(everything) == 101
    assert capped == everything[1:] and everything[0]['source']['action'] == 'deployments.create-deployment'


def test_injected_faults_apply_to_the_deployments_api(deps, emu):
    dep = deps.create()
    emu.fault(method='PUT', path='^/api/v1/deployments/[0-9a-f]{32}$', count=1, status=503, retry_after=1)
    reply = deps.put(dep['id'], {'prune_orphans': False})
    assert reply.status_code == 503 and reply.headers['Retry-After'] == '1'
    assert deps.put(dep['id'], {'prune_orphans': False}).status_code == 200
