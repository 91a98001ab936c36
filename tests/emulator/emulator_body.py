"""Streaming access to one HTTP request body (Content-Length or chunked), hashed as it is read.

The emulator must take multi-GiB uploads in constant memory, so nothing here ever holds more than one
chunk of the body. Every byte that passes through is fed to SHA-256, so the request log can report the
body's hash without a second pass and without keeping the body.
Not h11 or another HTTP library: http.server already reads the request line and headers and leaves only the
body's framing, and the emulator must decide itself when `100 Continue` goes out (see RequestBody).
"""

import hashlib

CHUNK_SIZE = 1024 * 1024  # large blocks: each costs Python work, bytes cost little
# A chunk-size line or trailer line longer than this is a broken (or hostile) client, not a real upload.
MAX_LINE = 8 * 1024


class BodyError(Exception):
    """The request body is framed in a way this server cannot read (bad chunk line, unknown coding)."""


class RequestBody:
    """File-like, read-only view of a request body with lazy `100 Continue` and running SHA-256.

    `send_continue` is called once, right before the first byte is read, when the client asked for
    `Expect: 100-continue`. Sending it lazily lets the emulator refuse a request (401, 404, faults) before
    the client transmits a body it would only have to throw away.
    """

    def __init__(self, rfile, headers, send_continue=None):
        self._rfile = rfile
        self._send_continue = send_continue
        self._sha = hashlib.sha256()
        self.received = 0
        coding = (headers.get('Transfer-Encoding') or '').strip().lower()
        length = headers.get('Content-Length')
        self.chunked = False
        if coding:
            # RFC 9112: chunked must be the final coding, and it wins over any Content-Length.
            if coding.split(',')[-1].strip() != 'chunked':
                raise BodyError('unsupported Transfer-Encoding: %s' % coding)
            self.chunked = True
            self._remaining = 0  # bytes left in the current chunk
        elif length is not None:
            try:
                self._remaining = int(length)
            except ValueError:
                raise BodyError('invalid Content-Length: %r' % length) from None
            if self._remaining < 0:
                raise BodyError('negative Content-Length')
        else:
            self._remaining = 0
        self.done = not self.chunked and self._remaining == 0
        if self.done:
            self._send_continue = None  # nothing to wait for: the client will not send a body

    @property
    def continue_pending(self):
        """True while the client still waits for `100 Continue` before sending its body."""
        return self._send_continue is not None

    @property
    def sha256(self):
        """Hex SHA-256 of the body, or None when no body byte was received (the request-log convention)."""
        return self._sha.hexdigest() if self.received else None

    def _maybe_continue(self):
        if self._send_continue is not None:
            send, self._send_continue = self._send_continue, None
            send()

    def _readline(self):
        line = self._rfile.readline(MAX_LINE + 1)
        if not line.endswith(b'\n'):
            raise BodyError('truncated or overlong line in chunked body')
        return line

    def _next_chunk(self):
        """Read the next chunk-size line; at the last chunk consume the trailers and mark the end."""
        line = self._readline().split(b';', 1)[0].strip()
        try:
            size = int(line, 16)
        except ValueError:
            raise BodyError('invalid chunk size line') from None
        if size == 0:
            while self._readline() not in (b'\r\n', b'\n'):
                pass  # trailer fields carry nothing the emulator needs
            self.done = True
        self._remaining = size

    def read(self, size=CHUNK_SIZE):
        """Return up to `size` bytes (never more than CHUNK_SIZE at once); b'' at the end of the body."""
        if self.done:
            return b''
        self._maybe_continue()
        if self.chunked and self._remaining == 0:
            self._next_chunk()
            if self.done:
                return b''
        data = self._rfile.read(min(size, CHUNK_SIZE, self._remaining))
        if not data:
            raise BodyError('the client closed the connection in the middle of the body')
        self._remaining -= len(data)
        self.received += len(data)
        self._sha.update(data)
        if self._remaining == 0:
            if self.chunked:
                if self._rfile.read(2) != b'\r\n':
                    raise BodyError('chunk not followed by CRLF')
            else:
                self.done = True
        return data

    def drain(self):
        """Read and discard the rest of the body, so the connection can carry the next request."""
        while self.read():
            pass
