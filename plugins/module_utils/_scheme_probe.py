# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: tell which protocol a port speaks, after a request to it failed.

ECE listens with TLS on 12443 and plain HTTP on 12400, so `https://` with the plain port or `http://`
with the TLS port is an easy mistake. Its symptoms (a TLS "wrong version number", a connection closed
without an answer) look like certificate or network trouble; one small probe tells the two apart, so
the message can name the fix instead of sending the user after certificates or retrying in vain.
"""

from __future__ import annotations

import socket
import ssl

PROBE_TIMEOUT = 5.0


def speaks_plain_http(host, port, timeout=PROBE_TIMEOUT):
    """True when the port answers a plain HTTP request with an HTTP status line."""
    try:
        with socket.create_connection((host, port), timeout=min(timeout, PROBE_TIMEOUT)) as sock:
            sock.sendall(b'HEAD / HTTP/1.0\r\nHost: ' + host.encode('idna') + b'\r\n\r\n')
            return sock.recv(5) == b'HTTP/'
    except (OSError, UnicodeError):
        return False


def speaks_tls(host, port, timeout=PROBE_TIMEOUT):
    """True when the port completes a TLS handshake, or answers one with a TLS alert.

    Nothing is verified and nothing is sent after the handshake: this only asks which protocol is spoken.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=min(timeout, PROBE_TIMEOUT)) as sock:
            with context.wrap_socket(sock, server_hostname=host):
                return True
    except ssl.SSLError as exc:
        # An alert is a TLS server refusing our hello (protocol version, ciphers): still TLS.
        return 'ALERT' in str(exc).upper()
    except (OSError, UnicodeError):
        return False
