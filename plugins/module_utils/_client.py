# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the one HTTP client every request to ECE goes through.

It owns the base URL, the Authorization header, TLS settings, the timeout on every socket
operation, retries of transient failures, JSON decoding and the translation of every failure
into EceApiError. Credentials live only in the header it adds to requests for the API origin.
"""

from __future__ import annotations

import base64
import re
import time
import traceback
from urllib.parse import urlsplit

from ansible_collections.ece.platform.plugins.module_utils._blocks import CHUNK_SIZE
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from ansible_collections.ece.platform.plugins.module_utils._scheme_probe import speaks_plain_http, speaks_tls

try:
    import requests
    import urllib3
    _URLLIB3_MAJOR = int(urllib3.__version__.split('.', 1)[0])
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

API_PREFIX = '/api/v1'
# 401 codes with their own meaning and hint (an extension of another user, a key without user id).
OWN_401_CODES = frozenset(('extensions.unauthorised', 'extensions.no_user_id'))
USER_AGENT = 'ece.platform-ansible-collection'
# Block size for sending streamed bodies: large enough that per-block Python work is small, below glibc's
# 128 KiB mmap threshold so each block's buffer is reused rather than mapped and unmapped (page faults).
SEND_BLOCK_SIZE = 64 * 1024


def _redacted(text):
    """The host text with any `user:password@` part masked, so a message can quote it safely.

    Everything between the scheme and the last `@` is masked: a password may itself hold `@` or `/`
    (`user:p@ss@host`, `user:pa/ss@host`), so neither ends the part that must not be shown.
    """
    scheme = re.match(r'^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//', text)
    start = scheme.end() if scheme else 0
    at = text.rfind('@')
    return text if at < start else text[:start] + '***' + text[at:]


def _carries_credentials(text):
    """Whether a host text has a `user@` or `user:password@` part (an `@` anywhere after the scheme)."""
    scheme = re.match(r'^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//', text)
    return '@' in text[scheme.end() if scheme else 0:]


# A query in a URL may carry a token (pre-signed URLs: X-Amz-Signature=...); exception texts of requests
# and urllib3 quote URLs and paths with their query ("Max retries exceeded with url: /x.zip?X-Amz-...").
_QUERY = re.compile(r'(?<=[\w/.~%-])\?[^\s\'"()<>]*')


def _without_queries(text):
    """`text` with the query of every URL or path in it replaced by `?...`."""
    return _QUERY.sub('?...', text)


def api_base_url(host):
    """`https://ece:12443`, with or without a trailing `/` or `/api/v1`, becomes `https://ece:12443/api/v1`."""
    text = (host or '').strip()
    if _carries_credentials(text):
        raise EceError('Option host must not carry credentials (%r); put them into api_key, or username and password.'
                       % _redacted(text))
    parts = urlsplit(text)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise EceError("Option host must be a URL with scheme and host name, for example https://ece.example.com:12443, "
                       "not %r." % _redacted(text))
    try:
        parts.port  # pylint: disable=pointless-statement
    except ValueError:
        raise EceError('Option host has an invalid port: %r.' % _redacted(text)) from None
    if parts.query or parts.fragment:
        raise EceError('Option host must not carry a query or a fragment: %r.' % _redacted(text))
    path = parts.path.rstrip('/')
    marker = (path + '/').find(API_PREFIX + '/')
    if marker >= 0 and path[marker:] != API_PREFIX:
        raise EceError('Option host must be the base URL of ECE, for example %s://%s%s, without an API path: the collection '
                       'adds /api/v1/deployments/extensions itself. Drop %s from %r.'
                       % (parts.scheme, parts.netloc, path[:marker], path[marker:], _redacted(text)))
    if path.endswith(API_PREFIX):
        path = path[:-len(API_PREFIX)]
    return '%s://%s%s%s' % (parts.scheme, parts.netloc, path, API_PREFIX)


def _origin(url):
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == 'https' else 80))


def _error_list(response):
    """ECE's BasicFailedReply `errors`, or one synthetic entry when the body is not JSON."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get('errors'), list):
        return body['errors']
    return []


class EceClient:
    """A session bound to one ECE API: `request()` for the API, `download()` for file URLs it returns."""

    def __init__(self, host, api_key=None, username=None, password=None, validate_certs=True, ca_path=None,
                 timeout=60.0, retries=4, retry_max_wait=60.0, sleep=time.sleep):
        self.base_url = api_base_url(host)
        self.timeout = float(timeout)
        self.retry_policy = RetryPolicy(retries, retry_max_wait)
        self.sleep = sleep
        self._verify = ca_path if (ca_path and validate_certs) else bool(validate_certs)
        if api_key:
            self._authorization = 'ApiKey ' + api_key
        elif username:
            token = base64.b64encode(('%s:%s' % (username, password or '')).encode('utf-8')).decode('ascii')
            self._authorization = 'Basic ' + token
        else:
            self._authorization = None
        self._session = requests.Session()
        self._session.headers['User-Agent'] = USER_AGENT
        # Streamed bodies (uploads) are read and sent in SEND_BLOCK_SIZE blocks; urllib3's default of
        # 16 KiB costs a Python round trip per block, which dominated the CPU time of a large upload.
        adapter = _BlockSizeAdapter()
        self._session.mount('https://', adapter)
        self._session.mount('http://', adapter)

    def url(self, path):
        return self.base_url + path

    def close(self):
        """Close the pooled connections (idempotent); a later request opens new ones."""
        self._session.close()

    def request(self, method, path, json_body=None, params=None, body_factory=None, retry=True, operation=None,
                response_headers=None):
        """Send one API request and return the decoded JSON body (or {}).

        `body_factory` returns `(data, headers)` and is called again for every attempt, so a streamed
        upload starts from the first byte each time. `retry=False` sends exactly once: the caller
        (a create, which is not idempotent) decides itself whether a second try is safe.
        A dict given as `response_headers` receives the headers of the successful answer (lower-case
        names), for callers that need one, e.g. `x-cloud-resource-version`.
        """
        url = self.url(path)
        operation = operation or '%s %s' % (method, url)
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            headers = {'Accept': 'application/json'}
            if self._authorization:
                headers['Authorization'] = self._authorization
            data = None
            if body_factory is not None:
                data, extra = body_factory()
                headers.update(extra)
            try:
                response = self._session.request(method, url, json=json_body, params=params, data=data, headers=headers,
                                                 timeout=self.timeout, verify=self._verify, allow_redirects=False)
            except requests.exceptions.RequestException as exc:
                mixup = self._scheme_mixup(exc)
                if mixup:
                    # Another try would fail the same way: say which scheme the port speaks instead.
                    raise EceApiError('%s failed: %s' % (operation, mixup), method, url) from None
                delay = self.retry_policy.delay(attempt, waited) if (retry and self._is_transient(exc)) else None
                if delay is None:
                    raise self._transport_error(exc, method, url, operation, attempt) from None
            else:
                if response.status_code < 300:
                    if response_headers is not None:
                        response_headers.update((name.lower(), value) for name, value in response.headers.items())
                    return self._decode(response, method, url)
                if response.status_code < 400:
                    # A redirect is never an answer of the API itself: following it could send the
                    # credentials elsewhere, and taking its empty body as a reply would read as "nothing there".
                    raise EceApiError('%s failed: ECE answered HTTP %d, a redirect to %s. Set host to the URL of the ECE API itself.'
                                      % (operation, response.status_code, without_query(response.headers.get('Location', '?'))),
                                      method, url, status=response.status_code)
                retry_after = parse_retry_after(response.headers.get('Retry-After'))
                delay = None
                if retry and response.status_code in RETRYABLE_STATUSES:
                    delay = self.retry_policy.delay(attempt, waited, retry_after)
                if delay is None:
                    raise self._http_error(response, method, url, operation, attempt)
            self.sleep(delay)
            waited += delay

    def download(self, url, consume, user_url=False, expected_size=None, conditions=None, answer=None):
        """Stream `url` in chunks into `consume(chunk)`; credentials go only to the API's own origin.

        `user_url=True` is for a URL the user gave (download_url): it never gets credentials and a
        redirect fails, as ECE does not follow one either. With `expected_size`, an answer whose
        Content-Length differs returns False before its body is read; otherwise True.
        `conditions` are the headers of a conditional GET (If-None-Match, If-Modified-Since): a 304 then
        consumes nothing. A dict given as `answer` receives `status` and the answer's `headers` (lower-case).
        """
        headers = dict(conditions or {})
        if self._authorization and not user_url and _origin(url) == _origin(self.base_url):
            headers['Authorization'] = self._authorization
        what = 'download_url %s' % without_query(url) if user_url else 'the stored archive'
        try:
            return self._download(url, consume, headers, self._verify, user_url, expected_size, what, answer)
        except requests.exceptions.SSLError as exc:
            # ca_path trusts ECE's own CA; an archive server the user names may carry a publicly signed
            # certificate instead, so it also gets the system's trust store.
            if not (user_url and isinstance(self._verify, str) and _is_verify_failure(exc)):
                raise self._transport_error(exc, 'GET', without_query(url), 'download of %s' % what, 1,
                                            base_url=without_query(url)) from None
        try:
            return self._download(url, consume, headers, True, user_url, expected_size, what, answer)
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(exc, 'GET', without_query(url), 'download of %s' % what, 1, base_url=without_query(url)) from None

    def _download(self, url, consume, headers, verify, user_url, expected_size, what, answer=None):  # pylint: disable=too-many-arguments
        try:
            with self._session.get(url, headers=headers, stream=True, timeout=self.timeout, verify=verify,
                                   allow_redirects=not user_url) as response:
                if answer is not None:
                    answer.update(status=response.status_code,
                                  headers=dict((name.lower(), value) for name, value in response.headers.items()))
                if response.status_code == 304 and ('If-None-Match' in headers or 'If-Modified-Since' in headers):
                    return True  # not modified since the copy the caller knows: no body
                if 300 <= response.status_code < 400 and user_url:
                    raise EceApiError('Reading %s gave HTTP %d, a redirect; ECE does not follow redirects either.'
                                      % (what, response.status_code), 'GET', without_query(url), status=response.status_code)
                if response.status_code >= 400:
                    raise EceApiError('Downloading %s failed with HTTP %d.' % (what, response.status_code),
                                      'GET', without_query(url), status=response.status_code)
                length = response.headers.get('Content-Length')
                if expected_size is not None and length is not None and length.isdigit() and int(length) != expected_size:
                    return False
                for chunk in response.iter_content(CHUNK_SIZE):
                    consume(chunk)
        except requests.exceptions.SSLError:
            raise
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(exc, 'GET', without_query(url), 'download of %s' % what, 1, base_url=without_query(url)) from None
        return True

    def _scheme_mixup(self, exc):
        """The message for https:// sent to a plain HTTP port or http:// to a TLS port, else None."""
        parts = urlsplit(self.base_url)
        port = parts.port or (443 if parts.scheme == 'https' else 80)
        if parts.scheme == 'https' and isinstance(exc, requests.exceptions.SSLError) and not _is_verify_failure(exc):
            if speaks_plain_http(parts.hostname, port, self.timeout):
                return ('this server speaks plain HTTP, not TLS, on port %d: use http://%s in option host (ECE serves '
                        'HTTPS on port 12443 and plain HTTP on 12400).' % (port, parts.netloc))
        elif (parts.scheme == 'http' and isinstance(exc, requests.exceptions.ConnectionError)
              and not isinstance(exc, requests.exceptions.SSLError) and not _is_connect_failure(exc)):
            if speaks_tls(parts.hostname, port, self.timeout):
                return ('this server speaks TLS on port %d: use https://%s in option host (ECE serves HTTPS on port '
                        '12443 and plain HTTP on 12400).' % (port, parts.netloc))
        return None

    @staticmethod
    def _is_transient(exc):
        # A timeout may mean the server is still working on the request; only a refused or reset
        # connection is safe to try again for any method the caller marked as retryable.
        return isinstance(exc, requests.exceptions.ConnectionError) and not isinstance(exc, requests.exceptions.SSLError)

    @staticmethod
    def _decode(response, method, url):
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise EceApiError('ECE answered %s %s with HTTP %d but the body is not JSON.' % (method, url, response.status_code),
                              method, url, status=response.status_code) from None

    def _http_error(self, response, method, url, operation, attempt):
        errors = _error_list(response)
        details = ' '.join('%s (%s)' % (e.get('message', ''), e.get('code', '')) for e in errors if isinstance(e, dict))
        msg = '%s failed: ECE answered HTTP %d' % (operation, response.status_code)
        msg += (': ' + details + '.') if details else '.'
        if response.status_code == 401 and not set(e.get('code') for e in errors if isinstance(e, dict)) & OWN_401_CODES:
            msg += (' The credentials were refused: check option api_key (environment ECE_API_KEY or EC_API_KEY), or '
                    'username and password (ECE_USER and ECE_PASSWORD), and that they belong to this ECE.')
        if attempt > 1:
            msg += ' Gave up after %d tries.' % attempt
        return EceApiError(msg, method, url, status=response.status_code, errors=errors)

    def _transport_error(self, exc, method, url, operation, attempt, base_url=None):
        base_url = base_url or self.base_url
        if isinstance(exc, requests.exceptions.SSLError) and _is_verify_failure(exc):
            msg = ('%s failed: the TLS certificate of %s could not be verified (%s). Set ca_path to the PEM bundle that '
                   'signed the ECE certificate, or validate_certs=false for testing only.' % (operation, base_url, _cause(exc)))
        elif isinstance(exc, requests.exceptions.SSLError):
            msg = '%s failed: the TLS handshake with %s failed (%s).' % (operation, base_url, _first_line(exc))
        elif isinstance(exc, requests.exceptions.Timeout):
            msg = ('%s failed: no answer within the timeout of %gs per socket operation. Raise the timeout option '
                   'if ECE is slow.' % (operation, self.timeout))
        elif isinstance(exc, requests.exceptions.ConnectionError):
            msg = '%s failed: could not connect to or lost the connection with %s (%s).' % (operation, base_url, _cause(exc))
        else:
            msg = '%s failed: %s' % (operation, _first_line(exc))
        if attempt > 1:
            msg += ' Gave up after %d tries.' % attempt
        # The exception's own text may quote the URL with its query (a pre-signed URL's token): never pass it on.
        return EceApiError(_without_queries(msg), method, url, timed_out=isinstance(exc, requests.exceptions.Timeout))


if HAS_REQUESTS:
    class _BlockSizeAdapter(requests.adapters.HTTPAdapter):
        """An adapter whose connections send streamed bodies in SEND_BLOCK_SIZE blocks."""

        def init_poolmanager(self, *args, **kwargs):
            # urllib3 1.x connections take no blocksize (they send 8 KiB blocks); only 2.x is tuned.
            if _URLLIB3_MAJOR >= 2:
                kwargs.setdefault('blocksize', SEND_BLOCK_SIZE)
            super().init_poolmanager(*args, **kwargs)


def without_query(url):
    """A URL fit for a message or result: a query may carry a token (pre-signed URLs), so it is left out."""
    parts = urlsplit(url)
    return '%s://%s%s' % (parts.scheme, parts.netloc, parts.path)


def _is_verify_failure(exc):
    """Whether a requests SSLError is a certificate that could not be verified (not a protocol mix-up)."""
    return 'CERTIFICATE_VERIFY_FAILED' in str(exc) or 'certificate verify failed' in str(exc)


def _is_connect_failure(exc):
    """Whether a ConnectionError happened before any connection existed (refused, unreachable, unknown host)."""
    reason = getattr(exc.args[0], 'reason', None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError) or 'NewConnectionError' in str(exc)


def _first_line(exc):
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__


# urllib3 wraps the cause in "...: Max retries exceeded with url: ... (Caused by ...)", which reads as if the
# module had retried (it counts its own tries): keep only the operating system's or OpenSSL's words.
_CAUSES = (re.compile(r"\[SSL: [A-Z0-9_]+\] ([^'\"]+?)(?: \(_ssl\.c:\d+\))?['\"]"),
           re.compile(r"(\[Errno -?\d+\] [^'\")]+)"))


def _cause(exc):
    """The innermost reason of a requests transport error, without urllib3's wrapping; else its first line."""
    text = _first_line(exc)
    for pattern in _CAUSES:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return text
