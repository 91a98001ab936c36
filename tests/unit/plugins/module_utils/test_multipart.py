# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The streamed upload body: the archive's bytes come back exactly, and a retry sends it all again."""

from __future__ import annotations

import email.parser
import email.policy
import random
import re

import pytest

from ansible_collections.ece.platform.plugins.module_utils._multipart import multipart_body

TRICKY = b'\r\n--\r\n\r\n--boundary\r\n' + b'--' * 8 + b'\n\r\r\n\x00\xff'


@pytest.fixture
def archive(tmp_path):
    """A 'zip' of random binary bytes with CRLF and `--` runs at the start, inside and at the very end."""
    rng = random.Random(20260101)
    middle = bytes(rng.getrandbits(8) for _dummy in range(300000))
    content = b'PK\x03\x04' + TRICKY + middle[:150000] + TRICKY + middle[150000:] + TRICKY
    path = tmp_path / 'analysis-custom.zip'
    path.write_bytes(content)
    return path, content


def read_all(encoder, size=8192):
    """Drain the encoder the way the HTTP layer does: in blocks until it returns nothing."""
    chunks = []
    while True:
        chunk = encoder.read(size)
        if not chunk:
            return b''.join(chunks)
        chunks.append(chunk)


def boundary_of(headers):
    match = re.match(r'multipart/form-data; boundary=(\S+)$', headers['Content-Type'])
    assert match, headers['Content-Type']
    return match.group(1).encode()


def split_parts(body, boundary):
    """A strict multipart/form-data parser: [(header bytes, content bytes)]."""
    delimiter = b'--' + boundary
    assert body.startswith(delimiter + b'\r\n')
    assert body.endswith(b'\r\n' + delimiter + b'--\r\n')
    inner = body[len(delimiter) + 2:-(len(delimiter) + 6)]
    parts = []
    for raw in inner.split(b'\r\n' + delimiter + b'\r\n'):
        head, sep, content = raw.partition(b'\r\n\r\n')
        assert sep
        parts.append((head, content))
    return parts


def test_body_round_trips_byte_for_byte(archive):
    path, content = archive
    with open(path, 'rb') as handle:
        encoder, headers = multipart_body(handle, 'analysis-custom.zip')
        body = read_all(encoder)
    assert boundary_of(headers) not in content
    assert int(headers['Content-Length']) == len(body)
    [(head, file_bytes)] = split_parts(body, boundary_of(headers))
    assert file_bytes == content
    assert b'Content-Disposition: form-data; name="file"; filename="analysis-custom.zip"' in head.split(b'\r\n')
    assert b'Content-Type: application/zip' in head.split(b'\r\n')


def test_body_parses_with_the_email_package(archive):
    path, content = archive
    with open(path, 'rb') as handle:
        encoder, headers = multipart_body(handle, 'analysis-custom.zip')
        body = read_all(encoder, size=1000)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b'Content-Type: ' + headers['Content-Type'].encode() + b'\r\n\r\n' + body)
    assert message.get_content_type() == 'multipart/form-data'
    [part] = list(message.iter_parts())
    assert part.get_param('name', header='content-disposition') == 'file'
    assert part.get_filename() == 'analysis-custom.zip'
    assert part.get_content_type() == 'application/zip'
    assert part.get_payload(decode=True) == content


def test_a_retry_sends_the_same_archive_from_the_first_byte(archive):
    path, content = archive
    with open(path, 'rb') as handle:
        first, first_headers = multipart_body(handle, 'analysis-custom.zip')
        first_body = read_all(first)
        # A failed attempt that stopped mid-stream leaves the file position anywhere.
        handle.seek(12345)
        second, second_headers = multipart_body(handle, 'analysis-custom.zip')
        second_body = read_all(second)
    assert first_headers['Content-Length'] == second_headers['Content-Length'] == str(len(second_body))
    # Each encoder picks its own random boundary; apart from it, both attempts send the same bytes.
    assert second_body.replace(boundary_of(second_headers), boundary_of(first_headers)) == first_body
    assert split_parts(second_body, boundary_of(second_headers))[0][1] == content


def test_a_retry_after_a_partly_read_attempt(archive):
    path, content = archive
    with open(path, 'rb') as handle:
        abandoned, _headers = multipart_body(handle, 'analysis-custom.zip')
        abandoned.read(100000)
        encoder, headers = multipart_body(handle, 'analysis-custom.zip')
        body = read_all(encoder)
    assert int(headers['Content-Length']) == len(body)
    assert split_parts(body, boundary_of(headers))[0][1] == content


def test_progress_reports_every_byte_sent_and_the_end_once(archive):
    from ansible_collections.ece.platform.plugins.module_utils import _progress  # pylint: disable=import-outside-toplevel
    path, _content = archive
    events = []
    previous = _progress.set_reporter(lambda event, fields: events.append((event, fields)))
    try:
        with open(path, 'rb') as handle:
            body, headers = multipart_body(handle, 'analysis-custom.zip')
            sent = len(read_all(body, 65536))
            body.read(65536)  # the HTTP layer may read once more after the end
    finally:
        _progress.set_reporter(previous)
    assert sent == int(headers['Content-Length'])
    uploads = [fields for event, fields in events if event == 'upload']
    assert [fields['sent'] for fields in uploads] == sorted(fields['sent'] for fields in uploads)
    assert uploads[-1]['sent'] == sent and uploads[-1]['total'] == sent
    done = [fields for event, fields in events if event == 'upload_done']
    assert len(done) == 1 and done[0]['sent'] == sent and done[0]['name'] == 'analysis-custom.zip'
