# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the body of an upload, in either encoding, hashed as it is sent.

`upload_mode: multipart` (default) sends the Swagger's `multipart/form-data` with the archive in part `file`
(see _multipart); `raw` sends the archive itself as the body with `Content-Type: application/zip`, as
Elastic's guide does with `curl -T`, for proxies and firewalls that refuse multipart bodies.
ECE accepts both (register: upload-encodings): the specification shows multipart, Elastic's guides the raw body.

Either way the file is read in blocks as the socket drains (flat memory). Nothing else is done with the
bytes on their way out: hashing them here cost a quarter of a 1 GiB upload's time on a loaded 2-core machine,
so after an upload the digest cache records which local file (by its key) was sent instead (_upload_decision).
"""

from __future__ import annotations


from ansible_collections.ece.platform.plugins.module_utils._multipart import CONTENT_TYPE, multipart_body
from ansible_collections.ece.platform.plugins.module_utils._progress import UploadProgress

UPLOAD_MODES = ('multipart', 'raw')


RAW_BLOCK_SIZE = 1024 * 1024


class _RawBody:
    """The raw body as the HTTP layer reads it: the file, with its length known and progress reported.

    Each read fills one reused 1 MiB buffer and hands out a view of it: the HTTP layer sends a block before it
    reads the next one, so nothing is allocated per block, and large blocks keep the per-block Python work
    small (a 1 GiB upload took about 1.15 times as long as `curl -T` in 64 KiB blocks, about as long in these).
    """

    def __init__(self, source, size, name):
        self._source = source
        self.len = size  # requests sends a Content-Length (no chunked encoding) for a body that has `len`
        self._progress = UploadProgress(name, size)
        self._buffer = bytearray(min(RAW_BLOCK_SIZE, max(size, 1)))
        self._view = memoryview(self._buffer)

    def read(self, size=-1):  # pylint: disable=unused-argument
        count = self._source.readinto(self._buffer)
        return self._progress.passed(self._view[:count] if count else b'')


def raw_body(source, size, filename):
    """`(body, headers)` for one attempt of a raw upload; rewinds `source` first, as every attempt starts at byte 0."""
    source.seek(0)
    return _RawBody(source, size, filename), {'Content-Type': CONTENT_TYPE, 'Content-Length': str(size)}


def upload_body(mode, source, size, filename):
    """`(body, headers)` for one attempt of an upload of the open binary file `source` in `mode`."""
    if mode == 'raw':
        return raw_body(source, size, filename)
    return multipart_body(source, filename)
