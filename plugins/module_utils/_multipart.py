# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the streamed multipart body of an upload.

ECE's upload takes `multipart/form-data` with the archive in part `file`. requests-toolbelt's
MultipartEncoder reads the open file as the socket drains, and knows its total length, so the
request carries a Content-Length (no chunked encoding) and memory stays flat whatever the size.
`requests.put(files=...)` and ansible's prepare_multipart would hold the whole archive in memory.
"""

from __future__ import annotations

import traceback

from ansible_collections.ece.platform.plugins.module_utils._progress import UploadProgress

try:
    from requests_toolbelt.multipart.encoder import MultipartEncoder
    HAS_TOOLBELT = True
    TOOLBELT_IMPORT_ERROR = None
except ImportError:
    HAS_TOOLBELT = False
    TOOLBELT_IMPORT_ERROR = traceback.format_exc()

FIELD_NAME = 'file'
CONTENT_TYPE = 'application/zip'


def multipart_body(handle, filename):
    """`(body, headers)` for one attempt of an upload of the open binary file `handle`.

    It rewinds the file, so every attempt (a retry after a 503, say) sends the archive from byte 0.
    """
    handle.seek(0)
    encoder = MultipartEncoder(fields={FIELD_NAME: (filename, handle, CONTENT_TYPE)})
    return _Reported(encoder, filename), {'Content-Type': encoder.content_type, 'Content-Length': str(encoder.len)}


class _Reported:
    """The encoder as the HTTP layer reads it, reporting the bytes sent so far (see _progress)."""

    def __init__(self, encoder, name):
        self._encoder = encoder
        self.len = encoder.len
        self._progress = UploadProgress(name, encoder.len)

    def read(self, size=-1):
        return self._progress.passed(self._encoder.read(size))
