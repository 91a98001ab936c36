"""The web server that download_url archives come from in tests, the demo and the benchmarks.

A plain static server for one directory (GET and HEAD, no redirects, no directory listings), plus what the
modules' digest cache relies on and tests check:
- `ETag` (size and modification time in nanoseconds, as nginx builds it from the file's stat) and
  `Last-Modified` on every file, and `304 Not Modified` for `If-None-Match` (which wins, RFC 9110 13.2.2) or
  `If-Modified-Since`, through the same rules as the emulator's stored archives (emulator_conditional);
- `GET /_archive_server/requests`: the files asked for, oldest first, `{"method", "path", "status"}`;
  `POST /_archive_server/reset` forgets them.

Start: `python tests/emulator/archive_server.py --port PORT --directory DIR [--bind 127.0.0.1]`; it prints
`READY <base-url>` once it accepts connections and serves until SIGTERM or SIGINT.
"""

import argparse
import collections
import http.server
import json
import os
import posixpath
import signal
import sys
import threading
import urllib.parse

from emulator_conditional import http_date_of_timestamp, not_modified

CHUNK_SIZE = 1024 * 1024
MAX_LOG = 10000
CONTROL = '/_archive_server/'


class ArchiveHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'ece-archive-server'
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the request log below is what tests read

    def do_POST(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        self.rfile.read(length)
        if self.path == CONTROL + 'reset':
            with self.server.log_lock:
                self.server.log.clear()
            return self._reply(200, b'{}', 'application/json')
        return self._reply(404, b'{"error": "no such control endpoint"}', 'application/json')

    def do_GET(self):  # pylint: disable=invalid-name
        path = urllib.parse.urlsplit(self.path).path
        if path == CONTROL + 'requests':
            with self.server.log_lock:
                body = json.dumps(list(self.server.log)).encode()
            return self._reply(200, body, 'application/json')
        status = self._serve(path)
        with self.server.log_lock:
            self.server.log.append({'method': self.command, 'path': path, 'status': status})
        return None

    do_HEAD = do_GET

    def _serve(self, path):
        relative = posixpath.normpath(urllib.parse.unquote(path)).lstrip('/')
        if relative.startswith('..') or not relative or relative == '.':
            return self._reply(404, b'not found', 'text/plain')
        full = os.path.join(self.server.directory, *relative.split('/'))
        try:
            handle = open(full, 'rb')  # pylint: disable=consider-using-with
        except OSError:
            return self._reply(404, b'not found', 'text/plain')
        with handle:
            info = os.fstat(handle.fileno())
            if not os.path.isfile(full):
                return self._reply(404, b'not found', 'text/plain')
            etag = '"%x-%x"' % (info.st_mtime_ns, info.st_size)
            last_modified = http_date_of_timestamp(info.st_mtime)
            if not_modified(self.headers, etag, last_modified):
                self.send_response(304)
                self.send_header('ETag', etag)
                self.send_header('Last-Modified', last_modified)
                self.end_headers()
                return 304
            self.send_response(200)
            self.send_header('Content-Type', 'application/zip')
            self.send_header('Content-Length', str(info.st_size))
            self.send_header('ETag', etag)
            self.send_header('Last-Modified', last_modified)
            self.end_headers()
            if self.command == 'GET':
                while True:
                    data = handle.read(CHUNK_SIZE)
                    if not data:
                        break
                    self.wfile.write(data)
        return 200

    def _reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)
        return status


class ArchiveServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, directory):
        super().__init__(address, ArchiveHandler)
        self.directory = os.path.abspath(directory)
        self.log = collections.deque(maxlen=MAX_LOG)
        self.log_lock = threading.Lock()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--bind', default='127.0.0.1')
    parser.add_argument('--directory', required=True)
    args = parser.parse_args(argv)
    server = ArchiveServer((args.bind, args.port), args.directory)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print('READY http://%s:%d' % (args.bind, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
