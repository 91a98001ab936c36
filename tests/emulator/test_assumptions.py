"""The register of ECE behaviours (tests/ece_behaviours.yml) and the emulator's switches for the assumed ones.

Each switch is flipped on the running emulator through POST /_emulator/assumptions and its effect is
checked on the wire; reset restores the reading the emulator was started with.
"""

import copy
import os
import subprocess
import sys
import time

import pytest
import requests

import emulator_assumptions
from conftest import API_KEY, credentials_env
from deployments_helpers import entry, update_body

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS = os.path.join(REPO, 'tests', 'integration', 'targets')
PAGE = os.path.join(REPO, 'docs', 'docsite', 'rst', 'assumptions.rst')


def _assumptions(emu, **switches):
    if switches:
        reply = requests.post(emu.control('/assumptions'), json=switches, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()
    return requests.get(emu.control('/assumptions'), timeout=10).json()


# ---- the register itself ----------------------------------------------------------------------------------

def test_every_entry_is_complete_and_only_assumed_ones_have_switches():
    entries = emulator_assumptions.load_register()
    ids = [entry_['id'] for entry_ in entries]
    assert len(ids) == len(set(ids))
    for item in entries:
        assert {'id', 'behaviour', 'status', 'evidence', 'source', 'targets', 'module'} <= set(item), item['id']
        # The guide shows `evidence`: it must not send the reader to the research notes outside the repository.
        assert '.md' not in item['evidence'] and 'research' not in item['evidence'], item['id']
        assert item['status'] in ('confirmed', 'assumed'), item['id']
        if item['status'] == 'assumed':
            # An emulator switch, or the reason the emulator cannot play the other reading (never both).
            assert bool(item.get('switches')) != bool(str(item.get('no_switch') or '').strip()), \
                '%s is assumed, so it needs an emulator switch (or no_switch: why not)' % item['id']
            for name, readings in (item.get('switches') or {}).items():
                assert set(readings) == {'default', 'flipped'} and readings['default'] != readings['flipped'], name
        else:
            assert not item.get('switches') and not item.get('no_switch'), '%s is confirmed: nothing to switch' % item['id']
            assert '[I]' not in item['source'] and '[O]' not in item['source'].split('(')[0], item['id']
            assert '[I]' not in item['evidence'] and '[O]' not in item['evidence'], item['id']
        for target in item['targets']:
            assert os.path.isdir(os.path.join(TARGETS, target)), '%s names a target that does not exist: %s' % (item['id'], target)


def test_the_docs_page_is_generated_from_the_register():
    sys.path.insert(0, os.path.join(REPO, 'tools'))
    try:
        import assumptions_page  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    with open(PAGE, encoding='utf-8') as handle:
        assert handle.read() == assumptions_page.render(emulator_assumptions.load_register()), \
            'docs/docsite/rst/assumptions.rst is stale: run .venv/bin/python tools/assumptions_page.py'


def test_the_flipped_lane_runs_every_dependent_target():
    sys.path.insert(0, os.path.join(REPO, 'tools'))
    try:
        import suite  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    wanted = {target for item in emulator_assumptions.load_register() if item['status'] == 'assumed' for target in item['targets']}
    assert set(suite.flipped_targets()) == wanted


# ---- the control endpoint ---------------------------------------------------------------------------------

def test_the_emulator_starts_in_the_default_reading_and_reset_returns_to_it(emu):
    table = emulator_assumptions.switch_table()
    state = _assumptions(emu)
    assert state == {'baseline': 'default', 'switches': {name: value['default'] for name, value in table.items()}, 'flipped': []}
    flipped = _assumptions(emu, same_url_redownloads='flipped', failed_attempt_in='current')
    assert flipped['flipped'] == ['failed_attempt_in', 'same_url_redownloads'] and flipped['switches']['same_url_redownloads'] is False
    assert requests.get(emu.control('/plans'), timeout=10).json()['failed_attempt_in'] == 'current'  # one source of truth
    emu.reset()
    assert _assumptions(emu)['flipped'] == []
    assert requests.get(emu.control('/plans'), timeout=10).json()['failed_attempt_in'] == 'history'


@pytest.mark.parametrize('body', [{'no_such_switch': 1}, {'same_url_redownloads': 'yes'}, {'version_conflict_status': 500},
                                  {'same_url_redownloads': 1}, ['same_url_redownloads'], {'cancelled_attempt': 'gone'},
                                  {'keep_last_modified_date': 'yes'}, {'omitted_version': 'newest'}])
def test_bad_switch_values_are_refused_and_change_nothing(emu, body):
    reply = requests.post(emu.control('/assumptions'), json=body, timeout=10)
    assert reply.status_code == 400 and reply.json()['errors'][0]['code'] == 'root.invalid_json_request'
    assert _assumptions(emu)['flipped'] == []


def test_an_emulator_started_flipped_keeps_that_reading_across_resets(start_emulator):
    emulator = start_emulator('--assumptions', 'flipped')
    table = emulator_assumptions.switch_table()
    assert _assumptions(emulator) == {'baseline': 'flipped', 'switches': {name: value['flipped'] for name, value in table.items()},
                                      'flipped': sorted(table)}
    emulator.reset()
    assert _assumptions(emulator)['baseline'] == 'flipped' and len(_assumptions(emulator)['flipped']) == len(table)
    assert requests.get(emulator.control('/plans'), timeout=10).json()['url_mode'] == 'ess'
    assert requests.get(emulator.control('/search'), timeout=10).json()['settings'] == {
        'strict': False, 'cursor': False, 'plans_in_hits': False, 'search_ceiling': 'refuse'}


def test_the_environment_chooses_the_reading_too(start_emulator):
    emulator = start_emulator(env=credentials_env(ECE_EMULATOR_ASSUMPTIONS='flipped'))
    assert _assumptions(emulator)['baseline'] == 'flipped'


# ---- each switch on the wire ------------------------------------------------------------------------------

def test_missing_extension_status(emu, client):
    assert client.get('1234567890').status_code == 404
    _assumptions(emu, missing_extension_status=403)
    for method in ('GET', 'DELETE', 'PUT'):
        reply = client.call(method, '/1234567890', data=b'PK\x05\x06' + bytes(18) if method == 'PUT' else None)
        assert reply.status_code == 403 and reply.json()['errors'][0]['code'] == 'root.forbidden', method
    reply = client.call('POST', '/1234567890', json={'name': 'x', 'version': '1', 'extension_type': 'bundle'})
    assert reply.status_code == 403


def test_same_url_redownloads(emu, client, archive_server, make_zip):
    base, files = archive_server
    from_url, from_file = make_zip(b'from the url'), make_zip(b'uploaded instead')  # once: a zip holds the time
    files['/a.zip'] = from_url
    ext = client.create(download_url=base + '/a.zip')
    uploaded = client.upload(ext['id'], from_file)['file_metadata']
    body = {'name': ext['name'], 'version': ext['version'], 'extension_type': 'bundle', 'download_url': base + '/a.zip'}
    _assumptions(emu, same_url_redownloads=False)
    kept = client.call('POST', '/' + ext['id'], json=body).json()['file_metadata']
    assert kept['size'] == uploaded['size'] and requests.get(kept['url'], timeout=10).content == from_file
    _assumptions(emu, same_url_redownloads=True)
    fresh = client.call('POST', '/' + ext['id'], json=body).json()['file_metadata']
    assert requests.get(fresh['url'], timeout=10).content == from_url


def test_download_url_after_upload(emu, client, archive_server, make_zip):
    base, files = archive_server
    files['/a.zip'] = make_zip()
    first = client.create(name='kept', download_url=base + '/a.zip')
    assert client.upload(first['id'], make_zip(b'other'))['download_url'] == base + '/a.zip'
    _assumptions(emu, download_url_after_upload='cleared')
    second = client.create(name='cleared', download_url=base + '/a.zip')
    assert 'download_url' not in client.upload(second['id'], make_zip(b'other'))


def test_omitted_description(emu, client):
    ext = client.create(description='first')
    body = {'name': ext['name'], 'version': ext['version'], 'extension_type': 'bundle'}
    assert 'description' not in client.call('POST', '/' + ext['id'], json=body).json()
    client.call('POST', '/' + ext['id'], json=dict(body, description='second'))
    _assumptions(emu, omitted_description='kept')
    assert client.call('POST', '/' + ext['id'], json=body).json()['description'] == 'second'


def _conflicting_put(deps, dep_id):
    body = update_body(deps.get(dep_id).json(), [])
    return deps.put(dep_id, body, version='1')  # a version the deployment no longer has


def test_version_conflict_status_and_code(emu, deps):
    dep = deps.create()
    deps.put(dep['id'], update_body(deps.get(dep['id']).json(), []))  # now at version 2
    reply = _conflicting_put(deps, dep['id'])
    assert reply.status_code == 400 and reply.headers['x-cloud-error-codes'] == 'deployments.version_conflict'
    _assumptions(emu, version_conflict_status='flipped', version_conflict_code='flipped')
    reply = _conflicting_put(deps, dep['id'])
    assert reply.status_code == 409 and reply.json()['errors'][0]['code'] == 'deployments.resource_version_conflict'


def test_plan_pending_status(emu, deps):
    dep = deps.create()
    deps.plans(seconds=30)
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), [])).status_code == 200
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), [])).status_code == 400
    _assumptions(emu, plan_pending_status=409)
    reply = deps.put(dep['id'], update_body(deps.get(dep['id']).json(), []))
    assert reply.status_code == 409 and reply.json()['errors'][0]['code'] == 'deployments.resource_plan_state_error'


def test_plugin_check_the_put_or_in_the_plan(emu, deps, client, make_zip):
    dep = deps.create(elasticsearch_version='8.15.1')
    ext = client.create(name='old', version='7.*')
    client.upload(ext['id'], make_zip())
    reply = deps.put(dep['id'], update_body(deps.get(dep['id']).json(), [entry(ext)]))
    assert reply.status_code == 400 and reply.json()['errors'][0]['code'] == 'clusters.cluster_invalid_plan'
    _assumptions(emu, plugin_check='plan')
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), [entry(ext)])).status_code == 200
    plans = deps.get(dep['id'], show_plan_history='true', show_plan_logs='true').json()['resources']['elasticsearch'][0]['info']['plan_info']
    failed = plans['history'][-1]
    steps = [(step['step_id'], step['status']) for step in failed['plan_attempt_log']]
    assert failed['healthy'] is False and ('validate-elasticsearch-plugin-versions', 'error') in steps
    assert 'PluginVersionsMismatch' in failed['error']['failure_type']


def test_omitted_version(emu, deps):
    dep = deps.create(elasticsearch_version='8.15.1')
    body = update_body(deps.get(dep['id']).json(), [])
    del body['resources']['elasticsearch'][0]['plan']['elasticsearch']['version']
    assert deps.put(dep['id'], copy.deepcopy(body)).status_code == 200
    assert deps.wait_settled(dep['id'])['current']['plan']['elasticsearch']['version'] == '8.15.1'
    _assumptions(emu, omitted_version='flipped')
    assert requests.get(emu.control('/plans'), timeout=10).json()['omitted_version'] == 'latest'  # one source of truth
    body = update_body(deps.get(dep['id']).json(), [])
    del body['resources']['elasticsearch'][0]['plan']['elasticsearch']['version']
    reply = deps.put(dep['id'], body)  # now an upgrade to the newest pack, 9.1.0, which 8.15.1 cannot reach
    assert reply.status_code == 400 and '9.1.0' in reply.text


def test_keep_last_modified_date(emu, client, make_zip):
    ext = client.create()
    first = client.upload(ext['id'], make_zip(b'one'))['file_metadata']
    time.sleep(0.01)
    moved = client.upload(ext['id'], make_zip(b'two'))['file_metadata']
    assert moved['last_modified_date'] != first['last_modified_date']
    assert _assumptions(emu, keep_last_modified_date='flipped')['switches']['keep_last_modified_date'] is True
    assert requests.get(emu.control('/uploads'), timeout=10).json() == {'keep_last_modified_date': True}  # the same switch
    time.sleep(0.01)
    kept = client.upload(ext['id'], make_zip(b'six'))['file_metadata']
    assert kept['last_modified_date'] == moved['last_modified_date'] and kept['size'] == moved['size']
    requests.post(emu.control('/uploads'), json={'keep_last_modified_date': False}, timeout=10)
    assert _assumptions(emu)['flipped'] == []


def test_cancelled_attempt(emu, deps):
    dep = deps.create()
    path = '/%s/elasticsearch/main-elasticsearch/plan/pending' % dep['id']
    deps.plans(seconds=30)
    for reading in ('history', 'removed'):
        _assumptions(emu, cancelled_attempt=reading)
        before = deps.plan_info(dep['id'])
        assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), [])).status_code == 200
        pending = deps.plan_info(dep['id'])['pending']
        assert deps.call('DELETE', path).status_code == 200  # graceful: force_delete=false
        after = deps.plan_info(dep['id'])
        assert 'pending' not in after and after['current']['plan_attempt_id'] == before['current']['plan_attempt_id']
        cancelled = [a for a in after['history'] if a['plan_attempt_id'] == pending['plan_attempt_id']]
        if reading == 'history':
            assert len(cancelled) == 1 and cancelled[0]['healthy'] is False and cancelled[0]['error']
        else:
            assert cancelled == [] and len(after['history']) == len(before['history'])


# ---- credentials stay off the command line ----------------------------------------------------------------

def test_credentials_come_from_the_environment_and_not_the_command_line(start_emulator, client_for):
    emulator = start_emulator(env=credentials_env(API_KEY))
    with open('/proc/%d/cmdline' % emulator.pid, 'rb') as handle:
        assert API_KEY.encode() not in handle.read()
    assert client_for(emulator).call('GET').status_code == 200
    assert client_for(emulator, 'ApiKey wrong').call('GET').status_code == 401


def test_a_secret_on_the_command_line_still_works_but_warns(start_emulator, client_for):
    emulator = start_emulator('--api-key', API_KEY)
    assert client_for(emulator).call('GET').status_code == 200
    assert emulator.stop() == 0
    assert 'warning: --api-key shows the secret to anyone who runs ps; set ECE_EMULATOR_API_KEY instead' in emulator.stderr()


def test_a_user_without_a_password_is_refused_at_start():
    env = credentials_env(username='admin', password=None)
    env.pop('ECE_EMULATOR_PASSWORD', None)
    env['ECE_EMULATOR_USERNAME'] = 'admin'
    proc = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ece_emulator.py'), '--port', '0'],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2 and 'a username and a password go together' in proc.stderr


# ---- the Swagger contract tests never pass silently ---------------------------------------------------------

@pytest.mark.parametrize('ci, outcome', [('true', 'fail'), ('', 'skip')])
def test_a_missing_swagger_file_fails_under_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    import swagger_contract  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(swagger_contract, 'shared_file', lambda name: None)
    monkeypatch.setenv('CI', ci)
    expected = pytest.fail.Exception if outcome == 'fail' else pytest.skip.Exception
    with pytest.raises(expected) as caught:
        swagger_contract.load_contract('extensions-swagger.json')
    assert 'shared/ece-api/extensions-swagger.json is absent' in str(caught.value)
    assert ('CI is set' in str(caught.value)) == (outcome == 'fail')


def test_strategy_check(emu, deps):
    dep = deps.create()
    body = update_body(deps.get(dep['id']).json(), [])
    body['resources']['elasticsearch'][0]['plan']['transient'] = {'strategy': {'no_such_strategy': {}}}
    reply = deps.put(dep['id'], body)
    assert reply.status_code == 400 and reply.json()['errors'][0]['code'] == 'clusters.cluster_invalid_plan'
    _assumptions(emu, strategy_check='none')
    reply = deps.put(dep["id"], body)
    assert reply.status_code == 200, reply.text
