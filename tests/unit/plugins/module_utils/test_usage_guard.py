# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The safety rule for extensions in use: the version rules, which deployments run what, the reads, the messages,
and the reconciler refusing before any write (and warning about stale copies after a new archive)."""

from __future__ import annotations

import zipfile

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension, ExtensionReconciler
from ansible_collections.ece.platform.plugins.module_utils._usage_guard import (
    UsageGuard,
    cannot_run,
    describe,
    public_view,
    user,
    versions_using,
)
from ansible_collections.ece.platform.plugins.module_utils._version_rules import version_matches

from ansible_collections.ece.platform.tests.unit.fakes import (  # pylint: disable=unused-import
    FakeExtensionsApi,
    extension,
    with_stored_file,
)

DEP_A = 'a' * 32
DEP_B = 'b' * 32
DESCRIPTOR = 'name=myplug\nversion=1.0.0\nclassname=org.example.MyPlugin\njava.version=17\nelasticsearch.version=%s\n'


# The version rules (shared with attaching, in _version_rules)

@pytest.mark.parametrize('extension_type, wanted, es_version, expected', [
    ('plugin', '8.15.1', '8.15.1', True),
    ('plugin', '8.16.0', '8.15.1', False),
    ('plugin', '8.*', '8.15.1', False),          # a plugin never matches by wildcard
    ('plugin', '*', '8.15.1', False),
    ('bundle', '8.15.1', '8.15.1', True),
    ('bundle', '8.*', '8.15.1', True),
    ('bundle', '8.*', '9.1.0', False),
    ('bundle', '*', '8.15.1', True),
    ('bundle', '*', '9.1.0', True),
    ('bundle', '8.15.*', '8.15.3', True),
    ('bundle', '8.15.*', '8.16.0', False),
    ('bundle', '8.1.*', '8.15.1', False),      # a prefix of parts, not of characters
    ('bundle', '8.*.1', '8.15.1', False),      # a wildcard only at the end
    ('bundle', None, '8.15.1', False),
    ('bundle', '8.*', None, False),
])
def test_version_matches(extension_type, wanted, es_version, expected):
    assert version_matches(extension_type, wanted, es_version) is expected


def test_the_plan_module_uses_the_same_rule():
    from ansible_collections.ece.platform.plugins.module_utils import _deployment_plan  # pylint: disable=import-outside-toplevel
    assert _deployment_plan.version_matches is version_matches


# Which Elasticsearch versions a deployment runs with an extension

def deployment(dep_id=DEP_A, name='search-prod', version='8.15.1', plugins=(), bundles=(), pending=None, topology_plugins=()):
    plan = {'elasticsearch': {'version': version, 'user_plugins': list(plugins), 'user_bundles': list(bundles)},
            'cluster_topology': [{'elasticsearch': {'user_plugins': list(topology_plugins)}}]}
    plan_info = {'current': {'plan': plan, 'healthy': True}}
    if pending is not None:
        plan_info['pending'] = {'plan': pending}
    return {'id': dep_id, 'name': name,
            'resources': {'elasticsearch': [{'ref_id': 'main-elasticsearch', 'info': {'plan_info': plan_info}}]}}


def entry(ext_id, version):
    return {'name': 'myplug', 'url': 'repo://%s' % ext_id, 'elasticsearch_version': version}


def test_versions_using_reads_the_running_plan_that_references_the_url():
    assert versions_using(deployment(plugins=[entry('1', '8.15.1')]), 'repo://1') == ['8.15.1']


def test_versions_using_finds_a_reference_in_a_topology_element():
    assert versions_using(deployment(version='8.15.3', topology_plugins=[entry('1', '8.15.3')]), 'repo://1') == ['8.15.3']


def test_versions_using_adds_a_pending_plan_that_references_it():
    pending = {'elasticsearch': {'version': '8.16.0', 'user_plugins': [entry('1', '8.16.0')]}}
    assert versions_using(deployment(plugins=[entry('1', '8.15.1')], pending=pending), 'repo://1') == ['8.15.1', '8.16.0']


def test_versions_using_ignores_a_pending_plan_without_it():
    pending = {'elasticsearch': {'version': '8.16.0', 'user_plugins': [entry('2', '8.16.0')]}}
    assert versions_using(deployment(plugins=[entry('1', '8.15.1')], pending=pending), 'repo://1') == ['8.15.1']


def test_versions_using_without_a_reference_counts_every_plan():
    # Reported in use, yet no plan lists it: the guard must not pass for want of a reference.
    pending = {'elasticsearch': {'version': '8.16.0'}}
    assert versions_using(deployment(pending=pending), 'repo://1') == ['8.15.1', '8.16.0']


def test_versions_using_a_deployment_without_plans_is_empty():
    assert versions_using({'id': DEP_A, 'resources': {'elasticsearch': []}}, 'repo://1') == []


# Who could not run what

def test_cannot_run_a_new_plugin_version():
    users = [user(DEP_A, 'search-prod', ['8.15.1']), user(DEP_B, 'logs', ['8.16.0'])]
    assert [u['id'] for u in cannot_run('plugin', '8.16.0', users)] == [DEP_A]
    assert cannot_run('plugin', '8.15.1', users[:1]) == []


def test_cannot_run_a_narrowed_bundle_wildcard():
    users = [user(DEP_A, 'search-prod', ['8.15.1']), user(DEP_B, 'logs', ['8.16.0'])]
    assert cannot_run('bundle', '*', users) == []
    assert cannot_run('bundle', '8.*', users) == []
    assert [u['id'] for u in cannot_run('bundle', '8.16.*', users)] == [DEP_A]
    assert len(cannot_run('bundle', '9.*', users)) == 2


def test_every_version_of_a_deployment_must_fit():
    # Running 8.15.1, upgrading to 8.16.0 with the same extension in the pending plan: 8.* fits both, 8.15.* not.
    users = [user(DEP_A, 'search-prod', ['8.15.1', '8.16.0'])]
    assert cannot_run('bundle', '8.*', users) == []
    assert cannot_run('bundle', '8.15.*', users) == users


def test_an_unreadable_deployment_blocks_every_change():
    users = [user(DEP_A, None, [], unreadable='HTTP 403')]
    assert cannot_run('bundle', '*', users) == users
    assert 'could not be read: HTTP 403' in describe(users)


def test_public_view_keeps_id_name_and_running_version():
    users = [user(DEP_A, 'search-prod', ['8.15.1', '8.16.0'])]
    assert public_view(users) == [{'id': DEP_A, 'name': 'search-prod', 'elasticsearch_version': '8.15.1'}]


# The reads

class FakeDeploymentsApi:
    def __init__(self, *deployments, failures=None):
        self.by_id = {dep['id']: dep for dep in deployments}
        self.calls = []
        self.failures = failures or {}

    def get(self, deployment_id):
        self.calls.append(('get', deployment_id))
        if deployment_id in self.failures:
            raise self.failures[deployment_id]
        body = self.by_id.get(deployment_id)
        return (body, '7') if body else (None, None)

    def list(self):
        self.calls.append(('list',))
        return [{'id': dep['id'], 'name': dep['name']} for dep in self.by_id.values()]


def guard_for(ext, *deployments, failures=None):
    api = FakeExtensionsApi(ext)
    deps = FakeDeploymentsApi(*deployments, failures=failures)
    return api, deps, UsageGuard(api, deps)


def test_users_are_read_once_per_extension():
    ext = extension('1', extension_type='plugin', version='8.15.1')
    api, deps, guard = guard_for(ext, deployment(plugins=[entry('1', '8.15.1')]))
    api.store['1']['deployments'] = [DEP_A]
    first = guard.users(ext)
    assert guard.users(ext) is first
    assert [u['elasticsearch_version'] for u in first] == ['8.15.1']
    assert [c[0] for c in api.calls] == ['get'] and deps.calls == [('get', DEP_A)]


def test_an_entry_that_is_a_name_is_looked_up_by_name():
    ext = extension('1', extension_type='plugin', version='8.15.1')
    api, deps, guard = guard_for(ext, deployment(name='search-prod'))
    api.store['1']['deployments'] = ['search-prod']
    [found] = guard.users(ext)
    assert (found['id'], found['name'], found['elasticsearch_versions']) == (DEP_A, 'search-prod', ['8.15.1'])
    assert deps.calls == [('list',), ('get', DEP_A)]


def test_an_entry_nobody_can_read_fails_closed():
    ext = extension('1', extension_type='plugin', version='8.15.1')
    api, _deps, guard = guard_for(ext, deployment(dep_id=DEP_B, name='other'),
                                  failures={DEP_B: EceApiError('no', 'GET', 'u', status=403)})
    api.store['1']['deployments'] = ['gone', DEP_B]
    gone, forbidden = guard.users(ext)
    assert gone['name'] == 'gone' and gone['unreadable'] == 'no deployment has that id or name'
    assert forbidden['id'] == DEP_B and forbidden['unreadable'] == 'HTTP 403'
    with pytest.raises(EceError, match='could not be read'):
        guard.check_version(ext, '8.15.1')


# The reconciler: refused before any write, warned after a new archive

def plugin_zip(path, es_version):
    with zipfile.ZipFile(str(path), 'w') as archive:
        archive.writestr('plugin-descriptor.properties', DESCRIPTOR % es_version)
        archive.writestr('myplug-1.0.0.jar', b'jar bytes for %s' % es_version.encode())
    return str(path)


def in_use_plugin(version='8.15.1', dep_version='8.15.1'):
    ext = extension('1', name='myplug', extension_type='plugin', version=version)
    api = FakeExtensionsApi(ext)
    api.store['1']['deployments'] = [DEP_A]
    deps = FakeDeploymentsApi(deployment(version=dep_version, plugins=[entry('1', dep_version)]))
    warnings = []
    reconciler = ExtensionReconciler(api, warn=warnings.append, usage=UsageGuard(api, deps))
    return api, deps, reconciler, warnings


def run(reconciler, **options):
    want = DesiredExtension('myplug', **options)
    want.prepare()
    return reconciler.run(want)


def test_a_new_plugin_version_in_use_is_refused_naming_the_deployment(tmp_path):
    api, _deps, reconciler, _warnings = in_use_plugin()
    with pytest.raises(EceError) as caught:
        run(reconciler, version='8.16.0', file=plugin_zip(tmp_path / 'p.zip', '8.16.0'))
    msg = caught.value.msg
    assert 'search-prod (id %s, Elasticsearch 8.15.1)' % DEP_A in msg
    assert 'from version 8.15.1 to 8.16.0' in msg
    assert 'identity=name_and_version' in msg and 'ece.platform.deployment_upgrade' in msg and 'replaces' in msg
    # replaces cannot attach an 8.16.0 build to a deployment on 8.15.1: the message must not offer it as a way for them.
    assert 'replaces swaps them without an upgrade, so only on a deployment whose Elasticsearch version' in msg
    assert caught.value.details['in_use_by'] == [{'id': DEP_A, 'name': 'search-prod', 'elasticsearch_version': '8.15.1'}]
    assert api.writes == []


def test_a_new_version_alone_is_refused_too():
    api, _deps, reconciler, _warnings = in_use_plugin()
    with pytest.raises(EceError, match='could not run a plugin for 8.16.0'):
        run(reconciler, version='8.16.0')
    assert api.writes == []


def test_a_refused_version_gets_no_warning_that_contradicts_the_refusal():
    # The warning "give option file with the plugin built for 8.16.0" would send the user into a second refusal.
    api, _deps, reconciler, warnings = in_use_plugin()
    with_stored_file(api, '1', b'stored plugin')
    with pytest.raises(EceError, match='could not run a plugin for 8.16.0'):
        run(reconciler, version='8.16.0')
    assert warnings == []
    assert api.writes == []


def test_a_version_that_fits_every_deployment_is_allowed():
    # The repair of a plugin moved in place before 0.3.0: back to the deployment's version.
    api, _deps, reconciler, _warnings = in_use_plugin(version='8.16.0')
    result = run(reconciler, version='8.15.1')
    assert result['changed'] and [c[0] for c in api.writes] == ['update']
    assert 'in_use_by' not in result


def test_an_archive_for_another_version_is_refused_when_the_extension_says_so_too(tmp_path):
    # The extension itself is already at 8.16.0 (moved before 0.3.0); its deployment runs 8.15.1.
    api, _deps, reconciler, _warnings = in_use_plugin(version='8.16.0')
    with pytest.raises(EceError) as caught:
        run(reconciler, file=plugin_zip(tmp_path / 'p.zip', '8.16.0'))
    assert 'was not uploaded' in caught.value.msg and 'elasticsearch.version=8.16.0' in caught.value.msg
    assert 'search-prod' in caught.value.msg
    assert api.writes == []


def test_an_archive_that_disagrees_with_the_extension_keeps_the_earlier_message(tmp_path):
    api, deps, reconciler, _warnings = in_use_plugin()
    with pytest.raises(EceError, match='is a plugin for Elasticsearch 8.15.1 on the server') as caught:
        run(reconciler, file=plugin_zip(tmp_path / 'p.zip', '8.16.0'))
    assert api.calls == [('list',)] and deps.calls == []
    # Setting version=8.16.0 alone would be refused next: the message also names the way that works.
    assert 'add the build for 8.16.0 beside it with identity=name_and_version and version=8.16.0' in caught.value.msg


def test_a_new_archive_in_use_warns_and_returns_in_use_by(tmp_path):
    api, _deps, reconciler, warnings = in_use_plugin()
    with_stored_file(api, '1', b'old bytes')
    result = run(reconciler, file=plugin_zip(tmp_path / 'p.zip', '8.15.1'))
    assert [c[0] for c in api.writes] == ['upload']
    assert result['in_use_by'] == [{'id': DEP_A, 'name': 'search-prod', 'elasticsearch_version': '8.15.1'}]
    [warning] = warnings
    assert 'search-prod (id %s, Elasticsearch 8.15.1)' % DEP_A in warning and 'reload=stale' in warning


def test_a_new_download_url_in_use_warns():
    api, _deps, reconciler, warnings = in_use_plugin()
    api.store['1']['download_url'] = 'https://example.com/old.zip'
    result = run(reconciler, download_url='https://example.com/new.zip')
    assert result['in_use_by'][0]['name'] == 'search-prod' and len(warnings) == 1


def test_a_new_archive_nobody_uses_returns_an_empty_in_use_by(tmp_path):
    api = FakeExtensionsApi(extension('1', name='myplug', extension_type='plugin', version='8.15.1'))
    with_stored_file(api, '1', b'old bytes')
    warnings = []
    result = ExtensionReconciler(api, warn=warnings.append, usage=UsageGuard(api, FakeDeploymentsApi())).run(
        _validated(file=plugin_zip(tmp_path / 'p.zip', '8.15.1')))
    assert result['in_use_by'] == [] and warnings == []


def test_a_no_op_or_a_description_change_reads_no_deployments(tmp_path):
    api, deps, reconciler, _warnings = in_use_plugin()
    path = plugin_zip(tmp_path / 'p.zip', '8.15.1')
    with open(path, 'rb') as handle:
        with_stored_file(api, '1', handle.read())
    result = run(reconciler, version='8.15.1', description='new words', file=path)
    assert [c[0] for c in api.writes] == ['update'] and 'in_use_by' not in result
    assert [c[0] for c in api.calls if c[0] == 'get'] == [] and deps.calls == []


def test_a_narrowed_bundle_wildcard_in_use_is_refused():
    ext = extension('1', name='synonyms', version='8.*')
    api = FakeExtensionsApi(ext)
    api.store['1']['deployments'] = [DEP_A]
    deps = FakeDeploymentsApi(deployment(bundles=[{'name': 'synonyms', 'url': 'repo://1', 'elasticsearch_version': '8.*'}]))
    reconciler = ExtensionReconciler(api, usage=UsageGuard(api, deps))
    with pytest.raises(EceError, match='could not run a bundle for 8.16.*'):
        reconciler.run(_validated('synonyms', version='8.16.*'))
    assert reconciler.run(_validated('synonyms', version='*'))['changed']


def _validated(name='myplug', **options):
    want = DesiredExtension(name, **options)
    want.prepare()
    return want
