# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired state of one extension: comparison helpers, input checks, and the reconciler on an in-memory API."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import (
    DesiredExtension,
    ExtensionReconciler,
    extension_update_body,
    metadata_changes,
    metadata_view,
)
from ansible_collections.ece.platform.tests.unit.fakes import FakeExtensionsApi, extension, with_stored_file, zip_bytes


def desired(**options):
    """A prepared DesiredExtension, as the module builds it before the reconciler runs."""
    options.setdefault('name', 'analysis-custom')
    want = DesiredExtension(options.pop('name'), **options)
    want.prepare()
    return want


# metadata_changes / extension_update_body / metadata_view

def test_options_left_out_are_not_managed():
    current = extension(description='kept', download_url='https://a/x.zip')
    assert metadata_changes(current, desired()) == {}
    assert extension_update_body(current, desired()) == {'name': 'analysis-custom', 'version': '8.*', 'extension_type': 'bundle',
                                                         'description': 'kept'}


def test_changed_fields_are_reported_with_before_and_after():
    current = extension(description='old')
    changes = metadata_changes(current, desired(version='8.15.1', description='new'))
    assert changes == {'version': ('8.*', '8.15.1'), 'description': ('old', 'new')}


@pytest.mark.parametrize('server, wanted, changed', [
    (None, '', False),
    ('', '', False),
    ('text', '', True),
    (None, 'text', True),
    ('text', None, False),
])
def test_empty_description_equals_a_missing_one(server, wanted, changed):
    current = extension(description=server)
    assert ('description' in metadata_changes(current, desired(description=wanted))) is changed


def test_empty_description_clears_the_servers_one():
    body = extension_update_body(extension(description='text'), desired(description=''))
    assert body['description'] == ''


def test_download_url_is_sent_only_when_it_changes():
    current = extension(download_url='https://a/x.zip')
    assert 'download_url' not in extension_update_body(current, desired(download_url='https://a/x.zip'))
    assert 'download_url' not in metadata_changes(current, desired(download_url='https://a/x.zip'))
    assert extension_update_body(current, desired(download_url='https://a/y.zip'))['download_url'] == 'https://a/y.zip'
    assert metadata_changes(current, desired(download_url='https://a/y.zip')) == {'download_url': ('https://a/x.zip', 'https://a/y.zip')}


def test_update_body_takes_the_type_from_the_server_and_the_name_from_the_task():
    body = extension_update_body(extension(name='old-name', extension_type='bundle'), desired(name='new-name', extension_type='plugin'))
    assert body['extension_type'] == 'bundle'
    assert body['name'] == 'new-name'


def test_metadata_view_holds_only_managed_fields_that_are_set():
    server = extension(description='', download_url=None, file_metadata={'size': 1})
    assert metadata_view(server) == {'name': 'analysis-custom', 'extension_type': 'bundle', 'version': '8.*', 'description': ''}


# DesiredExtension.prepare

@pytest.mark.parametrize('name', ['analysis-icu', 'my_plugin.v2', 'A-Z_0.9'])
def test_valid_names(name):
    assert desired(name=name).name == name


@pytest.mark.parametrize('name', ['my plugin', 'plügin', 'a/b', 'x;rm', '', 'tab\tname', 'trailing-newline\n'])
def test_invalid_names_fail_before_any_request(name):
    with pytest.raises(EceError, match='^Option name '):
        DesiredExtension(name).prepare()


def test_invalid_name_message_suggests_a_valid_one():
    with pytest.raises(EceError, match="e.g. 'my-plugin'"):
        DesiredExtension('my plugin').prepare()


@pytest.mark.parametrize('url', ['https://example.com/a.zip', 'http://10.0.0.1:8000/a.zip?sig=1'])
def test_http_download_urls_are_accepted(url):
    assert desired(download_url=url).download_url == url


@pytest.mark.parametrize('url', ['ftp://example.com/a.zip', 'file:///tmp/a.zip', '/tmp/a.zip', 'https://', 'example.com/a.zip'])
def test_other_download_urls_fail(url):
    with pytest.raises(EceError, match='download_url must be an http'):
        DesiredExtension('x', download_url=url).prepare()


def test_file_and_download_url_are_mutually_exclusive(archive_file):
    with pytest.raises(EceError, match='mutually exclusive'):
        DesiredExtension('x', download_url='https://a/x.zip', file=archive_file[0]).prepare()


def test_absent_does_not_check_the_file(tmp_path):
    want = DesiredExtension('x', state='absent', file=str(tmp_path / 'missing.zip'))
    want.prepare()
    assert want.archive is None


def test_present_checks_the_file(tmp_path, archive_file):
    with pytest.raises(EceError, match='does not exist'):
        DesiredExtension('x', file=str(tmp_path / 'missing.zip')).prepare()
    assert desired(file=archive_file[0]).archive.size == len(archive_file[1])


def test_empty_id_fails():
    with pytest.raises(EceError, match='Option id is empty'):
        DesiredExtension('x', extension_id='  ').prepare()


@pytest.mark.parametrize('version, problem', [('8.16', 'not an Elasticsearch version'), ('v8.16.0', 'not an Elasticsearch version'),
                                              ('8.*', 'a wildcard'), ('8.15.1 ', 'not an Elasticsearch version')])
def test_a_plugin_version_that_no_release_has_fails_before_any_request(version, problem):
    with pytest.raises(EceError) as caught:
        DesiredExtension('myplug', extension_type='plugin', version=version, identity='name_and_version').prepare()
    assert repr(version) in caught.value.msg and problem in caught.value.msg
    assert 'e.g. 8.15.1' in caught.value.msg


@pytest.mark.parametrize('extension_type, version', [('plugin', '8.15.1'), ('plugin', '9.0.0-rc1'), ('bundle', '8.*'),
                                                     ('bundle', '8.16'), ('plugin', None)])
def test_exact_plugin_versions_and_any_bundle_version_pass(extension_type, version):
    DesiredExtension('myplug', extension_type=extension_type, version=version).prepare()


def test_a_bad_plugin_version_is_no_obstacle_to_deleting():
    DesiredExtension('myplug', extension_type='plugin', version='8.16', state='absent').prepare()


# ExtensionReconciler: create

def run(api, want, warnings=None):
    return ExtensionReconciler(api, warn=(warnings.append if warnings is not None else None)).run(want)


@pytest.mark.parametrize('options, missing', [
    (dict(version='8.*'), 'option extension_type'),
    (dict(extension_type='bundle'), 'option version'),
    ({}, 'options extension_type and version'),
])
def test_create_needs_type_and_version(options, missing):
    api = FakeExtensionsApi()
    with pytest.raises(EceError) as caught:
        run(api, desired(**options))
    assert missing in caught.value.msg
    assert api.writes == []


def test_create_posts_the_metadata():
    api = FakeExtensionsApi()
    result = run(api, desired(extension_type='bundle', version='8.*', description='d'))
    body = {'name': 'analysis-custom', 'extension_type': 'bundle', 'version': '8.*', 'description': 'd'}
    assert api.writes == [('create', body)]
    assert result['changed'] is True
    assert result['extension']['id'] == '1001'
    assert result['diff'] == {'before': {}, 'after': body}


def test_create_with_file_uploads_after_the_metadata(archive_file):
    path, content = archive_file
    api = FakeExtensionsApi()
    result = run(api, desired(extension_type='bundle', version='8.*', file=path))
    assert [call[0] for call in api.writes] == ['create', 'upload']
    assert api.stored_bytes['1001'] == content
    assert result['extension']['file_metadata']['size'] == len(content)
    assert result['diff']['after']['file'] == {'size': len(content), 'sha256': hashlib.sha256(content).hexdigest()}


@pytest.mark.parametrize('mode', ['multipart', 'raw'])
def test_the_upload_goes_in_the_mode_asked_for(archive_file, mode):
    path, _content = archive_file
    api = FakeExtensionsApi()
    run(api, desired(extension_type='bundle', version='8.*', file=path, upload_mode=mode))
    assert api.upload_modes == [mode]


def test_unknown_id_cannot_be_created():
    api = FakeExtensionsApi(extension('1'))
    with pytest.raises(EceError, match='No extension has id 99') as caught:
        run(api, desired(extension_id='99', extension_type='bundle', version='8.*'))
    assert 'leave id out' in caught.value.msg
    assert api.writes == []


def test_unknown_id_without_a_name_asks_for_a_name_not_none():
    api = FakeExtensionsApi(extension('1'))
    want = DesiredExtension(None, extension_id='99', description='x')
    with pytest.raises(EceError) as caught:
        run(api, want)
    assert 'None' not in caught.value.msg
    assert 'give option name instead of id' in caught.value.msg
    assert api.writes == []


def test_duplicate_names_fail_listing_the_ids_and_versions():
    api = FakeExtensionsApi(extension('7'), extension('3', version='8.16.0'))
    with pytest.raises(EceError, match=r'2 extensions are named analysis-custom: id 3 \(version 8\.16\.0\), id 7 \(version 8\.\*\)'):
        run(api, desired(version='9.*'))
    assert api.writes == []


# ExtensionReconciler: update

def test_type_change_fails_naming_both_types():
    api = FakeExtensionsApi(extension('1', extension_type='bundle'))
    with pytest.raises(EceError) as caught:
        run(api, desired(extension_type='plugin', version='8.15.1'))
    assert 'is a bundle' in caught.value.msg
    assert 'extension_type=plugin' in caught.value.msg
    assert api.writes == []


def test_equal_state_sends_no_write():
    current = extension('1', description='d')
    api = FakeExtensionsApi(current)
    result = run(api, desired(extension_type='bundle', version='8.*', description='d'))
    assert api.writes == []
    assert result['changed'] is False
    assert result['extension'] == current
    assert result['diff']['before'] == result['diff']['after']


def test_second_run_after_a_create_changes_nothing(archive_file):
    api = FakeExtensionsApi()
    options = dict(extension_type='bundle', version='8.*', description='d', file=archive_file[0])
    assert run(api, desired(**options))['changed'] is True
    api.calls = []
    assert run(api, desired(**options))['changed'] is False
    assert api.writes == []


def test_update_sends_the_full_body_and_diffs_the_change():
    api = FakeExtensionsApi(extension('1', description='d'))
    result = run(api, desired(version='8.15.*'))
    assert api.writes == [('update', '1', {'name': 'analysis-custom', 'version': '8.15.*', 'extension_type': 'bundle', 'description': 'd'})]
    assert result['changed'] is True
    assert result['extension']['version'] == '8.15.*'
    assert result['diff']['before']['version'] == '8.*'
    assert result['diff']['after']['version'] == '8.15.*'


def test_rename_by_id():
    api = FakeExtensionsApi(extension('1', name='old-name'))
    result = run(api, desired(name='new-name', extension_id='1'))
    assert api.writes == [('update', '1', {'name': 'new-name', 'version': '8.*', 'extension_type': 'bundle'})]
    assert result['diff']['before']['name'] == 'old-name'
    assert result['diff']['after']['name'] == 'new-name'


# ExtensionReconciler: upload decisions

def uploads(api):
    return [call for call in api.writes if call[0] == 'upload']


def test_upload_when_the_server_has_no_file(archive_file):
    api = FakeExtensionsApi(extension('1'))
    result = run(api, desired(file=archive_file[0]))
    assert len(uploads(api)) == 1
    assert result['changed'] is True
    assert result['diff']['before'].get('file') is None


def test_upload_when_the_size_differs_without_reading_the_servers_copy(archive_file):
    api = FakeExtensionsApi(extension('1'))
    with_stored_file(api, '1', b'PK\x05\x06' + b'\x00' * 18)
    result = run(api, desired(file=archive_file[0]))
    assert len(uploads(api)) == 1
    assert ('stored_sha256', '1') not in api.calls
    assert result['diff']['before']['file'] == {'size': 22}


def test_no_upload_when_size_and_sha256_match(archive_file):
    path, content = archive_file
    api = FakeExtensionsApi(extension('1'))
    with_stored_file(api, '1', content)
    result = run(api, desired(file=path))
    assert uploads(api) == []
    assert ('stored_sha256', '1') in api.calls
    assert result['changed'] is False
    file_summary = {'size': len(content), 'sha256': hashlib.sha256(content).hexdigest()}
    assert result['diff']['before']['file'] == result['diff']['after']['file'] == file_summary


def test_upload_when_same_size_but_other_content(archive_file):
    path, content = archive_file
    other = zip_bytes(b'SYNONYMS')
    assert len(other) == len(content) and other != content
    api = FakeExtensionsApi(extension('1'))
    with_stored_file(api, '1', other)
    result = run(api, desired(file=path))
    assert len(uploads(api)) == 1
    assert result['changed'] is True
    assert result['diff']['before']['file'] == {'size': len(other), 'sha256': hashlib.sha256(other).hexdigest()}
    assert result['diff']['after']['file']['sha256'] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize('failure', [
    EceApiError('download of the stored archive failed: HTTP 403.', 'GET', 'https://files/1.zip', status=403),
    EceError('ECE gives no file_metadata.url for extension 1.'),
])
def test_unreadable_server_copy_keeps_it_and_warns(archive_file, failure):
    path, content = archive_file
    api = FakeExtensionsApi(extension('1'))
    with_stored_file(api, '1', content)
    api.failures['stored_sha256'] = failure
    warnings = []
    result = run(api, desired(file=path), warnings)
    assert uploads(api) == []
    assert result['changed'] is False
    [warning] = warnings
    assert 'could not be read' in warning and 'force_upload' in warning
    assert failure.msg in warning


def test_force_upload_always_uploads(archive_file):
    path, content = archive_file
    api = FakeExtensionsApi(extension('1'))
    with_stored_file(api, '1', content)
    result = run(api, desired(file=path, force_upload=True))
    assert len(uploads(api)) == 1
    assert result['changed'] is True


def test_failed_upload_says_the_metadata_is_in_place(archive_file):
    api = FakeExtensionsApi()
    api.failures['upload'] = EceApiError('Uploading failed: ECE answered HTTP 500.', 'PUT', 'https://ece/api/v1/x', status=500)
    with pytest.raises(EceApiError, match='metadata of extension analysis-custom is in place; run again') as caught:
        run(api, desired(extension_type='bundle', version='8.*', file=archive_file[0]))
    assert caught.value.status == 500


# ExtensionReconciler: absent

def test_absent_deletes_an_existing_extension():
    current = extension('1', description='d')
    api = FakeExtensionsApi(current)
    result = run(api, desired(state='absent'))
    assert api.writes == [('delete', '1')]
    assert result == {'changed': True, 'extension': current, 'diff': {'before': metadata_view(current), 'after': {}}}


def test_absent_with_an_id_whose_extension_has_another_name_deletes_nothing():
    api = FakeExtensionsApi(extension('7', name='url-bundle'))
    with pytest.raises(EceError) as caught:
        run(api, desired(name='b1', extension_id='7', state='absent'))
    assert api.writes == []
    assert 'Extension id 7 is named url-bundle, not b1' in caught.value.msg


def test_absent_with_an_id_and_its_own_name_deletes_it():
    api = FakeExtensionsApi(extension('7', name='url-bundle'))
    run(api, desired(name='url-bundle', extension_id='7', state='absent'))
    assert api.writes == [('delete', '7')]


@pytest.mark.parametrize('options', [{}, {'extension_id': '42'}])
def test_absent_when_missing_is_a_no_op(options):
    api = FakeExtensionsApi()
    result = run(api, desired(state='absent', **options))
    assert api.writes == []
    assert result['changed'] is False
    assert result['extension'] == {}


def test_extension_in_use_is_not_deleted_and_the_deployments_are_named():
    errors = [{'code': 'extensions.extension_in_use',
               'message': 'Cannot delete extension [1]. It is used by deployments [search-prod, logs-dev].'}]
    api = FakeExtensionsApi(extension('1'))
    api.failures['delete'] = EceApiError('Deleting extension 1 failed: ECE answered HTTP 400.', 'DELETE',
                                         'https://ece/api/v1/deployments/extensions/1', status=400, errors=errors)
    with pytest.raises(EceApiError) as caught:
        run(api, desired(state='absent'))
    error = caught.value
    assert 'in use' in error.msg
    assert 'search-prod' in error.msg and 'logs-dev' in error.msg
    assert 'ece.platform.deployment_extensions with state=absent' in error.msg, 'the message names the way to detach it'
    assert error.result()['errors'] == errors
    assert error.status == 400


def test_other_delete_errors_pass_through():
    failure = EceApiError('Deleting extension 1 failed: ECE answered HTTP 500.', 'DELETE', 'https://ece/x', status=500)
    api = FakeExtensionsApi(extension('1'))
    api.failures['delete'] = failure
    with pytest.raises(EceApiError) as caught:
        run(api, desired(state='absent'))
    assert caught.value is failure


# ExtensionReconciler: download_url failures

def test_failed_download_names_the_url_and_the_leftover():
    errors = [{'code': 'extensions.request_execution_failed', 'message': 'Could not fetch https://a/x.zip.'}]

    class LeavesOneBehind(FakeExtensionsApi):
        def create(self, body):
            super().create(body)
            raise EceApiError('Creating extension failed.', 'POST', 'https://ece/x', status=400, errors=errors)

    api = LeavesOneBehind()
    with pytest.raises(EceApiError) as caught:
        run(api, desired(extension_type='bundle', version='8.*', download_url='https://a/x.zip'))
    msg = caught.value.msg
    assert 'could not download the archive from download_url https://a/x.zip' in msg
    assert 'Could not fetch https://a/x.zip.' in msg
    assert 'now exists without an archive (id 1001)' in msg
