"""The 0.3.0 upgrade subset over real HTTP: stack versions, version upgrades in PUT, Kibana, plan hooks."""

import copy

import pytest
import requests

from deployments_helpers import codes, resource, update_body

DEFAULT_VERSIONS = ['7.17.29', '8.15.0', '8.15.1', '8.15.3', '8.16.0', '8.18.8', '9.1.0']
BUILT_IN = ['analysis-icu', 'analysis-kuromoji', 'mapper-size', 'repository-s3']


@pytest.fixture(name='plugin')
def fixture_plugin(client, make_zip):
    """Factory: a plugin extension built for `version`, with an archive carrying a real descriptor."""
    def make(version, name='analysis-custom'):
        ext = client.create(name=name, extension_type='plugin', version=version)
        descriptor = 'name=%s\nversion=1.0\nelasticsearch.version=%s\njava.version=17\nclassname=org.example.Custom\n' % (name, version)
        client.upload(ext['id'], make_zip(descriptor.encode()))
        return ext
    return make


def stack(emu, path='', **params):
    return requests.get(emu.url + '/api/v1/stack/versions' + path, params=params, timeout=10,
                        headers={'Authorization': 'ApiKey test-key-0123456789'})


def packs(emu, versions):
    return requests.post(emu.control('/stack_versions'), json={'versions': versions}, timeout=10)


def plugin_entry(ext, version=None):
    return {'name': ext['name'], 'url': ext['url'], 'elasticsearch_version': version or ext['version']}


def upgrade_body(deps, dep_id, version, plugins=None, kibana=True, strategy=None):
    """The current Elasticsearch plan at `version` (plugins replaced when given), plus Kibana at `version`."""
    body = update_body(deps.get(dep_id).json(), plugins=plugins)
    plan = body['resources']['elasticsearch'][0]['plan']
    plan['elasticsearch']['version'] = version
    if strategy is not None:
        plan['transient'] = {'strategy': strategy}
    if kibana:
        body['resources']['kibana'] = [{'ref_id': 'main-kibana', 'elasticsearch_cluster_ref_id': 'main-elasticsearch',
                                        'region': 'ece-region', 'plan': {'kibana': {'version': version}}}]
    return body


def versions_of(deps, dep_id):
    body = deps.get(dep_id).json()
    return {kind: items[0]['info']['plan_info']['current']['plan'][kind]['version']
            for kind, items in body['resources'].items() if items}


def attempts(emu, dep_id):
    reply = requests.get(emu.control('/deployments/%s/attempts' % dep_id), timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()


def settle_all(deps, dep_id):
    """Wait until neither Elasticsearch nor Kibana has a pending plan."""
    deps.wait_settled(dep_id)
    for _attempt in range(200):
        body = deps.get(dep_id).json()
        if all('pending' not in items[0]['info']['plan_info'] for items in body['resources'].values() if items):
            return body
        deps.wait_settled(dep_id, timeout=1)
    raise AssertionError('Kibana plan still pending')


# ---- stack versions ------------------------------------------------------------------------------------

def test_default_stack_versions_and_their_paths(emu, deps):
    listed = stack(emu).json()['stacks']
    assert sorted(item['version'] for item in listed) == sorted(DEFAULT_VERSIONS)
    assert [item['version'] for item in listed] == sorted(DEFAULT_VERSIONS, key=lambda v: tuple(map(int, v.split('.'))), reverse=True)
    by_version = {item['version']: item for item in listed}
    assert by_version['8.15.1']['upgradable_to'] == ['8.15.3', '8.16.0', '8.18.8']
    assert by_version['8.18.8']['upgradable_to'] == ['9.1.0']
    assert by_version['7.17.29']['upgradable_to'] == [] and by_version['9.1.0']['upgradable_to'] == []
    assert all(item['elasticsearch']['plugins'] == BUILT_IN for item in listed)
    one = stack(emu, '/8.16.0')
    assert one.status_code == 200 and one.json() == by_version['8.16.0'] and one.json()['kibana']['version'] == '8.16.0'
    missing = stack(emu, '/8.99.0')
    assert missing.status_code == 404 and codes(missing) == ['stackpack.version_not_found']
    assert requests.get(emu.url + '/api/v1/stack/versions', timeout=10).status_code == 401


def test_stack_versions_are_replaced_and_reset(emu):
    reply = packs(emu, [{'version': '8.16.0', 'upgradable_to': [], 'plugins': ['analysis-icu']},
                        {'version': '8.15.1', 'upgradable_to': ['8.16.0'], 'plugins': [], 'deleted': True}])
    assert reply.status_code == 200
    assert [item['version'] for item in stack(emu).json()['stacks']] == ['8.16.0']
    assert [item['version'] for item in stack(emu, show_deleted='true').json()['stacks']] == ['8.16.0', '8.15.1']
    assert stack(emu, '/8.15.1').json()['deleted'] is True
    for bad in ({'versions': [{'version': 'eight'}]}, {'versions': [{'version': '8.1.0', 'plugins': 'x'}]},
                {'versions': [{'version': '8.1.0', 'colour': 1}]}, {'stacks': []},
                {'versions': [{'version': '8.1.0'}, {'version': '8.1.0'}]}):
        refused = requests.post(emu.control('/stack_versions'), json=bad, timeout=10)
        assert refused.status_code == 400, bad
    assert len(stack(emu, show_deleted='true').json()['stacks']) == 2  # a refused body changed nothing
    emu.reset()
    assert sorted(item['version'] for item in stack(emu).json()['stacks']) == sorted(DEFAULT_VERSIONS)


def test_create_takes_kibana_and_built_in_plugins(deps, emu):
    dep = deps.create(kibana=True, enabled_built_in_plugins=['analysis-icu'])
    kibana = dep['resources']['kibana'][0]
    assert (kibana['ref_id'], kibana['elasticsearch_cluster_ref_id']) == ('main-kibana', 'main-elasticsearch')
    assert kibana['info']['plan_info']['current']['plan']['kibana']['version'] == '8.15.1'
    assert resource(dep)['info']['plan_info']['current']['plan']['elasticsearch']['enabled_built_in_plugins'] == ['analysis-icu']
    assert [ref['kind'] for ref in deps.call('GET').json()['deployments'][0]['resources']] == ['elasticsearch', 'kibana']
    for bad in ({'kibana': 'yes'}, {'enabled_built_in_plugins': 'analysis-icu'}):
        reply = requests.post(emu.control('/deployments'), json=dict(bad, name='x', elasticsearch_version='8.15.1'), timeout=10)
        assert reply.status_code == 400, bad
    assert deps.create(name='plain')['resources']['kibana'] == []


# ---- upgrades ---------------------------------------------------------------------------------------------

def test_an_upgrade_moves_elasticsearch_then_kibana_and_swaps_the_plugin(deps, emu, plugin):
    old, new = plugin('8.15.1'), plugin('8.16.0')
    dep = deps.create(kibana=True)
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), plugins=[plugin_entry(old)])).status_code == 200
    settle_all(deps, dep['id'])
    deps.plans(seconds=0.5)
    reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0', plugins=[plugin_entry(new)]))
    assert reply.status_code == 200, reply.text
    assert [ref['kind'] for ref in reply.json()['resources']] == ['elasticsearch', 'kibana']
    settle_all(deps, dep['id'])
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.16.0'}
    done = attempts(emu, dep['id'])
    es_attempt, kibana_attempt = done['elasticsearch'][-1], done['kibana'][-1]
    assert (es_attempt['version'], es_attempt['outcome'], kibana_attempt['version'], kibana_attempt['outcome']) == (
        '8.16.0', 'success', '8.16.0', 'success')
    body = deps.get(dep['id'], show_plan_logs='true').json()
    es_end = resource(body)['info']['plan_info']['current']['attempt_end_time']
    assert body['resources']['kibana'][0]['info']['plan_info']['current']['attempt_end_time'] >= es_end  # Kibana after Elasticsearch
    assert [item['url'] for item in deps.loaded(dep['id'])['extensions']] == [new['url']]


def test_upgrade_refusals_name_their_code(deps, plugin):
    old = plugin('8.15.1')
    dep = deps.create(kibana=True, enabled_built_in_plugins=['analysis-icu'])
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), plugins=[plugin_entry(old)])).status_code == 200
    settle_all(deps, dep['id'])
    cases = [
        ('8.99.0', [plugin_entry(old, '8.99.0')], 'clusters.cluster_plan_change_prohibited'),
        ('8.15.0', [plugin_entry(old, '8.15.0')], 'deployments.upgrade_path_not_allowed'),  # a downgrade
        ('9.1.0', [plugin_entry(old, '9.1.0')], 'deployments.upgrade_path_not_allowed'),  # not in upgradable_to
        ('8.16.0', [plugin_entry(old)], 'clusters.cluster_invalid_plan'),  # the plugin is for 8.15.1
        ('8.16.0', [plugin_entry(old, '8.16.0')], 'clusters.cluster_invalid_plan'),  # its extension is for 8.15.1
    ]
    for version, plugins, code in cases:
        reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], version, plugins=plugins))
        assert reply.status_code == 400 and codes(reply) == [code], (version, reply.text)
    kibana_ahead = upgrade_body(deps, dep['id'], '8.15.1')
    kibana_ahead['resources']['kibana'][0]['plan']['kibana']['version'] = '8.16.0'
    reply = deps.put(dep['id'], kibana_ahead)
    assert reply.status_code == 400 and 'must match the Elasticsearch version' in reply.text
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.15.1', 'kibana': '8.15.1'}
    assert 'pending' not in deps.plan_info(dep['id'])


def test_built_in_plugins_must_exist_at_the_target(deps, emu):
    packs(emu, [{'version': '8.15.1', 'upgradable_to': ['8.16.0'], 'plugins': ['analysis-icu']},
                {'version': '8.16.0', 'upgradable_to': [], 'plugins': ['mapper-size']}])
    dep = deps.create(enabled_built_in_plugins=['analysis-icu'])
    body = upgrade_body(deps, dep['id'], '8.16.0', kibana=False)
    reply = deps.put(dep['id'], body)
    assert reply.status_code == 400 and codes(reply) == ['clusters.cluster_invalid_plan'] and 'analysis-icu' in reply.text
    del body['resources']['elasticsearch'][0]['plan']['elasticsearch']['enabled_built_in_plugins']
    topology = body['resources']['elasticsearch'][0]['plan']['cluster_topology'][0]
    topology['elasticsearch']['enabled_built_in_plugins'] = ['analysis-icu']  # the topology level counts too
    assert deps.put(dep['id'], body).status_code == 400
    del topology['elasticsearch']['enabled_built_in_plugins']
    assert deps.put(dep['id'], body).status_code == 200


def test_strategies_on_a_major_upgrade(deps, emu):
    dep = deps.create(elasticsearch_version='8.18.8')
    for strategy, status in (({'rolling': {'group_by': '__name__'}}, 400), ({'rolling': {}}, 400),
                             ({'grow_and_shrink': {}, 'autodetect': {}}, 400), ({'sideways': {}}, 400),
                             ({'rolling': {'group_by': '__all__'}}, 200)):
        reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], '9.1.0', kibana=False, strategy=strategy))
        assert reply.status_code == status, (strategy, reply.text)
    deps.wait_settled(dep['id'])
    assert attempts(emu, dep['id'])['elasticsearch'][-1]['strategy'] == {'rolling': {'group_by': '__all__'}}
    minor = deps.create(elasticsearch_version='8.15.1')
    reply = deps.put(minor['id'], upgrade_body(deps, minor['id'], '8.16.0', kibana=False, strategy={'rolling': {'group_by': '__name__'}}))
    assert reply.status_code == 200  # only a major needs __all__


def test_plugin_check_plan_mode_fails_the_attempt_at_its_step(deps, emu, plugin):
    old = plugin('8.15.1')
    dep = deps.create(kibana=True)
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), plugins=[plugin_entry(old)])).status_code == 200
    settle_all(deps, dep['id'])
    deps.plans(plugin_check='plan', fail_next=1)
    checked = deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0', plugins=[plugin_entry(old)]), validate_only='true')
    assert checked.status_code == 200  # validate_only does not run the plugin check in this mode
    reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0', plugins=[plugin_entry(old)]))
    assert reply.status_code == 200
    body = settle_all(deps, dep['id'])
    info = deps.plan_info(dep['id'])
    failed = info['history'][-1]
    steps = [(step['step_id'], step['status']) for step in failed['plan_attempt_log']]
    assert steps[-2:] == [('validate-elasticsearch-plugin-versions', 'error'), ('plan-completed', 'error')]
    assert failed['error']['message'] == 'Plan change failed: Failed to validate Elasticsearch versions for plan.'
    assert info['current']['plan']['elasticsearch']['version'] == '8.15.1'
    kibana = body['resources']['kibana'][0]['info']['plan_info']
    assert kibana['healthy'] is False and kibana['current']['plan']['kibana']['version'] == '8.15.1'
    assert deps.plans()['fail_next'] == 1  # the plugin check's failure did not use up fail_next


@pytest.mark.parametrize('mode', ['put', 'plan'])
def test_plugin_check_each_mode_meets_a_mismatch_and_lets_a_fitting_swap_through(deps, emu, plugin, mode):
    """An upgrade that keeps the 8.15.1 build is refused at the PUT (put) or fails at the plugin step (plan);
    the same upgrade with the build swapped for the 8.16.0 one passes in both modes."""
    old, new = plugin('8.15.1'), plugin('8.16.0')
    dep = deps.create(kibana=True)
    assert deps.put(dep['id'], update_body(deps.get(dep['id']).json(), plugins=[plugin_entry(old)])).status_code == 200
    settle_all(deps, dep['id'])
    deps.plans(plugin_check=mode)
    reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0', plugins=[plugin_entry(old, '8.16.0')]))
    if mode == 'put':
        assert reply.status_code == 400 and codes(reply) == ['clusters.cluster_invalid_plan'], reply.text
    else:
        assert reply.status_code == 200, reply.text
        settle_all(deps, dep['id'])
        failed = deps.plan_info(dep['id'])['history'][-1]
        assert ('validate-elasticsearch-plugin-versions', 'error') in [(s['step_id'], s['status']) for s in failed['plan_attempt_log']]
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.15.1', 'kibana': '8.15.1'}
    reply = deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0', plugins=[plugin_entry(new)]))
    assert reply.status_code == 200, reply.text
    body = settle_all(deps, dep['id'])
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.16.0'}
    info = resource(body)['info']['plan_info']
    assert info['healthy'] is True
    assert [entry['url'] for entry in info['current']['plan']['elasticsearch']['user_plugins']] == [new['url']]


def test_a_failed_kibana_step_leaves_elasticsearch_upgraded_and_a_rerun_converges(deps, emu):
    dep = deps.create(kibana=True)
    deps.plans(fail_kibana_next=1)
    assert deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0')).status_code == 200
    body = settle_all(deps, dep['id'])
    kibana = body['resources']['kibana'][0]['info']['plan_info']
    assert kibana['healthy'] is False and body['healthy'] is False
    log = deps.get(dep['id'], show_plan_logs='true', show_plan_history='true').json()['resources']['kibana'][0]['info']['plan_info']
    failed = log['history'][-1]
    assert [(s['step_id'], s['status']) for s in failed['plan_attempt_log']][-2:] == [('wait-until-running', 'error'), ('plan-completed', 'error')]
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.15.1'}
    retry = upgrade_body(deps, dep['id'], '8.16.0')
    del retry['resources']['elasticsearch']
    assert deps.put(dep['id'], retry).status_code == 200
    settle_all(deps, dep['id'])
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.16.0'}
    assert deps.get(dep['id']).json()['healthy'] is True


def test_a_failed_kibana_step_rolls_elasticsearch_back_under_the_other_reading(deps, emu):
    """Register stateless-failure-keeps-elasticsearch, flipped: ECE puts the previous Elasticsearch plan back."""
    dep = deps.create(kibana=True)
    reply = requests.post(emu.control('/assumptions'), json={'es_after_kibana_failure': 'flipped'}, timeout=10)
    assert reply.json()['switches']['es_after_kibana_failure'] == 'rolled_back'
    assert deps.plans()['es_after_kibana_failure'] == 'rolled_back'  # one source of truth
    deps.plans(fail_kibana_next=1)
    assert deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0')).status_code == 200
    body = settle_all(deps, dep['id'])
    assert body['resources']['kibana'][0]['info']['plan_info']['healthy'] is False
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.15.1', 'kibana': '8.15.1'}
    es = deps.get(dep['id'], show_plan_history='true').json()['resources']['elasticsearch'][0]['info']['plan_info']
    upgraded = es['history'][-1]
    assert upgraded['plan']['elasticsearch']['version'] == '8.16.0' and upgraded['healthy'] is True  # then undone
    assert es['current']['plan']['elasticsearch']['version'] == '8.15.1'
    assert deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0')).status_code == 200  # a re-run moves both
    settle_all(deps, dep['id'])
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.16.0'}
    emu.reset()
    assert deps.plans()['es_after_kibana_failure'] == 'upgraded'


def test_a_kibana_only_failure_rolls_nothing_back(deps, emu):
    """The rollback undoes only an Elasticsearch change of the same update: Kibana failing alone leaves Elasticsearch be."""
    dep = deps.create(kibana=True)
    requests.post(emu.control('/assumptions'), json={'es_after_kibana_failure': 'rolled_back'}, timeout=10)
    assert deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0', kibana=False)).status_code == 200  # Elasticsearch alone
    settle_all(deps, dep['id'])
    deps.plans(fail_kibana_next=1)
    kibana_only = upgrade_body(deps, dep['id'], '8.16.0')
    del kibana_only['resources']['elasticsearch']
    assert deps.put(dep['id'], kibana_only).status_code == 200
    body = settle_all(deps, dep['id'])
    assert body['resources']['kibana'][0]['info']['plan_info']['healthy'] is False
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.15.1'}


def test_kibana_fails_when_elasticsearch_did_not_move(deps):
    dep = deps.create(kibana=True)
    deps.plans(fail_next=1)
    assert deps.put(dep['id'], upgrade_body(deps, dep['id'], '8.16.0')).status_code == 200
    body = settle_all(deps, dep['id'])
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.15.1', 'kibana': '8.15.1'}
    assert body['resources']['kibana'][0]['info']['plan_info']['healthy'] is False


def test_blank_kibana_version_follows_elasticsearch(deps):
    dep = deps.create(kibana=True)
    body = upgrade_body(deps, dep['id'], '8.16.0')
    body['resources']['kibana'][0]['plan']['kibana'] = {}
    assert deps.put(dep['id'], body).status_code == 200
    settle_all(deps, dep['id'])
    assert versions_of(deps, dep['id']) == {'elasticsearch': '8.16.0', 'kibana': '8.16.0'}


def test_concurrent_change_is_another_users_attempt(deps, emu):
    dep = deps.create()
    deps.plans(seconds=30, fail_next=1)
    started = requests.post(emu.control('/deployments/%s/concurrent_change' % dep['id']), timeout=10)
    assert started.status_code == 201
    pending = deps.plan_info(dep['id'])['pending']
    assert pending['plan_attempt_id'] == started.json()['attempt_id'] and pending['source']['user_id'] == 'another-user'
    busy = deps.put(dep['id'], update_body(deps.get(dep['id']).json()))
    assert busy.status_code == 400 and codes(busy) == ['deployments.resource_plan_state_error']
    again = requests.post(emu.control('/deployments/%s/concurrent_change' % dep['id']), timeout=10)
    assert again.status_code == 409
    assert deps.plans()['fail_next'] == 1
    missing = requests.post(emu.control('/deployments/%s/concurrent_change' % ('0' * 32)), timeout=10)
    assert missing.status_code == 404


def test_an_omitted_version_keeps_the_current_one(deps, plugin):
    """Was a 500 (AttributeError in version_matches) before: issue 18, schemathesis."""
    ext = plugin('8.15.1')
    dep = deps.create()
    body = update_body(deps.get(dep['id']).json(), plugins=[plugin_entry(ext)])
    del body['resources']['elasticsearch'][0]['plan']['elasticsearch']['version']
    reply = deps.put(dep['id'], copy.deepcopy(body))
    assert reply.status_code == 200, reply.text
    info = deps.wait_settled(dep['id'])
    assert info['current']['plan']['elasticsearch']['version'] == '8.15.1'
    assert deps.put(dep['id'], copy.deepcopy(body)).status_code == 200  # the stored plan has a version: no crash later
    deps.wait_settled(dep['id'])
    deps.plans(omitted_version='latest')
    latest = deps.put(dep['id'], copy.deepcopy(body))
    assert latest.status_code == 400 and codes(latest) == ['deployments.upgrade_path_not_allowed'] and '9.1.0' in latest.text


def test_the_first_refusal_answers_and_later_checks_do_not_run(deps):
    dep = deps.create()
    body = update_body(deps.get(dep['id']).json(), plugins=[{'name': 'x', 'url': 'ftp://host/x.zip', 'elasticsearch_version': '1.0'}])
    del body['resources']['elasticsearch'][0]['plan']['elasticsearch']['version']
    body['resources']['elasticsearch'][0]['plan']['transient'] = {'strategy': {'two': {}, 'keys': {}}}
    reply = deps.put(dep['id'], body)
    assert reply.status_code == 400 and codes(reply) == ['clusters.invalid_extension_url']


def test_upgrade_settings_are_checked(deps, emu):
    for bad in ({'plugin_check': 'later'}, {'fail_kibana_next': -1}, {'fail_kibana_next': True}, {'omitted_version': 'newest'}):
        assert requests.post(emu.control('/plans'), json=bad, timeout=10).status_code == 400, bad
    assert deps.plans()['plugin_check'] == 'put'
    emu.reset()
    assert deps.plans()['fail_kibana_next'] == 0
