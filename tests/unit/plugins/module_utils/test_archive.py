# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LocalArchive: every bad `file` fails before a request, a good one gives its size and SHA-256."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest

from ansible_collections.ece.platform.plugins.module_utils import _archive
from ansible_collections.ece.platform.plugins.module_utils._archive import LocalArchive, sha256_of_file
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buf.getvalue()


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_missing_file(tmp_path):
    path = str(tmp_path / 'nope.zip')
    with pytest.raises(EceError, match='does not exist') as caught:
        LocalArchive.open_checked(path)
    assert caught.value.msg.startswith('Option file: ')
    assert path in caught.value.msg


def test_directory_without_files(tmp_path):
    (tmp_path / 'bundle' / 'empty-subdir').mkdir(parents=True)
    with pytest.raises(EceError, match='^Option file: .*holds no files'):
        LocalArchive.open_checked(str(tmp_path / 'bundle'), workdir=str(tmp_path))


def test_directory_with_files_is_zipped_and_named_after_it(tmp_path):
    (tmp_path / 'synonyms').mkdir()
    (tmp_path / 'synonyms' / 'dict.txt').write_bytes(b'a, b\n')
    work = tmp_path / 'work'
    work.mkdir()
    archive = LocalArchive.open_checked(str(tmp_path / 'synonyms') + '/', workdir=str(work))
    assert archive.upload_name == 'synonyms.zip'
    assert os.path.dirname(archive.path) == str(work)
    with zipfile.ZipFile(archive.path) as built:
        assert built.read('dict.txt') == b'a, b\n'
    assert archive.size == os.path.getsize(archive.path)


@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='needs a FIFO')
def test_not_a_regular_file(tmp_path):
    fifo = str(tmp_path / 'pipe.zip')
    os.mkfifo(fifo)
    with pytest.raises(EceError, match='not a regular file'):
        LocalArchive.open_checked(fifo)


def test_empty_file(tmp_path):
    with pytest.raises(EceError, match='is empty'):
        LocalArchive.open_checked(write(tmp_path, 'empty.zip', b''))


@pytest.mark.parametrize('content', [
    b'hello world, not a zip',
    b'PK',  # shorter than a header
    b'PK\x01\x02central directory first',
    b'\x1f\x8b\x08\x00gzip',
])
def test_not_a_zip(tmp_path, content):
    with pytest.raises(EceError, match='not a zip archive'):
        LocalArchive.open_checked(write(tmp_path, 'plugin.zip', content))


def test_the_option_name_is_in_the_message(tmp_path):
    with pytest.raises(EceError, match='^Option archive: '):
        LocalArchive.open_checked(str(tmp_path / 'nope.zip'), option='archive')


def test_valid_zip_gives_size_and_sha256(tmp_path):
    content = zip_bytes({'plugin-descriptor.properties': b'name=x\n', 'lib/x.jar': os.urandom(5000)})
    path = write(tmp_path, 'plugin.zip', content)
    archive = LocalArchive.open_checked(path)
    assert archive.path == path
    assert archive.upload_name == 'plugin.zip'
    assert archive.size == len(content)
    assert archive.sha256 == hashlib.sha256(content).hexdigest()
    assert archive.summary() == {'size': len(content), 'sha256': hashlib.sha256(content).hexdigest()}


def test_empty_zip_archive_is_accepted(tmp_path):
    content = zip_bytes({})
    assert content.startswith(b'PK\x05\x06')
    archive = LocalArchive.open_checked(write(tmp_path, 'empty-bundle.zip', content))
    assert archive.size == len(content) == 22
    assert archive.sha256 == hashlib.sha256(content).hexdigest()


def test_sha256_reads_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(_archive, 'CHUNK_SIZE', 7)
    content = b'PK\x03\x04' + os.urandom(1000)
    assert sha256_of_file(write(tmp_path, 'a.zip', content)) == hashlib.sha256(content).hexdigest()


def test_sha256_is_computed_once(tmp_path):
    content = zip_bytes({'a': b'1'})
    path = write(tmp_path, 'a.zip', content)
    archive = LocalArchive.open_checked(path)
    first = archive.sha256
    os.unlink(path)  # a second read of the file would fail now
    assert archive.sha256 == first
