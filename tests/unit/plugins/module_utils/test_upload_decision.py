# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upload decisions with the digest cache: what is downloaded, what is trusted, and when the cache is bypassed."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import zipfile

import pytest

from ansible_collections.ece.platform.plugins.module_utils import _digest_cache
from ansible_collections.ece.platform.plugins.module_utils._digest_cache import DigestCache
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension
from ansible_collections.ece.platform.plugins.module_utils._upload_decision import UploadDecision

CLOCK = itertools.count(1)


def zip_of(files, compression=zipfile.ZIP_DEFLATED, level=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', compression=compression, compresslevel=level) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buf.getvalue()


class FakeClient:
    base_url = 'https://ece.example.com:12443/api/v1'


class FakeApi:
    """The stored archives and one download_url, counting every download."""

    def __init__(self, check_mode=False, base_url=None):
        self.client = FakeClient()
        if base_url is not None:
            self.client.base_url = base_url
        self.check_mode = check_mode
        self.stored = {}
        self.downloads = []
        self.url_bytes = b''
        self.url_etag = '"v1"'
        self.url_answers = []

    def store(self, ext_id, content, keep_date=None):
        self.stored[ext_id] = content
        date = keep_date or '2026-12-06T05:%02d:00.000Z' % next(CLOCK)  # every upload a new date, as on ECE
        metadata = dict(size=len(content), last_modified_date=date, url='https://files/%s.zip' % ext_id)
        return dict(id=ext_id, name='ext-%s' % ext_id, file_metadata=metadata)

    def download_stored(self, extension, consume):
        self.downloads.append(extension['id'])
        consume(self.stored[extension['id']])

    def stored_sha256(self, extension):
        digest = hashlib.sha256()
        self.download_stored(extension, digest.update)
        return digest.hexdigest()

    def download_url(self, url, consume, expected_size=None, conditions=None, answer=None):
        if conditions and conditions.get('If-None-Match') == self.url_etag:
            self.url_answers.append(304)
            answer.update(status=304, headers={'etag': self.url_etag})
            return True
        self.url_answers.append(200)
        answer.update(status=200, headers={'etag': self.url_etag})
        consume(self.url_bytes)
        return True

    def download_matches_stored(self, extension, url):
        self.url_answers.append('plain')
        return hashlib.sha256(self.url_bytes).hexdigest() == self.stored_sha256(extension)


@pytest.fixture
def cache(tmp_path):
    return DigestCache(str(tmp_path / 'cache'))


def desired_file(path, **options):
    want = DesiredExtension('ext', file=str(path), **options)
    want.prepare()
    return want


def decision(api, cache, notes=None):
    return UploadDecision(api, note=(notes.append if notes is not None else None), cache=cache)


def test_an_unchanged_file_is_downloaded_once_then_never(tmp_path, cache):
    content = zip_of({'a.txt': b'1'})
    (tmp_path / 'a.zip').write_bytes(content)
    api = FakeApi()
    current = api.store('1', content)
    assert decision(api, cache).decide(current, desired_file(tmp_path / 'a.zip'))[0] is False
    assert api.downloads == ['1']
    notes = []
    again = desired_file(tmp_path / 'a.zip')
    assert decision(api, cache, notes).decide(current, again)[0] is False
    assert api.downloads == ['1']
    assert any('from the digest cache' in note for note in notes)
    assert again.archive.sha256_known  # the local file's digest came from the cache too


def test_a_re_upload_made_elsewhere_is_seen_by_its_new_date(tmp_path, cache):
    content = zip_of({'a.txt': b'1'})
    (tmp_path / 'a.zip').write_bytes(content)
    api = FakeApi()
    current = api.store('1', content)
    decision(api, cache).decide(current, desired_file(tmp_path / 'a.zip'))
    replaced = api.store('1', zip_of({'a.txt': b'2'}))  # same size, other bytes, a new last_modified_date
    assert replaced['file_metadata']['size'] == current['file_metadata']['size']
    needed, known, _after = decision(api, cache).decide(replaced, desired_file(tmp_path / 'a.zip'))
    assert needed is True and api.downloads == ['1', '1']
    assert known['sha256'] == hashlib.sha256(api.stored['1']).hexdigest()


def test_a_changed_local_file_is_hashed_again(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi()
    current = api.store('1', path.read_bytes())
    decision(api, cache).decide(current, desired_file(path))
    path.write_bytes(zip_of({'a.txt': b'2'}))
    assert decision(api, cache).decide(current, desired_file(path))[0] is True


def uploaded(api, cache, path, ext_id='1', keep_date=False, change_during=None):
    """What _extension_state does around an upload of `path` to extension `ext_id`; returns (before, after)."""
    before = api.store(ext_id, zip_of({'a.txt': b'0'}))
    want = desired_file(path)
    uploads = decision(api, cache)
    key = uploads.before_upload(want.archive)
    after = api.store(ext_id, path.read_bytes(), keep_date=before['file_metadata']['last_modified_date'] if keep_date else None)
    if change_during is not None:
        path.write_bytes(change_during)
    uploads.record_upload(before, after if not api.check_mode else dict(before), want.archive, key)
    return before, after


def test_what_was_uploaded_is_known_without_a_download_or_hashing(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi()
    _before, after = uploaded(api, cache, path)
    again = desired_file(path)
    assert decision(api, cache).decide(after, again, with_sha256=False)[0] is False  # as without diff mode
    assert api.downloads == [] and not again.archive.sha256_known


def test_after_an_upload_a_changed_local_file_of_the_same_size_is_compared_by_download(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi()
    _before, after = uploaded(api, cache, path)
    path.write_bytes(zip_of({'a.txt': b'2'}))
    assert decision(api, cache).decide(after, desired_file(path))[0] is True
    assert api.downloads == ['1']


def test_check_mode_records_nothing(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi(check_mode=True)
    before, _after = uploaded(api, cache, path)
    api.stored['1'] = zip_of({'a.txt': b'0'})  # check mode sent nothing: the server still holds the old archive
    assert decision(api, cache).decide(before, desired_file(path))[0] is True
    assert api.downloads == ['1']


def test_a_date_that_does_not_move_with_an_upload_turns_the_stored_entries_off(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi()
    decision(api, cache).decide(api.store('1', zip_of({'a.txt': b'0'})), desired_file(path))  # caches the old copy's digest
    _before, after = uploaded(api, cache, path, keep_date=True)
    for _run in range(2):
        assert decision(api, cache).decide(after, desired_file(path))[0] is False
    assert api.downloads == ['1', '1', '1']  # every run compares by downloading again


def test_an_unreadable_stored_copy_of_the_same_size_is_kept_with_a_warning(tmp_path, cache):
    content = zip_of({'a.txt': b'1'})
    (tmp_path / 'a.zip').write_bytes(content)
    api = FakeApi()
    current = api.store('1', content)

    def broken(extension):
        raise EceError('HTTP 403')
    api.stored_sha256 = broken
    warnings = []
    assert UploadDecision(api, warn=warnings.append, cache=cache).decide(current, desired_file(tmp_path / 'a.zip'))[0] is False
    assert 'could not be read' in warnings[0]


def test_the_cache_off_means_a_download_every_run(tmp_path, monkeypatch):
    monkeypatch.setenv('ECE_DIGEST_CACHE', 'false')
    content = zip_of({'a.txt': b'1'})
    (tmp_path / 'a.zip').write_bytes(content)
    api = FakeApi()
    current = api.store('1', content)
    for _run in range(2):
        UploadDecision(api).decide(current, desired_file(tmp_path / 'a.zip'))
    assert api.downloads == ['1', '1']


def refuse(*_args, **_kwargs):
    raise PermissionError(13, 'Permission denied')


@pytest.mark.parametrize('primitive', ['mkstemp', 'replace'])
def test_a_cache_that_cannot_be_written_still_gives_the_right_answer(tmp_path, monkeypatch, primitive):
    # A cache directory this user may not write to (as root too: the write itself is made to fail). The cache is
    # the one a module run makes (from the environment), so its notes reach -vvv as in a real run.
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    monkeypatch.delenv('ECE_DIGEST_CACHE', raising=False)
    (tmp_path / 'cache' / 'ece.platform' / 'v1').mkdir(mode=0o700, parents=True)
    (tmp_path / 'cache').chmod(0o700)
    if primitive == 'mkstemp':
        monkeypatch.setattr(_digest_cache.tempfile, 'mkstemp', refuse)
    else:
        monkeypatch.setattr(_digest_cache.os, 'replace', refuse)
    content = zip_of({'a.txt': b'1'})
    (tmp_path / 'a.zip').write_bytes(content)
    api = FakeApi()
    current = api.store('1', content)
    for _run in range(2):
        notes = []
        assert UploadDecision(api, note=notes.append).decide(current, desired_file(tmp_path / 'a.zip'))[0] is False
        assert any('computed by downloading it (not in the digest cache)' in note for note in notes)
        assert any('Permission denied' in note for note in notes)  # -vvv says why the cache did not help
        assert not any('from the digest cache' in note for note in notes)
    assert api.downloads == ['1', '1']  # nothing was remembered, so every run compares by downloading
    replaced = api.store('1', zip_of({'a.txt': b'2'}))  # same size, other bytes
    needed, known, _after = UploadDecision(api).decide(replaced, desired_file(tmp_path / 'a.zip'))
    assert needed is True and known['sha256'] == hashlib.sha256(api.stored['1']).hexdigest()
    assert api.downloads == ['1', '1', '1']
    monkeypatch.undo()
    assert os.listdir(str(tmp_path / 'cache' / 'ece.platform' / 'v1')) == []  # no entry, no temporary file left


def test_two_ece_hosts_with_the_same_extension_id_size_and_date_share_no_entry(tmp_path, cache):
    first = FakeApi(base_url='https://ece-a.example.com:12443/api/v1')
    second = FakeApi(base_url='https://ece-b.example.com:12443/api/v1')
    mine, theirs = zip_of({'a.txt': b'1'}), zip_of({'a.txt': b'2'})
    assert len(mine) == len(theirs) and mine != theirs
    (tmp_path / 'a.zip').write_bytes(mine)
    date = '2026-12-06T06:00:00.000Z'
    on_first, on_second = first.store('1', mine, keep_date=date), second.store('1', theirs, keep_date=date)
    assert on_first == on_second  # ECE's metadata alone cannot tell the two apart
    assert decision(first, cache).decide(on_first, desired_file(tmp_path / 'a.zip'))[0] is False
    needed, known, _after = decision(second, cache).decide(on_second, desired_file(tmp_path / 'a.zip'))
    assert needed is True and known['sha256'] == hashlib.sha256(theirs).hexdigest()
    assert first.downloads == ['1'] and second.downloads == ['1']
    assert decision(first, cache).decide(on_first, desired_file(tmp_path / 'a.zip'))[0] is False
    assert first.downloads == ['1']  # each host keeps its own entry


# Bundle directories

def make_tree(root):
    (root / 'dictionaries').mkdir(parents=True)
    (root / 'dictionaries' / 'synonyms.txt').write_bytes(b'laptop, notebook\n' * 20)
    (root / 'readme.txt').write_bytes(b'synonyms bundle\n')
    return root


def tree_zip(level_or_stored):
    files = {'readme.txt': b'synonyms bundle\n', 'dictionaries/synonyms.txt': b'laptop, notebook\n' * 20}
    if level_or_stored == 'stored':
        return zip_of(files, zipfile.ZIP_STORED)
    return zip_of(files, zipfile.ZIP_DEFLATED, level_or_stored)


@pytest.mark.parametrize('server_zip', ['stored', 1, 9])
def test_the_same_tree_zipped_otherwise_is_not_uploaded(tmp_path, cache, server_zip):
    tree = make_tree(tmp_path / 'synonyms')
    api = FakeApi()
    current = api.store('1', tree_zip(server_zip))
    want = DesiredExtension('ext', file=str(tree))
    want.prepare(workdir=str(tmp_path))
    needed, known, after = decision(api, cache).decide(current, want)
    assert needed is False
    assert after == known  # the diff shows no change either
    assert api.downloads == ['1']
    again = DesiredExtension('ext', file=str(tree))
    again.prepare(workdir=str(tmp_path))
    assert decision(api, cache).decide(current, again)[0] is False
    assert api.downloads == ['1']


def test_a_changed_tree_is_uploaded_whatever_the_sizes(tmp_path, cache):
    tree = make_tree(tmp_path / 'synonyms')
    api = FakeApi()
    current = api.store('1', tree_zip('stored'))
    (tree / 'readme.txt').write_bytes(b'synonyms bundle!\n')
    want = DesiredExtension('ext', file=str(tree))
    want.prepare(workdir=str(tmp_path))
    assert decision(api, cache).decide(current, want)[0] is True


def test_a_stored_copy_that_is_not_a_zip_differs_from_any_tree(tmp_path, cache):
    tree = make_tree(tmp_path / 'synonyms')
    api = FakeApi()
    current = api.store('1', b'PK\x03\x04 not really a zip')
    want = DesiredExtension('ext', file=str(tree))
    want.prepare(workdir=str(tmp_path))
    assert decision(api, cache).decide(current, want)[0] is True


def dated_zip(year):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as archive:
        archive.writestr(zipfile.ZipInfo('bin/tool', date_time=(year, 1, 1, 0, 0, 0)), b'#!/bin/sh\n')
    return buf.getvalue()


def test_a_plain_zip_file_is_compared_by_bytes_not_content(tmp_path, cache):
    (tmp_path / 'a.zip').write_bytes(dated_zip(2024))
    api = FakeApi()
    current = api.store('1', dated_zip(2025))  # the same entry and content, the same size, other bytes
    assert len(dated_zip(2024)) == len(dated_zip(2025)) and dated_zip(2024) != dated_zip(2025)
    assert decision(api, cache).decide(current, desired_file(tmp_path / 'a.zip'))[0] is True


# download_url

def test_an_unchanged_download_url_is_asked_conditionally(cache):
    api = FakeApi()
    api.url_bytes = zip_of({'a.txt': b'1'})
    current = api.store('1', api.url_bytes)
    assert decision(api, cache).url_matches_stored(current, 'https://files.example.com/a.zip') is True
    assert api.url_answers == [200] and api.downloads == ['1']
    assert decision(api, cache).url_matches_stored(current, 'https://files.example.com/a.zip') is True
    assert api.url_answers == [200, 304] and api.downloads == ['1']


def test_a_new_etag_reads_the_url_again_and_finds_the_difference(cache):
    api = FakeApi()
    api.url_bytes = zip_of({'a.txt': b'1'})
    current = api.store('1', api.url_bytes)
    decision(api, cache).url_matches_stored(current, 'https://files.example.com/a.zip')
    api.url_bytes, api.url_etag = zip_of({'a.txt': b'2'}), '"v2"'
    assert decision(api, cache).url_matches_stored(current, 'https://files.example.com/a.zip') is False
    assert api.url_answers == [200, 200]


def test_a_file_changed_during_its_upload_is_not_remembered_as_sent(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi()
    _before, after = uploaded(api, cache, path, change_during=zip_of({'a.txt': b'2'}))
    assert decision(api, cache).decide(after, desired_file(path))[0] is True  # the server holds '1', the file is '2'
    assert api.downloads == ['1']


def test_a_directory_upload_remembers_the_content_of_the_zip_that_was_sent(tmp_path, cache):
    tree = make_tree(tmp_path / 'synonyms')
    api = FakeApi()
    want = DesiredExtension('ext', file=str(tree))
    want.prepare(workdir=str(tmp_path))
    before = api.store('1', b'PK\x05\x06' + bytes(18))
    uploads = decision(api, cache)
    after = api.store('1', open(want.archive.path, 'rb').read())
    uploads.record_upload(before, after, want.archive, uploads.before_upload(want.archive))
    again = DesiredExtension('ext', file=str(tree))
    again.prepare(workdir=str(tmp_path))
    assert decision(api, cache).decide(after, again)[0] is False
    (tree / 'readme.txt').write_bytes(b'changed\n')
    changed = DesiredExtension('ext', file=str(tree))
    changed.prepare(workdir=str(tmp_path))
    assert decision(api, cache).decide(after, changed)[0] is True
    assert api.downloads == []


def test_in_diff_mode_the_stored_archive_known_as_the_uploaded_file_shows_its_digest(tmp_path, cache):
    path = tmp_path / 'a.zip'
    path.write_bytes(zip_of({'a.txt': b'1'}))
    api = FakeApi()
    _before, after = uploaded(api, cache, path)
    needed, known, shown = decision(api, cache).decide(after, desired_file(path), with_sha256=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert needed is False and known == shown == {'size': len(path.read_bytes()), 'sha256': digest}
    assert api.downloads == []
