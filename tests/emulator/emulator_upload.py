"""The upload body: stream the `file` part of a `multipart/form-data` body to a sink, with python-multipart.

An extension archive can be several GiB, so the body is fed to python-multipart's streaming parser one
read at a time; the wanted part's bytes go to the sink as they arrive and nothing else is kept, so the
emulator's memory stays flat whatever the upload's size.
"""

import logging

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

CHUNK_SIZE = 1024 * 1024
MAX_BOUNDARY_LENGTH = 200  # RFC 2046 allows 70; a longer one is no SDK's or browser's

# The parser logs each malformed body as a warning; the emulator answers it with an HTTP 400 instead, and
# without this handler Python's last-resort handler would print the warning to the emulator's stderr.
logging.getLogger('python_multipart').addHandler(logging.NullHandler())


class MultipartError(Exception):
    """The body is not well-formed multipart (no delimiter, truncated part, oversized headers)."""


def boundary_of(content_type):
    """The boundary of a `multipart/form-data` Content-Type, or None for any other type (a raw body)."""
    kind, params = parse_options_header(content_type)
    if kind != b'multipart/form-data':
        return None
    boundary = params.get(b'boundary')
    if not boundary or len(boundary) > MAX_BOUNDARY_LENGTH:
        raise MultipartError('multipart/form-data without a usable boundary parameter')
    return boundary


class _FieldCopier:
    """Parser callbacks: remember each part's headers, pass the first part named `field` to `sink`."""

    def __init__(self, field, sink):
        self.field, self.sink = field.encode('latin-1'), sink
        self.found = self.ended = self.copying = False
        self._headers, self._name, self._value = {}, b'', b''

    def callbacks(self):
        return {
            'on_part_begin': self._part_begin,
            'on_header_field': self._header_field,
            'on_header_value': self._header_value,
            'on_header_end': self._header_end,
            'on_headers_finished': self._headers_finished,
            'on_part_data': self._part_data,
            'on_part_end': self._part_end,
            'on_end': self._end,
        }

    def _part_begin(self):
        self._headers, self._name, self._value = {}, b'', b''

    def _header_field(self, data, start, end):
        self._name += data[start:end]  # bounded by the parser's max_header_size

    def _header_value(self, data, start, end):
        self._value += data[start:end]

    def _header_end(self):
        self._headers[self._name.strip().lower()] = self._value.strip()
        self._name, self._value = b'', b''

    def _headers_finished(self):
        _disposition, params = parse_options_header(self._headers.get(b'content-disposition'))
        self.copying = not self.found and params.get(b'name') == self.field
        self.found = self.found or self.copying

    def _part_data(self, data, start, end):
        if self.copying:
            self.sink(memoryview(data)[start:end])  # no copy of the read chunk

    def _part_end(self):
        self.copying = False

    def _end(self):
        self.ended = True


def copy_field(read, boundary, field, sink, chunk_size=CHUNK_SIZE):
    """Stream the content of the first part named `field` into `sink`; True when such a part existed.

    `read(n)` returns the next at most n bytes of the body (b'' at its end). Other parts are read and
    dropped; the whole body is consumed either way, so the connection stays usable.
    """
    copier = _FieldCopier(field, sink)
    try:
        parser = MultipartParser(boundary, copier.callbacks())
        while True:
            data = read(chunk_size)
            if not data:
                break
            parser.write(data)
        parser.finalize()
    except FormParserError as exc:
        raise MultipartError('malformed multipart body: %s' % exc) from None
    if not copier.ended:
        raise MultipartError('multipart body ends before its closing boundary')
    return copier.found
