# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upload bodies: raw (application/zip, as curl -T) and multipart, read in blocks from the open file."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._upload_body import upload_body

CONTENT = b'PK\x03\x04' + bytes(range(256)) * 4096


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / 'a.zip'
    path.write_bytes(CONTENT)
    return str(path)


def drain(body, block=65536):
    sent = []
    while True:
        chunk = body.read(block)
        if not chunk:
            return b''.join(sent)
        sent.append(bytes(chunk))  # a raw body hands out views of one reused buffer


def test_a_raw_body_is_the_file_with_its_length_and_type(archive):
    with open(archive, 'rb') as handle:
        body, headers = upload_body('raw', handle, len(CONTENT), 'a.zip')
        assert headers == {'Content-Type': 'application/zip', 'Content-Length': str(len(CONTENT))}
        assert body.len == len(CONTENT)
        assert drain(body) == CONTENT


def test_a_retry_starts_the_body_again(archive):
    with open(archive, 'rb') as handle:
        body, _headers = upload_body('raw', handle, len(CONTENT), 'a.zip')
        body.read(1000)  # the first attempt broke off here
        body, _headers = upload_body('raw', handle, len(CONTENT), 'a.zip')
        assert drain(body) == CONTENT


def test_a_multipart_body_carries_the_file_in_part_file(archive):
    pytest.importorskip('requests_toolbelt')
    with open(archive, 'rb') as handle:
        body, headers = upload_body('multipart', handle, len(CONTENT), 'a.zip')
        assert headers['Content-Type'].startswith('multipart/form-data; boundary=')
        sent = drain(body)
        assert int(headers['Content-Length']) == len(sent)
        assert b'name="file"; filename="a.zip"' in sent and CONTENT in sent
