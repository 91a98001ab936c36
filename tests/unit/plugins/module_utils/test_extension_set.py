# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The set: the safety rules of `exclusive`, what each item reports, and the checks of the list's items."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_set import (
    ExtensionSetReconciler,
    action_of,
    check_exclusive_list,
    is_listed,
)
from ansible_collections.ece.platform.plugins.module_utils._extension_set_items import desired_items, item_label


class StoreApi:
    """ExtensionsApi's interface over a dict, in-use rules included; check_mode sends nothing, as the real one."""

    def __init__(self, *extensions, check_mode=False):
        self.store = {ext['id']: copy.deepcopy(ext) for ext in extensions}
        self.check_mode = check_mode
        self.writes = []
        self.fail_upload = None
        self._next_id = 500

    def list(self):
        return [dict(copy.deepcopy(ext), deployments=None) for ext in self.store.values()]

    def get(self, extension_id, include_deployments=False):
        ext = self.store.get(str(extension_id))
        if ext is None:
            return None
        return dict(copy.deepcopy(ext), deployments=list(ext.get('deployments') or []) if include_deployments else None)

    def find_by_name(self, name):
        return [ext for ext in self.list() if ext['name'] == name]

    def create(self, body):
        self._next_id += 1
        ext = dict(body, id=str(self._next_id), url='repo://%d' % self._next_id)
        if not self.check_mode:
            self.writes.append(('create', body['name']))
            self.store[ext['id']] = ext
        return copy.deepcopy(ext)

    def update(self, extension_id, body, current):
        if not self.check_mode:
            self.writes.append(('update', extension_id))
            self.store[extension_id].update(body)
        return dict(current, **body)

    def upload(self, extension_id, archive, current, mode='multipart'):
        if self.fail_upload is not None:
            raise self.fail_upload
        if not self.check_mode:
            self.writes.append(('upload', extension_id))
        return dict(current, file_metadata={'size': archive.size})

    def delete(self, extension_id, read=None):
        ext = self.store.get(extension_id)
        if ext is not None and ext.get('deployments'):
            message = 'Cannot delete extension [%s]. It is used by deployments [%s].' % (extension_id, ', '.join(ext['deployments']))
            raise EceApiError('Deleting failed.', 'DELETE', 'https://ece/x', status=400,
                              errors=[{'code': 'extensions.extension_in_use', 'message': message}])
        if not self.check_mode:
            self.writes.append(('delete', extension_id))
            self.store.pop(extension_id, None)

    def stored_sha256(self, extension):
        raise EceError('not stored')


def ext(ext_id, name, deployments=None, **fields):
    return dict(id=ext_id, name=name, extension_type='bundle', version='8.*', url='repo://%s' % ext_id,
                deployments=deployments, **fields)


def items(*entries):
    return desired_items([dict(entry) for entry in entries])


def converge(api, entries, exclusive=True):
    return ExtensionSetReconciler(api).run(items(*entries), exclusive=exclusive)


@pytest.fixture
def archive(archive_file):
    return archive_file[0]  # tests/unit/conftest.py


# exclusive: what the list names is never unlisted

def test_a_listed_name_or_id_protects_an_extension():
    assert is_listed(ext('1', 'a'), {'1'}, set())
    assert is_listed(ext('2', 'keepme'), set(), {'keepme'})
    assert not is_listed(ext('3', 'other'), {'1'}, {'keepme'})


def test_two_extensions_of_a_listed_name_are_not_deleted_and_nothing_else_is():
    api = StoreApi(ext('1', 'keepme'), ext('2', 'keepme'), ext('3', 'stray'))
    outcome = converge(api, [{'name': 'keepme', 'description': 'x'}])
    assert api.writes == []
    assert sorted(api.store) == ['1', '2', '3']
    assert outcome['deleted'] == []
    assert [f['name'] for f in outcome['failures']] == ['keepme']
    assert outcome['unlisted_skipped'] == [{'id': '3', 'name': 'stray'}]
    assert 'No extension was deleted as unlisted because 1 item failed' in outcome['unlisted_skipped_reason']


def test_a_stale_id_fails_its_item_and_protects_the_name_it_gives():
    api = StoreApi(ext('1', 'keepme'), ext('3', 'stray'))
    outcome = converge(api, [{'id': '99', 'name': 'keepme', 'description': 'x'}])
    assert api.writes == []
    assert outcome['results'][0]['failed'] and 'No extension has id 99' in outcome['results'][0]['msg']
    assert outcome['deleted'] == []
    assert outcome['unlisted_skipped'] == [{'id': '3', 'name': 'stray'}]


def test_a_failed_item_elsewhere_stops_every_unlisted_deletion():
    api = StoreApi(ext('1', 'good'), ext('2', 'keepme'), ext('3', 'keepme'), ext('4', 'stray'))
    outcome = converge(api, [{'name': 'good', 'description': 'new'}, {'name': 'keepme'}])
    assert api.writes == [('update', '1')]
    assert outcome['deleted'] == [] and outcome['unlisted_skipped'] == [{'id': '4', 'name': 'stray'}]


def test_without_failures_unlisted_are_deleted_and_those_in_use_kept():
    api = StoreApi(ext('1', 'listed'), ext('2', 'stray'), ext('3', 'used', deployments=['search-prod']))
    outcome = converge(api, [{'name': 'listed'}])
    assert api.writes == [('delete', '2')]
    assert outcome['deleted'] == [{'id': '2', 'name': 'stray'}]
    assert outcome['kept_in_use'] == [{'id': '3', 'name': 'used', 'deployments': ['search-prod']}]
    assert outcome['unlisted_skipped'] == [] and 'unlisted_skipped_reason' not in outcome
    deletion = outcome['results'][-1]
    assert (deletion['name'], deletion['unlisted'], deletion['action'], deletion['changed']) == ('stray', True, 'deleted', True)


def test_a_rename_by_id_protects_the_renamed_extension():
    api = StoreApi(ext('1', 'old-name'), ext('2', 'stray'))
    outcome = converge(api, [{'id': '1', 'name': 'new-name'}])
    assert api.writes == [('update', '1'), ('delete', '2')]
    assert outcome['deleted'] == [{'id': '2', 'name': 'stray'}]


def test_without_exclusive_nothing_unlisted_is_touched():
    api = StoreApi(ext('1', 'listed'), ext('2', 'stray'))
    outcome = converge(api, [{'name': 'listed'}], exclusive=False)
    assert api.writes == [] and outcome['deleted'] == []


@pytest.mark.parametrize('allow_empty', [False, True])
def test_an_empty_exclusive_list_needs_allow_empty(allow_empty):
    if allow_empty:
        check_exclusive_list([], True, True)
    else:
        with pytest.raises(EceError, match='allow_empty=true'):
            check_exclusive_list([], True, False)
    check_exclusive_list([], False, False)
    check_exclusive_list(items({'name': 'a'}), True, False)


# check mode predicts what the real run does

def _prediction_and_real(entries):
    extensions = (ext('1', 'listed'), ext('2', 'stray'), ext('3', 'used', deployments=['d1']), ext('4', 'gone-used', deployments=['d2']))
    check, real = StoreApi(*extensions, check_mode=True), StoreApi(*extensions)
    predicted, done = converge(check, entries), converge(real, entries)
    assert check.writes == []
    return predicted, done


@pytest.mark.parametrize('entries', [
    [{'name': 'listed'}],
    [{'name': 'listed'}, {'name': 'gone-used', 'state': 'absent'}],
    [{'name': 'listed', 'state': 'absent'}],
])
def test_check_mode_predicts_the_real_deletions_and_failures(entries):
    predicted, done = _prediction_and_real(entries)
    for key in ('deleted', 'kept_in_use', 'unlisted_skipped'):
        assert predicted[key] == done[key]
    assert [(r['name'], r['action'], r['changed']) for r in predicted['results']] == \
        [(r['name'], r['action'], r['changed']) for r in done['results']]


# what each item reports

@pytest.mark.parametrize('writes, state, failed, action', [
    ([], 'present', False, 'unchanged'),
    ([], 'absent', False, 'absent'),
    (['create', 'upload'], 'present', False, 'created'),
    (['update', 'upload'], 'present', False, 'updated'),
    (['upload'], 'present', False, 'uploaded'),
    (['delete'], 'absent', False, 'deleted'),
    (['create'], 'present', True, 'failed'),
])
def test_action_of(writes, state, failed, action):
    assert action_of(writes, state, failed) == action


def test_items_report_their_action_and_upload(archive):
    api = StoreApi(ext('1', 'same'), ext('2', 'meta'), ext('3', 'bye'))
    outcome = converge(api, [
        {'name': 'same'}, {'name': 'meta', 'description': 'new'}, {'name': 'bye', 'state': 'absent'},
        {'name': 'fresh', 'extension_type': 'bundle', 'version': '*', 'file': archive}, {'name': 'never', 'state': 'absent'},
    ], exclusive=False)
    assert [(r['name'], r['action'], r['uploaded'], r['changed']) for r in outcome['results']] == [
        ('same', 'unchanged', False, False), ('meta', 'updated', False, True), ('bye', 'deleted', False, True),
        ('fresh', 'created', True, True), ('never', 'absent', False, False)]


def test_a_failed_upload_after_a_create_counts_as_a_change(archive):
    api = StoreApi()
    api.fail_upload = EceApiError('Uploading failed.', 'PUT', 'https://ece/x', status=500)
    outcome = converge(api, [{'name': 'fresh', 'extension_type': 'bundle', 'version': '*', 'file': archive}], exclusive=False)
    result = outcome['results'][0]
    assert result['failed'] and result['action'] == 'failed' and result['changed'] is True


def test_an_item_with_only_an_id_reports_the_servers_name():
    api = StoreApi(ext('7', 'by-id'))
    outcome = converge(api, [{'id': '7', 'state': 'absent'}], exclusive=False)
    assert api.writes == [('delete', '7')]
    assert outcome['results'][0]['name'] == 'by-id'


# the checks of the items, before any request

def test_item_labels():
    assert item_label(2, {'name': 'syn'}) == 'extensions[2] (syn)'
    assert item_label(0, {'id': '42'}) == 'extensions[0] (id 42)'
    assert item_label(1, 'oops') == 'extensions[1]'


def test_file_and_download_url_together_get_the_friendly_message_naming_the_item(archive):
    with pytest.raises(EceError) as caught:
        items({'name': 'ok'}, {'name': 'both', 'extension_type': 'bundle', 'version': '*',
                               'file': archive, 'download_url': 'https://a/x.zip'})
    assert caught.value.msg.startswith('extensions[1] (both): Options download_url and file are mutually exclusive')
    assert caught.value.details['invalid'][0]['index'] == 1


@pytest.mark.parametrize('item, words', [
    ({'name': 'x', 'fiel': 'a.zip'}, 'extensions[0] (x): unknown option fiel'),
    ({'name': 'x', 'force_upload': 'maybe'}, "extensions[0] (x): argument 'force_upload' is of type str"),
    ({'name': 'x', 'state': 'gone'}, 'extensions[0] (x): value of state must be one of: present, absent, got: gone'),
    ({'name': 'x', 'upload_mode': 'form'}, 'extensions[0] (x): value of upload_mode must be one of: multipart, raw, got: form'),
    ({'state': 'absent'}, 'extensions[0]: one of the following is required: name, id'),
    ('just-a-name', "extensions[0]: must be a dict of extension options with at least name (or id), for example "
                    "{name: synonyms, extension_type: bundle, version: \"8.*\"}, not the str 'just-a-name'"),
    (['synonyms'], "extensions[0]: must be a dict of extension options with at least name (or id), for example "
                   "{name: synonyms, extension_type: bundle, version: \"8.*\"}, not the list ['synonyms']"),
    (type('_TaggedStr', (str,), {})('synonyms'), "not the str 'synonyms'"),  # as ansible-core's templated strings
    ('x' * 100, "not the str '" + 'x' * 56 + '... (cut short). Nothing was sent'),
])
def test_argument_errors_name_the_item(item, words):
    with pytest.raises(EceError) as caught:
        desired_items([item])
    assert words in caught.value.msg
    assert 'Nothing was sent to ECE.' in caught.value.msg


def test_an_item_takes_upload_mode():
    assert [entry.upload_mode for entry in desired_items([{'name': 'a'}, {'name': 'b', 'upload_mode': 'raw'}])] == ['multipart', 'raw']


def test_every_bad_item_is_listed_at_once():
    with pytest.raises(EceError) as caught:
        desired_items([{'name': 'a b'}, {'name': 'fine'}, {'name': 'c', 'nope': 1}])
    assert caught.value.msg.startswith('2 items of extensions are invalid:')
    assert [bad['index'] for bad in caught.value.details['invalid']] == [0, 2]


def test_an_id_alone_is_enough():
    (entry,) = desired_items([{'id': '42', 'state': 'absent'}])
    assert (entry.id, entry.name, entry.state) == ('42', None, 'absent')


def test_the_same_extension_twice_is_refused():
    with pytest.raises(EceError, match=r'extensions\[1\] \(a\): the same extension \(name a\) is listed twice'):
        desired_items([{'name': 'a'}, {'name': 'a', 'state': 'absent'}])
