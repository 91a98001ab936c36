# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The digest cache: where it lives, what it trusts, and that nothing broken or foreign is ever believed."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.ece.platform.plugins.module_utils._archive_digests import (
    local_file_key, tree_content_digest, tree_key, zip_content_digest)
from ansible_collections.ece.platform.plugins.module_utils import _digest_cache
from ansible_collections.ece.platform.plugins.module_utils._digest_cache import (
    DigestCache, cache_directory, cache_enabled, hashed)
from ansible_collections.ece.platform.plugins.module_utils._zip_builder import build_zip, tree_entries

DIGEST = 'ab' * 32
OTHER = 'cd' * 32
KEY = dict(host=hashed('https://ece:12443/api/v1'), id='42', size=10, last_modified_date='2026-01-01T00:00:00.000Z')


def entry_files(root):
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files if f.endswith('.json')]


def test_the_directory_follows_xdg_and_falls_back_to_home():
    assert cache_directory({'XDG_CACHE_HOME': '/var/cache/me'}) == '/var/cache/me/ece.platform'
    assert cache_directory({'XDG_CACHE_HOME': 'relative/dir'}) == os.path.join(os.path.expanduser('~'), '.cache', 'ece.platform')
    assert cache_directory({}) == os.path.join(os.path.expanduser('~'), '.cache', 'ece.platform')


@pytest.mark.parametrize('value, enabled', [(None, True), ('true', True), ('false', False), ('0', False), ('No', False), ('1', True)])
def test_ece_digest_cache_turns_it_off(value, enabled):
    environ = {} if value is None else {'ECE_DIGEST_CACHE': value}
    assert cache_enabled(environ) is enabled
    assert DigestCache.from_environment(environ=dict(environ, XDG_CACHE_HOME='/tmp/x')).enabled is enabled


def test_a_value_comes_back_for_exactly_its_key(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('stored', KEY, dict(sha256=DIGEST))
    assert cache.get('stored', KEY) == dict(sha256=DIGEST)
    assert cache.get('stored', dict(KEY, last_modified_date='2026-01-02T00:00:00.000Z')) is None
    assert cache.get('stored', dict(KEY, size=11)) is None
    assert cache.get('local', KEY) is None


def test_no_credential_or_host_is_stored(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('url', dict(url=hashed('https://files.example.com/a.zip?X-Amz-Signature=secret')), dict(sha256=DIGEST, size=3))
    cache.put('stored', KEY, dict(sha256=DIGEST))
    text = ''.join(open(path).read() for path in entry_files(str(tmp_path)))
    assert 'secret' not in text and 'files.example.com' not in text and 'ece:12443' not in text
    assert DIGEST in text


def test_the_directories_and_entries_are_private(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('stored', KEY, dict(sha256=DIGEST))
    assert stat.S_IMODE(os.stat(str(tmp_path / 'c')).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(str(tmp_path / 'c' / 'v1')).st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in entry_files(str(tmp_path)))


@pytest.mark.parametrize('content', [b'', b'{not json', b'[]', b'{"kind": "stored", "key": {}, "value": {"sha256": "x"}}',
                                     b'\xff\xfe', b'{"kind": "stored", "value": {"sha256": "' + b'ab' * 32 + b'"}}'])
def test_a_broken_entry_is_ignored_and_then_overwritten(tmp_path, content):
    notes = []
    cache = DigestCache(str(tmp_path / 'c'), note=notes.append)
    cache.put('stored', KEY, dict(sha256=DIGEST))
    [path] = entry_files(str(tmp_path))
    with open(path, 'wb') as handle:
        handle.write(content)
    assert cache.get('stored', KEY) is None
    assert notes
    cache.put('stored', KEY, dict(sha256=OTHER))
    assert cache.get('stored', KEY) == dict(sha256=OTHER)


def test_an_entry_moved_under_another_key_name_is_not_believed(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('stored', KEY, dict(sha256=DIGEST))
    other_key = dict(KEY, id='43')
    cache.put('stored', other_key, dict(sha256=OTHER))
    first, second = sorted(entry_files(str(tmp_path)))
    os.replace(first, second)  # the file named after one key now holds the other key's entry
    assert sorted([cache.get('stored', KEY), cache.get('stored', other_key)], key=str)[0] is None


def test_malformed_values_are_neither_written_nor_read(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('stored', KEY, dict(sha256='not-a-digest'))
    assert not entry_files(str(tmp_path))


def test_a_directory_that_cannot_be_made_means_no_cache(tmp_path):
    blocker = tmp_path / 'a-file'
    blocker.write_bytes(b'')  # nobody, root included, can make a directory below a regular file
    notes = []
    cache = DigestCache(str(blocker / 'c'), note=notes.append)
    cache.put('stored', KEY, dict(sha256=DIGEST))
    assert cache.get('stored', KEY) is None
    assert not cache.enabled and any('cannot be created' in note for note in notes)


def test_a_read_only_cache_directory_writes_nothing_and_fails_nothing(tmp_path):
    if os.getuid() == 0:
        pytest.skip('root writes anywhere (the tests below make the write fail for root too)')
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('stored', KEY, dict(sha256=DIGEST))
    (tmp_path / 'c' / 'v1').chmod(0o500)
    try:
        cache.put('stored', dict(KEY, id='7'), dict(sha256=DIGEST))
        assert cache.get('stored', dict(KEY, id='7')) is None
    finally:
        (tmp_path / 'c' / 'v1').chmod(0o700)


def refuse(*_args, **_kwargs):
    raise PermissionError(13, 'Permission denied')


def filled_cache_watched(tmp_path):
    """A cache under tmp_path/c holding KEY's entry, opened again by a second DigestCache whose notes are kept."""
    DigestCache(str(tmp_path / 'c')).put('stored', KEY, dict(sha256=DIGEST))
    notes = []
    return DigestCache(str(tmp_path / 'c'), note=notes.append), notes


def test_a_cache_directory_where_no_file_can_be_made_turns_the_cache_off(tmp_path, monkeypatch):
    # What a directory without write permission does to a user other than root, made to happen for root too.
    blocked, notes = filled_cache_watched(tmp_path)
    monkeypatch.setattr(_digest_cache.tempfile, 'mkstemp', refuse)
    blocked.put('stored', dict(KEY, id='7'), dict(sha256=DIGEST))
    assert not blocked.enabled
    assert blocked.get('stored', dict(KEY, id='7')) is None
    assert blocked.get('stored', KEY) is None  # the rest of the run does without the cache
    assert any('is not writable (Permission denied)' in note for note in notes)
    monkeypatch.undo()
    assert sorted(os.listdir(str(tmp_path / 'c' / 'v1'))) == [os.path.basename(entry_files(str(tmp_path))[0])]


def test_an_entry_that_cannot_be_moved_into_place_is_not_stored_and_leaves_nothing(tmp_path, monkeypatch):
    blocked, notes = filled_cache_watched(tmp_path)
    monkeypatch.setattr(_digest_cache.os, 'replace', refuse)
    blocked.put('stored', dict(KEY, id='7'), dict(sha256=DIGEST))
    blocked.put('stored', KEY, dict(sha256=OTHER))
    monkeypatch.undo()
    assert blocked.get('stored', dict(KEY, id='7')) is None
    assert blocked.get('stored', KEY) == dict(sha256=DIGEST)  # the entry as it was, never half of the new one
    assert [name for name in os.listdir(str(tmp_path / 'c' / 'v1')) if not name.endswith('.json')] == []
    assert sum('could not write' in note and 'Permission denied' in note for note in notes) == 2


def test_an_entry_path_taken_by_a_directory_is_neither_read_nor_written(tmp_path):
    # A rename onto a directory fails for root as well: what the integration target does to an existing cache.
    blocked, notes = filled_cache_watched(tmp_path)
    [path] = entry_files(str(tmp_path))
    os.unlink(path)
    os.mkdir(path, 0o700)
    assert blocked.get('stored', KEY) is None
    blocked.put('stored', KEY, dict(sha256=DIGEST))
    assert blocked.get('stored', KEY) is None
    assert os.path.isdir(path) and os.listdir(path) == []
    assert sorted(os.listdir(str(tmp_path / 'c' / 'v1'))) == [os.path.basename(path)]  # no temporary file left
    assert any('ignored the unreadable entry' in note for note in notes) and any('could not write' in note for note in notes)


def test_a_directory_others_may_write_to_is_not_trusted(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    cache.put('stored', KEY, dict(sha256=DIGEST))
    (tmp_path / 'c' / 'v1').chmod(0o777)
    notes = []
    again = DigestCache(str(tmp_path / 'c'), note=notes.append)
    assert again.get('stored', KEY) is None
    assert any('others may write' in note for note in notes)


def test_writes_are_atomic_renames_and_leave_no_temporary_files(tmp_path):
    cache = DigestCache(str(tmp_path / 'c'))
    for index in range(20):
        cache.put('stored', dict(KEY, id=str(index)), dict(sha256=DIGEST))
    leftovers = [name for name in os.listdir(str(tmp_path / 'c' / 'v1')) if name.endswith('.tmp')]
    assert leftovers == []
    with open(entry_files(str(tmp_path))[0]) as handle:
        assert json.load(handle)['value'] == dict(sha256=DIGEST)


# Keys and content digests

def test_the_local_key_changes_with_any_rewrite(tmp_path):
    path = tmp_path / 'a.zip'
    path.write_bytes(b'one')
    first = local_file_key(str(path))
    info = os.stat(str(path))
    path.write_bytes(b'two')  # same size, same inode
    os.utime(str(path), ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime put back, as cp -p or rsync -t do
    assert local_file_key(str(path)) != first  # the ctime still moved
    replaced = tmp_path / 'b.zip'
    replaced.write_bytes(b'two')
    os.replace(str(replaced), str(path))
    assert local_file_key(str(path))['inode'] != first['inode'] or local_file_key(str(path)) != first


def make_tree(root, files):
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return str(root)


def test_the_tree_key_changes_when_a_file_changes(tmp_path):
    root = make_tree(tmp_path / 'b', {'a.txt': b'1', 'sub/b.txt': b'2'})
    first = tree_key(root, tree_entries(root))
    (tmp_path / 'b' / 'sub' / 'b.txt').write_bytes(b'3')
    assert tree_key(root, tree_entries(root)) != first


def test_a_tree_and_its_zip_have_one_content_digest_whatever_the_compression(tmp_path):
    import zipfile
    root = make_tree(tmp_path / 'b', {'dictionaries/synonyms.txt': b'laptop, notebook\n' * 50, 'readme.txt': b'hi'})
    built = build_zip(root, workdir=str(tmp_path))
    expected = tree_content_digest(tree_entries(root))
    assert zip_content_digest(built) == expected
    for compression, level in ((zipfile.ZIP_STORED, None), (zipfile.ZIP_DEFLATED, 1), (zipfile.ZIP_DEFLATED, 9)):
        other = str(tmp_path / ('other-%s-%s.zip' % (compression, level)))
        with zipfile.ZipFile(other, 'w', compression=compression, compresslevel=level) as archive:
            archive.writestr('readme.txt', b'hi')  # another order, today's timestamps, no directory entries
            archive.writestr('dictionaries/synonyms.txt', b'laptop, notebook\n' * 50)
        assert zip_content_digest(other) == expected
        assert open(other, 'rb').read() != open(built, 'rb').read()


@pytest.mark.parametrize('files', [
    {'dictionaries/synonyms.txt': b'laptop, notebook\n', 'readme.txt': b'hi'},   # one byte less
    {'dictionaries/synonyms.txt': b'laptop, notebook\n\n', 'README.txt': b'hi'},  # a renamed entry
    {'synonyms.txt': b'laptop, notebook\n\n', 'readme.txt': b'hi'},               # moved to another folder
    {'dictionaries/synonyms.txt': b'laptop, notebook\n\n', 'readme.txt': b'hi', 'extra': b''},  # an added empty file
])
def test_any_change_of_names_or_bytes_changes_the_content_digest(tmp_path, files):
    import zipfile
    root = make_tree(tmp_path / 'b', {'dictionaries/synonyms.txt': b'laptop, notebook\n\n', 'readme.txt': b'hi'})
    other = str(tmp_path / 'other.zip')
    with zipfile.ZipFile(other, 'w') as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    assert zip_content_digest(other) != tree_content_digest(tree_entries(root))


def test_a_file_that_is_not_a_zip_has_no_content_digest(tmp_path):
    path = tmp_path / 'x.zip'
    path.write_bytes(b'PK\x03\x04 but nothing else')
    assert zip_content_digest(str(path)) is None
