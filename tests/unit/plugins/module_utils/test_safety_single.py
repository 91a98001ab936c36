# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks that keep a first afternoon safe: truncated zips, descriptors of existing plugins, source switches,
renames onto a taken name, failed uploads after a write, names, links in bundle directories, connection rules."""

from __future__ import annotations

import os
import zipfile

import pytest

from ansible_collections.ece.platform.plugins.module_utils._archive import LocalArchive
from ansible_collections.ece.platform.plugins.module_utils._archive_source import ArchiveSource
from ansible_collections.ece.platform.plugins.module_utils._connection import check_connection_rules
from ansible_collections.ece.platform.plugins.module_utils._client import api_base_url
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import (
    DesiredExtension,
    ExtensionReconciler,
    as_sentence,
    suggested_name,
)
from ansible_collections.ece.platform.plugins.module_utils._plugin_descriptor import check_plugin_archive, descriptor_places
from ansible_collections.ece.platform.plugins.module_utils._zip_builder import build_zip

from ansible_collections.ece.platform.tests.unit.ece_register import reading
from ansible_collections.ece.platform.tests.unit.fakes import FakeExtensionsApi, extension, with_stored_file, zip_bytes

DESCRIPTOR = ('description=Custom analysis for the test suite\nversion=1.0.0\nname=analysis-custom\n'
              'classname=org.example.analysis.CustomAnalysisPlugin\njava.version=17\nelasticsearch.version=%s\n')


def plugin_zip(path, es_version='8.15.1', descriptor=DESCRIPTOR):
    with zipfile.ZipFile(str(path), 'w') as archive:
        if descriptor is not None:
            archive.writestr('plugin-descriptor.properties', descriptor % es_version if '%s' in descriptor else descriptor)
        archive.writestr('analysis-custom-1.0.0.jar', b'PK\x03\x04 jar bytes')
    return str(path)


# Bug 7: a truncated zip fails before any request

def test_a_truncated_zip_is_refused(tmp_path):
    whole = zip_bytes(b'laptop, notebook\n' * 200)
    path = tmp_path / 'cut.zip'
    path.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(EceError) as caught:
        LocalArchive.open_checked(str(path))
    assert 'Option file' in caught.value.msg and 'truncated' in caught.value.msg


def test_a_zip_cut_inside_its_central_directory_is_refused(tmp_path):
    whole = zip_bytes()
    path = tmp_path / 'cut.zip'
    path.write_bytes(whole[:-10])
    with pytest.raises(EceError, match='not a complete zip archive'):
        LocalArchive.open_checked(str(path))


def test_a_complete_zip_passes(tmp_path):
    path = tmp_path / 'whole.zip'
    path.write_bytes(zip_bytes())
    assert LocalArchive.open_checked(str(path)).size == path.stat().st_size


# Bug 2: descriptor messages

def test_a_descriptor_without_elasticsearch_version_says_the_key_is_missing(tmp_path):
    path = plugin_zip(tmp_path / 'p.zip', descriptor='name=analysis-custom\nversion=1.0.0\n')
    with pytest.raises(EceError) as caught:
        check_plugin_archive(path, '8.15.1')
    assert 'no elasticsearch.version key' in caught.value.msg and 'None' not in caught.value.msg
    for place in descriptor_places():
        assert place in caught.value.msg
    assert 'elasticsearch/stable-plugin-descriptor.properties' in caught.value.msg


def test_a_wildcard_version_for_a_plugin_asks_for_the_exact_one(tmp_path):
    with pytest.raises(EceError) as caught:
        check_plugin_archive(plugin_zip(tmp_path / 'p.zip'), '8.*')
    assert 'Build the plugin for 8.*' not in caught.value.msg
    assert 'Set version to 8.15.1' in caught.value.msg


def test_a_missing_descriptor_names_every_place(tmp_path):
    with pytest.raises(EceError) as caught:
        check_plugin_archive(plugin_zip(tmp_path / 'p.zip', descriptor=None), None, extension='analysis-custom')
    assert 'analysis-custom is a plugin on the server' in caught.value.msg
    assert all(place in caught.value.msg for place in descriptor_places())


def test_an_existing_plugin_gets_its_archive_checked_against_the_servers_version(tmp_path):
    api = FakeExtensionsApi(extension('7', extension_type='plugin', version='8.15.1'))
    want = DesiredExtension('analysis-custom', file=plugin_zip(tmp_path / 'p.zip', '8.14.0'))
    want.prepare()
    with pytest.raises(EceError) as caught:
        ExtensionReconciler(api).run(want)
    assert '8.15.1' in caught.value.msg and '8.14.0' in caught.value.msg
    assert api.writes == []


def test_a_version_left_out_is_named_as_the_servers_not_as_an_option(tmp_path):
    api = FakeExtensionsApi(extension('7', extension_type='plugin', version='8.15.1'))
    want = DesiredExtension('analysis-custom', file=plugin_zip(tmp_path / 'p.zip', '8.14.0'))
    want.prepare()
    with pytest.raises(EceError) as caught:
        ExtensionReconciler(api).run(want)
    assert 'Option version' not in caught.value.msg
    assert 'plugin for Elasticsearch 8.15.1 on the server' in caught.value.msg
    assert 'set version to 8.14.0' in caught.value.msg


def test_a_bundle_shaped_zip_for_an_existing_plugin_fails_before_writes(tmp_path):
    api = FakeExtensionsApi(extension('7', extension_type='plugin', version='8.15.1'))
    path = tmp_path / 'bundle.zip'
    path.write_bytes(zip_bytes())
    want = DesiredExtension('analysis-custom', file=str(path), description='new')
    want.prepare()
    with pytest.raises(EceError, match='holds no plugin descriptor'):
        ExtensionReconciler(api).run(want)
    assert api.writes == []


def test_changing_a_plugins_version_without_an_archive_warns(tmp_path):
    api = FakeExtensionsApi(extension('7', extension_type='plugin', version='8.15.1'))
    with_stored_file(api, '7', b'stored plugin')
    warnings = []
    want = DesiredExtension('analysis-custom', version='8.16.0')
    want.prepare()
    ExtensionReconciler(api, warn=warnings.append).run(want)
    assert len(warnings) == 1 and 'built for 8.15.1' in warnings[0] and '8.16.0' in warnings[0]


# Bug 3: source switches

class UrlApi(FakeExtensionsApi):
    """The fake API plus what a download_url serves."""

    def __init__(self, *extensions, served=None, which='default'):
        super().__init__(*extensions, which=which)
        self.served = served or {}
        self.same_url_redownloads = reading('same_url_redownloads', which)

    def download_matches_stored(self, ext, url):
        self._call('download_matches_stored', url)
        if url not in self.served:
            raise EceError('download_url %s could not be read' % url)
        return self.served[url] == self.stored_bytes.get(ext['id'])

    def update(self, extension_id, body, current):
        """Downloads a download_url it is sent; one it already has only when the register's reading says so."""
        same_url = body.get('download_url') == self.store[extension_id].get('download_url')
        updated = super().update(extension_id, body, current)
        if 'download_url' in body and (self.same_url_redownloads or not same_url):
            with_stored_file(self, extension_id, self.served[body['download_url']])
            updated = dict(self.store[extension_id])
        return updated


URL = 'https://artifacts.example.com/synonyms.zip'


def test_same_url_but_an_uploaded_archive_is_downloaded_again():
    api = UrlApi(extension('5', download_url=URL), served={URL: b'from the url'})
    with_stored_file(api, '5', b'uploaded from a file')
    want = DesiredExtension('analysis-custom', download_url=URL)
    want.prepare()
    result = ExtensionReconciler(api).run(want)
    assert result['changed'] is True
    assert [call[0] for call in api.writes] == ['update']
    assert api.writes[0][2]['download_url'] == URL
    assert 'download_url' not in result['diff']['before'] and result['diff']['after']['download_url'] == URL
    assert api.stored_bytes['5'] == b'from the url'
    again = ExtensionReconciler(api).run(want)
    assert again['changed'] is False and len(api.writes) == 1


def test_same_url_that_ece_does_not_download_again_fails_and_keeps_the_upload():
    """The flipped reading of `same-url-redownloads`: the task fails saying so instead of reporting success."""
    api = UrlApi(extension('5', download_url=URL), served={URL: b'from the url'}, which='flipped')
    with_stored_file(api, '5', b'uploaded from a file')
    want = DesiredExtension('analysis-custom', download_url=URL)
    want.prepare()
    with pytest.raises(EceError, match='does not download a URL it already has') as caught:
        ExtensionReconciler(api).run(want)
    assert caught.value.result()['changed'] is True and 'new URL' in caught.value.msg and 'option file' in caught.value.msg
    assert api.stored_bytes['5'] == b'uploaded from a file'  # nothing lost
    assert [call[0] for call in api.writes] == ['update']


def test_a_redownload_that_cannot_be_checked_afterwards_warns():
    api = UrlApi(extension('5', download_url=URL), served={URL: b'from the url'})
    with_stored_file(api, '5', b'uploaded from a file')
    calls = []
    original = api.download_matches_stored

    def first_only(ext, url):
        calls.append(url)
        if len(calls) > 1:
            raise EceError('the file server went away')
        return original(ext, url)

    api.download_matches_stored = first_only
    warnings = []
    want = DesiredExtension('analysis-custom', download_url=URL)
    want.prepare()
    assert ExtensionReconciler(api, warn=warnings.append).run(want)['changed'] is True
    assert len(calls) == 2 and 'could not be checked' in warnings[0] and 'went away' in warnings[0]


def test_same_url_without_a_stored_archive_is_downloaded_again():
    api = UrlApi(extension('5', download_url=URL), served={URL: b'from the url'})
    want = DesiredExtension('analysis-custom', download_url=URL)
    want.prepare()
    assert ExtensionReconciler(api).run(want)['changed'] is True


def test_an_unreadable_url_warns_and_keeps_the_old_assumption():
    api = UrlApi(extension('5', download_url=URL))
    with_stored_file(api, '5', b'something')
    warnings = []
    want = DesiredExtension('analysis-custom', download_url=URL)
    want.prepare()
    assert ExtensionReconciler(api, warn=warnings.append).run(want)['changed'] is False
    assert api.writes == [] and 'could not be checked' in warnings[0]


def test_a_file_run_does_not_report_a_download_url_the_archive_did_not_come_from(archive_file):
    path, content = archive_file
    api = UrlApi(extension('5', download_url=URL))
    with_stored_file(api, '5', b'from the url, other size')
    want = DesiredExtension('analysis-custom', file=path)
    want.prepare()
    result = ExtensionReconciler(api).run(want)
    assert result['changed'] is True and 'download_url' not in result['extension']
    assert 'download_url' not in result['diff']['after']
    again = ExtensionReconciler(api).run(want)
    assert again['changed'] is False and 'download_url' not in again['extension']
    assert again['diff']['before'] == again['diff']['after']


def test_the_source_view_is_unchanged_when_nothing_is_stale():
    source = ArchiveSource(None, None, extension('5', download_url=URL), DesiredExtension('x', description='d'))
    assert source.view({'download_url': URL}) == {'download_url': URL}
    assert source.reported_extension({'download_url': URL}) == {'download_url': URL}


# Bug 8: a failed upload after a write

def test_a_failed_upload_after_the_create_reports_a_change(archive_file):
    path, _content = archive_file
    api = FakeExtensionsApi()
    api.failures['upload'] = EceApiError('Uploading failed: ECE answered HTTP 500: Boom (root.unexpected_error)', 'PUT', 'u', 500)
    want = DesiredExtension('new-one', extension_type='bundle', version='8.*', file=path)
    want.prepare()
    with pytest.raises(EceApiError) as caught:
        ExtensionReconciler(api).run(want)
    result = caught.value.result()
    assert result['changed'] is True and result['extension']['name'] == 'new-one'
    assert '(root.unexpected_error). The metadata' in result['msg']


def test_a_failed_upload_without_a_write_changes_nothing(archive_file):
    path, _content = archive_file
    api = FakeExtensionsApi(extension('5'))
    api.failures['upload'] = EceApiError('Uploading failed.', 'PUT', 'u', 500)
    want = DesiredExtension('analysis-custom', file=path)
    want.prepare()
    with pytest.raises(EceApiError) as caught:
        ExtensionReconciler(api).run(want)
    assert 'changed' not in caught.value.result()


def test_sentence():
    assert as_sentence('a (b)') == 'a (b).' and as_sentence('done.') == 'done.'


# Bug 9: rename by id onto a taken name

def test_a_rename_onto_a_taken_name_is_refused_before_writes():
    api = FakeExtensionsApi(extension('5', name='old'), extension('6', name='taken'))
    want = DesiredExtension('taken', extension_id='5')
    want.prepare()
    with pytest.raises(EceError) as caught:
        ExtensionReconciler(api).run(want)
    assert 'id 6' in caught.value.msg and api.writes == []


def test_a_rename_onto_a_free_name_goes_through():
    api = FakeExtensionsApi(extension('5', name='old'), extension('6', name='other'))
    want = DesiredExtension('free', extension_id='5')
    want.prepare()
    assert ExtensionReconciler(api).run(want)['changed'] is True


# Names

@pytest.mark.parametrize('name, suggestion', [
    ('synonymes-\u00e9t\u00e9', 'synonymes-ete'),
    ('my plugin!', 'my-plugin'),
    ('\u65e5\u672c', 'my-extension'),
])
def test_suggested_names(name, suggestion):
    assert suggested_name(name) == suggestion


@pytest.mark.parametrize('name', ['', '   '])
def test_an_empty_name_says_so(name):
    with pytest.raises(EceError, match='must not be empty'):
        DesiredExtension(name).prepare()


# Bundle directories: symbolic links

def bundle_dir(tmp_path):
    root = tmp_path / 'bundle'
    (root / 'dictionaries').mkdir(parents=True)
    (root / 'dictionaries' / 'synonyms.txt').write_text('laptop, notebook\n')
    return root


def test_a_link_leaving_the_directory_is_refused(tmp_path):
    root = bundle_dir(tmp_path)
    (tmp_path / 'secret.txt').write_text('not for upload\n')
    os.symlink(str(tmp_path / 'secret.txt'), str(root / 'dictionaries' / 'stolen.txt'))
    with pytest.raises(EceError) as caught:
        build_zip(str(root), str(tmp_path))
    assert 'dictionaries/stolen.txt' in caught.value.msg and 'outside the directory' in caught.value.msg


def test_a_dangling_link_is_refused(tmp_path):
    root = bundle_dir(tmp_path)
    os.symlink('gone.txt', str(root / 'dictionaries' / 'dangling.txt'))
    with pytest.raises(EceError) as caught:
        build_zip(str(root), str(tmp_path))
    assert 'dictionaries/dangling.txt' in caught.value.msg and 'does not exist' in caught.value.msg


def test_a_loop_of_links_is_refused(tmp_path):
    root = bundle_dir(tmp_path)
    os.symlink('b', str(root / 'a'))
    os.symlink('a', str(root / 'b'))
    with pytest.raises(EceError, match='loop'):
        build_zip(str(root), str(tmp_path))


def test_a_link_to_a_parent_directory_is_refused(tmp_path):
    root = bundle_dir(tmp_path)
    os.symlink('..', str(root / 'dictionaries' / 'up'))
    with pytest.raises(EceError) as caught:
        build_zip(str(root), str(tmp_path))
    assert 'dictionaries/up' in caught.value.msg and 'loop' in caught.value.msg


def test_a_link_inside_the_directory_is_followed(tmp_path):
    root = bundle_dir(tmp_path)
    os.symlink('synonyms.txt', str(root / 'dictionaries' / 'alias.txt'))
    with zipfile.ZipFile(build_zip(str(root), str(tmp_path))) as archive:
        assert archive.read('dictionaries/alias.txt') == b'laptop, notebook\n'


# Connection rules

def params(**values):
    base = dict(host='https://ece:12443', api_key=None, username=None, password=None)
    base.update(values)
    return base


def test_a_missing_host_names_the_variables():
    with pytest.raises(EceError) as caught:
        check_connection_rules(params(host=None, api_key='k'), environ={})
    assert 'ECE_HOST' in caught.value.msg and 'EC_HOST' in caught.value.msg


def test_key_and_user_from_the_environment_name_the_variables_that_collided():
    environ = {'ECE_API_KEY': 'k', 'ECE_USER': 'admin', 'ECE_PASSWORD': 'pw'}
    with pytest.raises(EceError) as caught:
        check_connection_rules(params(api_key='k', username='admin', password='pw'), environ=environ)
    msg = caught.value.msg
    assert 'api_key (from ECE_API_KEY)' in msg and 'username (from ECE_USER)' in msg and 'mutually exclusive' in msg
    assert 'pw' not in msg.replace('password', '')


def test_no_credentials_names_the_variables():
    with pytest.raises(EceError) as caught:
        check_connection_rules(params(), environ={})
    assert 'ECE_API_KEY' in caught.value.msg and 'ECE_USER' in caught.value.msg


def test_a_username_without_password_names_the_variable():
    with pytest.raises(EceError) as caught:
        check_connection_rules(params(username='admin'), environ={'ECE_USER': 'admin'})
    assert 'username (from ECE_USER)' in caught.value.msg and 'ECE_PASSWORD' in caught.value.msg


def test_good_connection_options_pass():
    check_connection_rules(params(api_key='k'), environ={})
    check_connection_rules(params(username='u', password='p'), environ={})


@pytest.mark.parametrize('host', ['https://ece:12443/api/v1/deployments/extensions',
                                  'https://ece:12443/api/v1/deployments/extensions/',
                                  'https://ece:12443/proxy/api/v1/deployments'])
def test_a_host_with_the_endpoint_path_is_refused(host):
    with pytest.raises(EceError) as caught:
        api_base_url(host)
    assert 'without an API path' in caught.value.msg


def test_a_host_ending_in_the_api_prefix_is_still_accepted():
    assert api_base_url('https://ece:12443/api/v1/') == 'https://ece:12443/api/v1'
