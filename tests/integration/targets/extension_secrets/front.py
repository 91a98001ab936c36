"""A plain-HTTP front for the ECE emulator, so that the API and the stored archives differ in origin.

The emulator builds `file_metadata.url` from the Host header of the API request. Clients that talk to
`http://127.0.0.1:<front port>` reach the emulator through this front as `https://localhost:<port>`,
so the archive URLs they get back point at another origin (scheme, host and port) than their `host`
option, as the pre-signed storage URLs of a real ECE do. Credentials must then not follow them.

    python front.py UPSTREAM_URL CA_PATH PORT_FILE

Writes the port it listens on into PORT_FILE once it accepts connections; serves until SIGTERM.
"""

import http.client
import http.server
import os
import signal
import ssl
import sys
import threading
import urllib.parse

# Not forwarded: hop-by-hop headers, and Host, which http.client sets to the upstream's own.
SKIPPED = {'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'}


class FrontHandler(http.server.BaseHTTPRequestHandler):
    """Forward one request to the upstream and relay its answer; one request per connection."""

    protocol_version = 'HTTP/1.1'

    def do_GET(self):  # pylint: disable=invalid-name
        """Forward any method the same way."""
        upstream = self.server.upstream
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        headers = {name: value for name, value in self.headers.items() if name.lower() not in SKIPPED}
        connection = http.client.HTTPSConnection(upstream.hostname, upstream.port, context=self.server.context, timeout=60)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in SKIPPED and name.lower() != 'content-length':
                    self.send_header(name, value)
        finally:
            connection.close()
        self.send_header('Content-Length', str(len(payload)))
        self.send_header('Connection', 'close')
        self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Stay quiet: the access lines would only clutter the test output."""


def main():
    upstream_url, ca_path, port_file = sys.argv[1:4]
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), FrontHandler)
    server.daemon_threads = True
    server.upstream = urllib.parse.urlsplit(upstream_url)
    server.context = ssl.create_default_context(cafile=ca_path)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True)
    thread.start()
    # Written to a temp name and renamed, so the reader never sees a half-written port.
    with open(port_file + '.tmp', 'w', encoding='utf-8') as handle:
        handle.write(str(server.server_address[1]))
    os.rename(port_file + '.tmp', port_file)
    stop.wait()
    server.shutdown()
    server.server_close()


if __name__ == '__main__':
    main()
