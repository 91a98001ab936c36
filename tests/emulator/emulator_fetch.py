"""Pattern A: copy an archive from a `download_url`, as ECE does when an extension is created or updated.

ECE documents that the URL must be http(s), directly reachable, without redirects or authentication;
any failure is reported to the client as one generic 400, so this only needs to say yes or no.
"""

import http.client
import ipaddress
import urllib.error
import urllib.parse
import urllib.request

from emulator_body import CHUNK_SIZE

TIMEOUT = 30  # seconds per socket operation, like the clients' own default


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """ECE does not follow redirects for download_url; returning None turns a 3xx into an HTTPError."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # pylint: disable=too-many-arguments,too-many-positional-arguments
        return None


def _is_loopback(host):
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _opener(host):
    # Test archives are served from loopback: an http_proxy in the environment must not intercept those.
    proxies = urllib.request.ProxyHandler({} if _is_loopback(host) else None)
    return urllib.request.build_opener(proxies, _NoRedirect())


def fetch(url, archive):
    """Stream `url` into `archive` (an ArchiveWriter); True when it was fetched and looks like a zip."""
    if not isinstance(url, str):
        return False
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        return False
    try:
        with _opener(parts.hostname).open(url, timeout=TIMEOUT) as response:
            if not 200 <= response.status < 300:
                return False
            while True:
                data = response.read(CHUNK_SIZE)
                if not data:
                    break
                archive.write(data)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        # URLError covers HTTPError (non-2xx) and DNS/connection failures; the others cover timeouts,
        # resets and a body cut short (IncompleteRead).
        return False
    archive.close()
    return archive.size > 0 and archive.is_zip()
