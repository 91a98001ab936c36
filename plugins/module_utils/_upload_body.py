# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the body of an upload, in either encoding, hashed as it is sent.

`upload_mode: multipart` (default) sends the Swagger's `multipart/form-data` with the archive in part `file`
(see _multipart); `raw` sends the archive itself as the body with `Content-Type: application/zip`, as
Elastic's guide does with `curl -T`, for proxies and firewalls that refuse multipart bodies.
Assumption [D]: ECE accepts both (API.md 5.2, Elastic's guides); the emulator stores both the same way.

Either way the file is read in blocks as the socket drains (flat memory), and every block is fed to
SHA-256 on its way out, so after a successful upload the module knows the digest of what ECE now holds
without reading the file a second time (the digest cache records it; see _upload_decision).
"""

from __future__ import annotations

import hashlib
import os
import time

from ansible_collections.ece.platform.plugins.module_utils._multipart import CONTENT_TYPE, multipart_body
from ansible_collections.ece.platform.plugins.module_utils._progress import report

UPLOAD_MODES = ('multipart', 'raw')


class HashingFile:
    """An open binary file whose reads feed SHA-256; seek(0) (a retry starts again) starts the digest again."""

    def __init__(self, handle):
        self._handle = handle
        self._digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, size=-1):
        block = self._handle.read(size)
        if block:
            self._digest.update(block)
            self.read_bytes += len(block)
        return block

    def seek(self, offset, whence=os.SEEK_SET):
        if offset != 0 or whence != os.SEEK_SET:
            raise ValueError('an upload body is only ever rewound to its start')
        self._digest = hashlib.sha256()
        self.read_bytes = 0
        return self._handle.seek(0)

    def tell(self):
        return self._handle.tell()

    def fileno(self):
        return self._handle.fileno()

    def sha256(self, size):
        """The digest of the file when exactly its `size` bytes were read once from the start, else None."""
        return self._digest.hexdigest() if self.read_bytes == size else None


class _RawBody:
    """The raw body as the HTTP layer reads it: the file, with its length known and progress reported."""

    def __init__(self, source, size, name):
        self._source = source
        self.len = size  # requests sends a Content-Length (no chunked encoding) for a body that has `len`
        self._name = name
        self._sent = 0
        self._done = False
        self._started = time.monotonic()

    def read(self, size=-1):
        block = self._source.read(size)
        elapsed = time.monotonic() - self._started
        if block:
            self._sent += len(block)
            report('upload', name=self._name, sent=self._sent, total=self.len, elapsed=elapsed)
        elif not self._done:
            self._done = True
            report('upload_done', name=self._name, sent=self._sent, total=self.len, elapsed=elapsed)
        return block


def raw_body(source, size, filename):
    """`(body, headers)` for one attempt of a raw upload; rewinds `source` first, as every attempt starts at byte 0."""
    source.seek(0)
    return _RawBody(source, size, filename), {'Content-Type': CONTENT_TYPE, 'Content-Length': str(size)}


def upload_body(mode, source, size, filename):
    """`(body, headers)` for one attempt of an upload of `source` (a HashingFile) in `mode`."""
    if mode == 'raw':
        return raw_body(source, size, filename)
    return multipart_body(source, filename)
