# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option identity: one extension per name (name), or one per build (name_and_version), for one extension and a set."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_identity import only_match, select
from ansible_collections.ece.platform.plugins.module_utils._extension_set import ExtensionSetReconciler, is_listed, listed_keys
from ansible_collections.ece.platform.plugins.module_utils._extension_set_items import desired_items
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension, ExtensionReconciler
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import COLLECTION_PATH, ExtensionsApi

from ansible_collections.ece.platform.tests.unit.plugins.module_utils.test_extension_set import StoreApi
from ansible_collections.ece.platform.tests.unit.fakes import FakeExtensionsApi, extension
from ansible_collections.ece.platform.tests.unit.plugins.module_utils.test_extensions_api import FakeClient, transport_error


class BuildsApi(FakeExtensionsApi):
    """The in-memory API, noting whether a create asked to be matched by version after an unclear answer."""

    def create(self, body, by_version=False):
        self.calls.append(('create_by_version', by_version))
        return super().create(body)


def build(ext_id, version, name='myplug'):
    return extension(ext_id, name=name, extension_type='plugin', version=version)


def want(version=None, identity='name_and_version', **options):
    desired = DesiredExtension(options.pop('name', 'myplug'), version=version, identity=identity, **options)
    desired.prepare()
    return desired


# Finding

def test_identity_name_fails_on_several_listing_ids_and_versions():
    with pytest.raises(EceError) as caught:
        only_match([build('7', '8.16.0'), build('3', '8.15.1')], 'myplug')
    assert caught.value.msg.startswith('2 extensions are named myplug: id 3 (version 8.15.1), id 7 (version 8.16.0).')
    assert 'identity=name_and_version' in caught.value.msg


def test_name_and_version_selects_the_build():
    found = [build('3', '8.15.1'), build('7', '8.16.0')]
    assert select(found, want('8.16.0'))['id'] == '7'
    assert select(found, want('8.15.3')) is None


def test_name_and_version_fails_on_two_of_one_build():
    with pytest.raises(EceError, match='2 extensions are named myplug with version 8.15.1: id 3 .*, id 4 '):
        select([build('3', '8.15.1'), build('4', '8.15.1'), build('7', '8.16.0')], want('8.15.1'))


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_name_and_version_needs_version_before_any_request(state):
    with pytest.raises(EceError, match='version is required'):
        DesiredExtension('myplug', identity='name_and_version', state=state).prepare()


# One extension

def test_another_version_creates_another_extension_and_leaves_the_first():
    api = BuildsApi(build('3', '8.15.1'))
    result = ExtensionReconciler(api).run(want('8.16.0', extension_type='plugin'))
    assert result['changed'] and result['extension']['version'] == '8.16.0'
    assert [c[0] for c in api.writes] == ['create'] and ('create_by_version', True) in api.calls
    assert api.store['3']['version'] == '8.15.1' and len(api.store) == 2


def test_the_same_build_again_changes_nothing():
    api = BuildsApi(build('3', '8.15.1'), build('7', '8.16.0'))
    result = ExtensionReconciler(api).run(want('8.16.0', extension_type='plugin'))
    assert not result['changed'] and result['extension']['id'] == '7' and api.writes == []


def test_absent_deletes_only_that_build():
    api = BuildsApi(build('3', '8.15.1'), build('7', '8.16.0'))
    result = ExtensionReconciler(api).run(want('8.15.1', state='absent'))
    assert result['changed'] and [c[:2] for c in api.writes] == [('delete', '3')]
    assert list(api.store) == ['7']


def test_a_rename_may_join_other_builds_of_the_name_but_not_the_same_build():
    api = BuildsApi(build('3', '8.15.1', name='old'), build('7', '8.16.0'))
    assert ExtensionReconciler(api).run(want('8.15.1', name='myplug', extension_id='3'))['changed']
    api = BuildsApi(build('3', '8.16.0', name='old'), build('7', '8.16.0'))
    with pytest.raises(EceError, match='already carries that name'):
        ExtensionReconciler(api).run(want('8.16.0', name='myplug', extension_id='3'))


def test_an_unclear_create_adopts_only_an_extension_of_its_version():
    other_build = dict(build('3', '8.15.1'))
    made = dict(build('9', '8.16.0'))
    client = FakeClient(transport_error(), {'extensions': [other_build, made]})
    body = {'name': 'myplug', 'extension_type': 'plugin', 'version': '8.16.0'}
    assert ExtensionsApi(client, check_mode=False).create(body, by_version=True) == made
    assert client.sent() == [('POST', COLLECTION_PATH), ('GET', COLLECTION_PATH)]


# A set

def test_items_of_one_name_and_two_versions_are_two_entries():
    items = [{'name': 'myplug', 'version': '8.15.1', 'identity': 'name_and_version'},
             {'name': 'myplug', 'version': '8.16.0', 'identity': 'name_and_version'}]
    assert [d.version for d in desired_items(items)] == ['8.15.1', '8.16.0']
    with pytest.raises(EceError, match='listed twice'):
        desired_items(items + [dict(items[0])])


def test_listed_keys_protect_the_builds_and_failed_names():
    desired = desired_items([{'name': 'myplug', 'version': '8.15.1', 'identity': 'name_and_version'},
                             {'name': 'synonyms'}])
    keys = listed_keys(desired)
    assert is_listed(build('1', '8.15.1'), *keys)
    assert not is_listed(build('2', '8.16.0'), *keys)
    assert is_listed(extension('3', name='synonyms', version='9.*'), *keys)
    assert is_listed(build('2', '8.16.0'), *listed_keys(desired, failed_names={'myplug'}))


def set_api(*extensions, check_mode=False):
    api = StoreApi(*extensions, check_mode=check_mode)
    return api


def test_exclusive_keeps_the_listed_builds_and_deletes_an_unlisted_one():
    api = set_api(dict(build('1', '8.15.1'), file_metadata={'size': 1}), dict(build('2', '8.16.0'), file_metadata={'size': 1}),
                  dict(build('3', '8.18.8'), file_metadata={'size': 1}))
    desired = desired_items([{'name': 'myplug', 'version': '8.15.1', 'identity': 'name_and_version'},
                             {'name': 'myplug', 'version': '8.16.0', 'identity': 'name_and_version'}])
    outcome = ExtensionSetReconciler(api).run(desired, exclusive=True)
    assert outcome['failures'] == []
    assert outcome['deleted'] == [{'id': '3', 'name': 'myplug'}]
    assert sorted(api.store) == ['1', '2']


def test_exclusive_keeps_an_unlisted_build_in_use():
    api = set_api(build('1', '8.15.1'), dict(build('3', '8.18.8'), deployments=['a' * 32]))
    desired = desired_items([{'name': 'myplug', 'version': '8.15.1', 'identity': 'name_and_version'}])
    outcome = ExtensionSetReconciler(api).run(desired, exclusive=True)
    assert outcome['deleted'] == [] and [k['id'] for k in outcome['kept_in_use']] == ['3']


def test_a_failed_item_protects_every_build_of_its_name():
    api = set_api(build('1', '8.15.1'), build('2', '8.15.1'), build('3', '8.18.8'), extension('9', name='old'))
    desired = desired_items([{'name': 'myplug', 'version': '8.15.1', 'identity': 'name_and_version'}])
    outcome = ExtensionSetReconciler(api).run(desired, exclusive=True)
    assert len(outcome['failures']) == 1 and outcome['deleted'] == []
    # Only the one no item names is reported as left alone; every build of the failed item's name is listed.
    assert outcome['unlisted_skipped'] == [{'id': '9', 'name': 'old'}]


def test_a_refused_item_fails_alone_and_skips_exclusive_deletion():
    class InUseApi(StoreApi):
        client = None

    api = InUseApi(dict(build('1', '8.15.1'), deployments=['a' * 32]), extension('2', name='synonyms'), extension('9', name='old'))

    class Deployments:
        @staticmethod
        def get(dep_id):
            plan = {'elasticsearch': {'version': '8.15.1', 'user_plugins': [{'url': 'repo://1'}]}}
            return {'id': dep_id, 'name': 'search-prod',
                    'resources': {'elasticsearch': [{'info': {'plan_info': {'current': {'plan': plan}}}}]}}, '1'

    reconciler = ExtensionSetReconciler(api)
    reconciler.single.usage._deployments = Deployments()  # pylint: disable=protected-access
    desired = desired_items([{'name': 'myplug', 'version': '8.16.0'}, {'name': 'synonyms', 'description': 'new'}])
    outcome = reconciler.run(desired, exclusive=True)
    first, second = outcome['results']
    assert first['failed'] and 'search-prod' in first['msg'] and first['in_use_by'][0]['elasticsearch_version'] == '8.15.1'
    assert not second.get('failed') and second['action'] == 'updated'
    assert outcome['deleted'] == [] and outcome['unlisted_skipped'] == [{'id': '9', 'name': 'old'}]
    assert api.store['1']['version'] == '8.15.1'


def test_check_mode_of_a_set_predicts_the_refusal():
    class InUseApi(StoreApi):
        client = None

    api = InUseApi(dict(build('1', '8.15.1'), deployments=['a' * 32]), check_mode=True)

    class Deployments:
        @staticmethod
        def get(dep_id):
            plan = {'elasticsearch': {'version': '8.15.1', 'user_plugins': [{'url': 'repo://1'}]}}
            return {'id': dep_id, 'name': 'search-prod',
                    'resources': {'elasticsearch': [{'info': {'plan_info': {'current': {'plan': plan}}}}]}}, '1'

    reconciler = ExtensionSetReconciler(api)
    reconciler.single.usage._deployments = Deployments()  # pylint: disable=protected-access
    outcome = reconciler.run(desired_items([{'name': 'myplug', 'version': '8.16.0'}]))
    assert outcome['results'][0]['failed'] and api.writes == []


def test_a_failed_read_of_the_users_fails_the_change():
    # Not knowing who uses the extension is no reason to change it: the error surfaces, nothing is written.
    api = BuildsApi(build('1', '8.15.1'))
    api.failures['get'] = EceApiError('boom', 'GET', 'u', status=500)
    with pytest.raises(EceApiError):
        ExtensionReconciler(api).run(want('8.16.0', identity='name'))
    assert api.writes == []
