"""A streaming `multipart/form-data` parser that copies one named part to a sink.

`cgi` is gone from the stdlib and `email` parses whole messages in memory; an extension archive can be
several GiB, so this parser keeps at most one read chunk plus one delimiter length buffered and hands the
wanted part's bytes to a callback as they arrive.
"""

from email.message import Message

# A part's header block larger than this is not a browser or SDK upload; refuse instead of buffering it.
MAX_HEADER_BLOCK = 16 * 1024


class MultipartError(Exception):
    """The body is not well-formed multipart (no delimiter, truncated part, oversized headers)."""


def boundary_of(content_type):
    """The boundary of a `multipart/form-data` Content-Type, or None for any other type (a raw body)."""
    msg = Message()
    msg['content-type'] = content_type or ''
    if msg.get_content_type() != 'multipart/form-data':
        return None
    boundary = msg.get_param('boundary')
    if not isinstance(boundary, str) or not boundary or len(boundary) > 200:
        raise MultipartError('multipart/form-data without a usable boundary parameter')
    return boundary.encode('latin-1', 'replace')


def _field_name(header_block):
    """The `name` of a part, read from its Content-Disposition header."""
    msg = Message()
    for line in header_block.split(b'\r\n'):
        name, sep, value = line.decode('latin-1').partition(':')
        if sep and name.strip().lower() == 'content-disposition':
            msg['content-disposition'] = value.strip()
            name_param = msg.get_param('name', header='content-disposition')
            return name_param if isinstance(name_param, str) else None
    return None


class MultipartReader:
    """Walks the parts of a multipart body read through `read(n)` (e.g. a RequestBody)."""

    def __init__(self, read, boundary, chunk_size=1024 * 1024):
        self._read = read
        self._chunk_size = chunk_size
        # Every delimiter, the first included, is matched as CRLF + '--' + boundary; seeding the buffer
        # with CRLF makes the first one (which may start the body) look the same.
        self._delim = b'\r\n--' + boundary
        self._buf = bytearray(b'\r\n')
        self._eof = False

    def _fill(self):
        """Append one more chunk to the buffer; False at the end of the input."""
        if self._eof:
            return False
        data = self._read(self._chunk_size)
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    def _find(self, needle, limit=None):
        """Index of `needle` in the buffer, reading more input as needed; -1 at end of input.

        With a `limit` (headers, delimiter lines) a longer search is an error; without one (the preamble)
        only the tail that could still start a match is kept, so memory stays flat either way.
        """
        while True:
            idx = self._buf.find(needle)
            if idx >= 0:
                return idx
            if limit is not None and len(self._buf) > limit:
                raise MultipartError('multipart header block or delimiter line too long')
            if limit is None and len(self._buf) >= len(needle):
                del self._buf[:len(self._buf) - len(needle) + 1]
            if not self._fill():
                return -1

    def _need(self, count):
        while len(self._buf) < count:
            if not self._fill():
                raise MultipartError('multipart body ends unexpectedly')

    def _after_delimiter(self):
        """Consume what follows a delimiter; True when another part follows, False at the close."""
        self._need(2)
        if self._buf[:2] == b'--':
            return False
        # Transport padding (spaces/tabs) may precede the CRLF that ends the delimiter line.
        end = self._find(b'\r\n', 1024)
        if end < 0 or self._buf[:end].strip(b' \t'):
            raise MultipartError('malformed multipart delimiter line')
        del self._buf[:end + 2]
        return True

    def _headers(self):
        """The raw header block of the part that starts at the buffer (b'' for a part without headers)."""
        self._need(2)
        if self._buf[:2] == b'\r\n':
            del self._buf[:2]
            return b''
        end = self._find(b'\r\n\r\n', MAX_HEADER_BLOCK)
        if end < 0:
            raise MultipartError('multipart body ends inside part headers')
        block = bytes(self._buf[:end])
        del self._buf[:end + 4]
        return block

    def _copy_body(self, sink):
        """Pass the current part's content to `sink` (or drop it when sink is None) up to the delimiter."""
        keep = len(self._delim) - 1  # a delimiter may straddle two reads
        while True:
            idx = self._buf.find(self._delim)
            if idx >= 0:
                if sink is not None and idx:
                    sink(self._buf[:idx])
                del self._buf[:idx + len(self._delim)]
                return
            if len(self._buf) > keep:
                if sink is not None:
                    sink(self._buf[:-keep])
                del self._buf[:-keep]
            if not self._fill():
                raise MultipartError('multipart part is not terminated by its boundary')

    def copy_field(self, field, sink):
        """Stream the content of the first part named `field` into `sink`; True when such a part existed.

        Other parts are read and discarded; the whole body is consumed either way.
        """
        start = self._find(self._delim)
        if start < 0:
            raise MultipartError('no multipart boundary found in the body')
        del self._buf[:start + len(self._delim)]
        found = False
        while self._after_delimiter():
            wanted = not found and _field_name(self._headers()) == field
            self._copy_body(sink if wanted else None)
            found = found or wanted
        # Anything after the close delimiter is epilogue: read it so the connection stays usable.
        while self._fill():
            self._buf.clear()
        return found
