# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client: base URL rules, then real HTTP over loopback against a tiny scripted server."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
import time

import pytest
import requests

from ansible_collections.ece.platform.plugins.module_utils._client import EceClient, api_base_url
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError

API_KEY = 'k-0123456789-secret'
USERNAME = 'admin'
PASSWORD = 'pa:ss w0rd-secret'
BASIC = 'Basic ' + base64.b64encode(('%s:%s' % (USERNAME, PASSWORD)).encode()).decode()


# api_base_url

@pytest.mark.parametrize('host', [
    'https://ece.example.com:12443',
    'https://ece.example.com:12443/',
    'https://ece.example.com:12443/api/v1',
    'https://ece.example.com:12443/api/v1/',
    '  https://ece.example.com:12443//  ',
])
def test_base_url_tolerates_slash_and_api_prefix(host):
    assert api_base_url(host) == 'https://ece.example.com:12443/api/v1'


@pytest.mark.parametrize('host, expected', [
    ('https://proxy.example.com/ece', 'https://proxy.example.com/ece/api/v1'),
    ('https://proxy.example.com/ece/', 'https://proxy.example.com/ece/api/v1'),
    ('https://proxy.example.com/ece/api/v1', 'https://proxy.example.com/ece/api/v1'),
    ('http://127.0.0.1:8080', 'http://127.0.0.1:8080/api/v1'),
    ('https://[::1]:12443', 'https://[::1]:12443/api/v1'),
    ('https://api.elastic-cloud.com', 'https://api.elastic-cloud.com/api/v1'),
])
def test_base_url_keeps_scheme_host_port_and_path_prefix(host, expected):
    assert api_base_url(host) == expected


@pytest.mark.parametrize('host', [
    'ece.example.com:12443',
    'ece.example.com',
    'ftp://ece.example.com',
    'https://',
    '',
    None,
    'https://ece.example.com:notaport',
    'https://ece.example.com:99999',
    'https://ece.example.com:12443/?x=1',
    'https://ece.example.com:12443/#top',
    'https://admin:secret@ece.example.com:12443',
])
def test_bad_host_fails_naming_the_option(host):
    with pytest.raises(EceError) as caught:
        api_base_url(host)
    assert 'host' in caught.value.msg


@pytest.mark.parametrize('host', [
    'https://admin:s3cr3t-pw@ece.example.com:12443',
    'https://admin:s3cr3t-pw@ece.example.com:notaport',
    'admin:s3cr3t-pw@ece.example.com:12443',
])
def test_bad_host_message_never_repeats_a_password(host):
    with pytest.raises(EceError) as caught:
        api_base_url(host)
    assert 's3cr3t-pw' not in str(caught.value)
    assert 's3cr3t-pw' not in repr(caught.value.result())


# A scripted HTTP server on 127.0.0.1

class Reply:
    def __init__(self, status=200, body=b'{}', headers=None, delay=0.0):
        self.status = status
        self.body = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        self.headers = headers or {}
        self.delay = delay


class Seen:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


class _Handler(http.server.BaseHTTPRequestHandler):

    def _serve(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.seen.append(Seen(self.command, self.path, self.headers, body))
        reply = self.server.replies.pop(0) if self.server.replies else Reply()
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up waiting (timeout tests)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


class ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.replies = []
        self.seen = []
        self.port = self.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port

    def script(self, *replies):
        self.replies.extend(replies)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)


def _start():
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)
    thread.start()
    return server, thread


def _stop(server, thread):
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def server():
    started = _start()
    yield started[0]
    _stop(*started)


@pytest.fixture
def other_server():
    started = _start()
    yield started[0]
    _stop(*started)


class Sleeps(list):
    """A sleep function that records instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


def client_for(url, sleep=None, **kwargs):
    kwargs.setdefault('api_key', API_KEY)
    return EceClient(url, sleep=sleep if sleep is not None else Sleeps(), **kwargs)


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# Authorization

def test_api_key_header_and_json_body(server):
    server.script(Reply(body={'extensions': []}))
    assert client_for(server.url).request('GET', '/deployments/extensions') == {'extensions': []}
    [seen] = server.seen
    assert seen.path == '/api/v1/deployments/extensions'
    assert seen.headers['Authorization'] == 'ApiKey ' + API_KEY
    assert seen.headers['Accept'] == 'application/json'


def test_response_headers_of_a_success_are_handed_over(server):
    server.script(Reply(body={}, headers={'X-Cloud-Resource-Version': '12'}))
    headers = {}
    client_for(server.url).request('GET', '/deployments/x', response_headers=headers)
    assert headers['x-cloud-resource-version'] == '12'


def test_basic_auth_splits_at_the_first_colon_only(server):
    client_for(server.url, api_key=None, username=USERNAME, password=PASSWORD).request('GET', '/x')
    assert server.seen[0].headers['Authorization'] == BASIC


def test_no_credentials_no_authorization_header(server):
    client_for(server.url, api_key=None).request('GET', '/x')
    assert 'Authorization' not in server.seen[0].headers


def test_json_body_and_params_are_sent(server):
    client_for(server.url).request('POST', '/deployments/extensions', json_body={'name': 'a'}, params={'q': '1'})
    [seen] = server.seen
    assert seen.path == '/api/v1/deployments/extensions?q=1'
    assert json.loads(seen.body) == {'name': 'a'}


def test_empty_success_body_is_an_empty_dict(server):
    server.script(Reply(status=200, body=b''))
    assert client_for(server.url).request('DELETE', '/x') == {}


def test_success_body_that_is_not_json_fails(server):
    server.script(Reply(status=200, body=b'<html>login</html>'))
    with pytest.raises(EceApiError, match='not JSON'):
        client_for(server.url).request('GET', '/x')


def test_a_redirect_is_not_an_empty_success(server):
    # A load balancer that redirects (http -> https, say) must not make a list look empty or a create look done.
    server.script(Reply(status=301, body=b'', headers={'Location': 'https://elsewhere.example.com/api/v1/x'}))
    with pytest.raises(EceApiError):
        client_for(server.url).request('GET', '/deployments/extensions')


# Retries

def test_retries_503_then_succeeds_honouring_retry_after(server):
    sleeps = Sleeps()
    server.script(Reply(503, headers={'Retry-After': '1'}), Reply(503, headers={'Retry-After': '2'}), Reply(body={'ok': True}))
    assert client_for(server.url, sleep=sleeps).request('GET', '/x') == {'ok': True}
    assert len(server.seen) == 3
    assert sleeps == [1.0, 2.0]


def test_retries_without_retry_after_use_the_backoff(server):
    sleeps = Sleeps()
    server.script(Reply(502), Reply(504), Reply(429), Reply(body={'ok': True}))
    assert client_for(server.url, sleep=sleeps, retries=3).request('GET', '/x') == {'ok': True}
    assert len(sleeps) == 3
    assert all(0.0 <= delay <= 8.0 for delay in sleeps)


def test_gives_up_after_the_retries(server):
    sleeps = Sleeps()
    server.script(*[Reply(503) for _dummy in range(10)])
    with pytest.raises(EceApiError) as caught:
        client_for(server.url, sleep=sleeps, retries=2).request('GET', '/x', operation='Listing extensions')
    assert len(server.seen) == 3
    assert len(sleeps) == 2
    assert 'Gave up after 3 tries' in caught.value.msg
    assert caught.value.msg.startswith('Listing extensions failed')
    assert caught.value.status == 503


def test_unreadable_retry_after_falls_back_to_the_backoff(server):
    sleeps = Sleeps()
    server.script(Reply(503, headers={'Retry-After': 'soon'}), Reply(503, headers={'Retry-After': '\xb2'}), Reply(body={'ok': True}))
    assert client_for(server.url, sleep=sleeps).request('GET', '/x') == {'ok': True}
    assert len(sleeps) == 2
    assert all(delay <= 1.0 for delay in sleeps)


def test_retry_after_beyond_the_budget_fails_without_waiting(server):
    sleeps = Sleeps()
    server.script(Reply(503, headers={'Retry-After': '30'}))
    with pytest.raises(EceApiError):
        client_for(server.url, sleep=sleeps, retry_max_wait=5).request('GET', '/x')
    assert len(server.seen) == 1
    assert sleeps == []


def test_retry_false_sends_exactly_once(server):
    sleeps = Sleeps()
    server.script(Reply(503), Reply(body={'ok': True}))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url, sleep=sleeps).request('POST', '/deployments/extensions', json_body={}, retry=False)
    assert len(server.seen) == 1
    assert sleeps == []
    assert 'Gave up' not in caught.value.msg


def test_client_errors_are_not_retried(server):
    sleeps = Sleeps()
    server.script(Reply(400), Reply(body={'ok': True}))
    with pytest.raises(EceApiError):
        client_for(server.url, sleep=sleeps).request('GET', '/x')
    assert len(server.seen) == 1
    assert sleeps == []


def test_body_factory_is_called_again_for_every_attempt(server):
    calls = []

    def factory():
        calls.append(1)
        return b'payload-%d' % len(calls), {'Content-Type': 'application/octet-stream'}

    server.script(Reply(503), Reply(body={'ok': True}))
    client_for(server.url).request('PUT', '/x', body_factory=factory)
    assert [seen.body for seen in server.seen] == [b'payload-1', b'payload-2']
    assert server.seen[1].headers['Content-Type'] == 'application/octet-stream'


def test_refused_connection_is_retried_then_reported():
    sleeps = Sleeps()
    url = 'http://127.0.0.1:%d' % _free_port()
    with pytest.raises(EceApiError) as caught:
        client_for(url, sleep=sleeps, retries=2).request('GET', '/x')
    assert len(sleeps) == 2
    assert 'could not connect' in caught.value.msg
    assert 'Gave up after 3 tries' in caught.value.msg
    assert caught.value.status is None


def test_timeout_names_the_timeout_and_is_not_retried(server):
    sleeps = Sleeps()
    server.script(Reply(delay=1.5))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url, sleep=sleeps, timeout=0.3).request('GET', '/x')
    assert 'timeout of 0.3s' in caught.value.msg
    assert sleeps == []
    assert len(server.seen) == 1


# Errors

def test_error_body_is_parsed_into_the_result(server):
    errors = [{'code': 'extensions.not_found', 'message': 'Extension [7] not found', 'fields': ['extension_id']}]
    server.script(Reply(404, body={'errors': errors}))
    client = client_for(server.url)
    with pytest.raises(EceApiError) as caught:
        client.request('GET', '/deployments/extensions/7', operation='Reading extension 7')
    error = caught.value
    assert (error.status, error.method, error.url) == (404, 'GET', server.url + '/api/v1/deployments/extensions/7')
    assert error.errors == errors
    assert error.codes == ['extensions.not_found']
    assert 'Extension [7] not found (extensions.not_found)' in error.msg
    assert error.result() == dict(msg=error.msg, status=404, errors=errors, method='GET',
                                  url=server.url + '/api/v1/deployments/extensions/7')


def test_error_body_that_is_not_json_gives_no_errors(server):
    server.script(Reply(502, body=b'<html>Bad Gateway</html>'))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url, retries=0).request('GET', '/x')
    assert caught.value.errors == []
    assert caught.value.status == 502
    assert caught.value.msg.endswith('HTTP 502.')


@pytest.mark.parametrize('credentials', [dict(api_key=API_KEY), dict(api_key=None, username=USERNAME, password=PASSWORD)])
def test_errors_never_carry_a_credential(server, credentials):
    server.script(Reply(401, body={'errors': [{'code': 'root.unauthenticated', 'message': 'The supplied authentication is invalid'}]}))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url, **credentials).request('GET', '/x')
    refused = _refused_connection_error(credentials)
    for error in (caught.value, refused):
        text = str(error) + repr(error.result()) + repr(error.args)
        for secret in (API_KEY, PASSWORD, BASIC.split()[1]):
            assert secret not in text


def _refused_connection_error(credentials):
    with pytest.raises(EceApiError) as caught:
        client_for('http://127.0.0.1:%d' % _free_port(), retries=0, **credentials).request('GET', '/x')
    return caught.value


# download()

def test_download_streams_the_body_with_credentials_to_the_api_origin(server):
    content = bytes(range(256)) * 4096
    server.script(Reply(body=content))
    chunks = []
    client_for(server.url).download(server.url + '/files/1.zip', chunks.append)
    assert b''.join(chunks) == content
    assert server.seen[0].headers['Authorization'] == 'ApiKey ' + API_KEY


@pytest.mark.parametrize('api_host', ['127.0.0.1', 'localhost'])
def test_download_from_another_host_name_gets_no_credentials(server, api_host):
    file_host = 'localhost' if api_host == '127.0.0.1' else '127.0.0.1'
    server.script(Reply(body=b'PK\x05\x06'), Reply(body=b'PK\x05\x06'))
    client = client_for('http://%s:%d' % (api_host, server.port))
    client.download('http://%s:%d/files/1.zip' % (file_host, server.port), lambda chunk: None)
    client.download('http://%s:%d/files/1.zip' % (api_host, server.port), lambda chunk: None)
    assert [seen.headers.get('Authorization') for seen in server.seen] == [None, 'ApiKey ' + API_KEY]


def test_download_from_another_port_gets_no_credentials(server, other_server):
    client_for(server.url, api_key=None, username=USERNAME, password=PASSWORD).download(other_server.url + '/f.zip', lambda chunk: None)
    assert 'Authorization' not in other_server.seen[0].headers


def test_download_redirected_to_another_origin_drops_credentials(server, other_server):
    server.script(Reply(302, body=b'', headers={'Location': 'http://localhost:%d/f.zip' % other_server.port}))
    other_server.script(Reply(body=b'PK\x05\x06'))
    chunks = []
    client_for(server.url).download(server.url + '/files/1.zip', chunks.append)
    assert b''.join(chunks) == b'PK\x05\x06'
    assert 'Authorization' not in other_server.seen[0].headers


def test_download_failure_keeps_the_presigned_query_out(server):
    server.script(Reply(403, body=b'denied'))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url).download(server.url + '/files/1.zip?X-Amz-Signature=sig-secret', lambda chunk: None)
    assert caught.value.status == 403
    assert caught.value.url == server.url + '/files/1.zip'
    assert 'sig-secret' not in str(caught.value) + repr(caught.value.result())


def test_download_timeout_names_the_timeout(server):
    server.script(Reply(delay=1.5))
    with pytest.raises(EceApiError, match=r'timeout of 0\.25s'):
        client_for(server.url, timeout=0.25).download(server.url + '/files/1.zip', lambda chunk: None)


# download() of a user's download_url: no credentials, no redirects, a size check before the body

def test_a_download_url_on_the_api_origin_still_gets_no_credentials(server):
    server.script(Reply(body=b'PK\x05\x06'))
    assert client_for(server.url).download(server.url + '/archives/a.zip', lambda chunk: None, user_url=True) is True
    assert 'Authorization' not in server.seen[0].headers


def test_a_download_url_redirect_is_not_followed(server, other_server):
    server.script(Reply(302, body=b'', headers={'Location': other_server.url + '/f.zip'}))
    with pytest.raises(EceApiError, match='redirect'):
        client_for(server.url).download(server.url + '/a.zip', lambda chunk: None, user_url=True)
    assert other_server.seen == []


def test_a_download_url_of_another_size_is_not_read(server):
    server.script(Reply(body=b'x' * 100))
    chunks = []
    assert client_for(server.url).download(server.url + '/a.zip', chunks.append, user_url=True, expected_size=99) is False
    assert chunks == []


def test_a_conditional_download_url_get_sends_the_validators_and_takes_304_as_no_body(server):
    server.script(Reply(304, body=b'', headers={'ETag': '"v1"'}))
    chunks, answer = [], {}
    assert client_for(server.url).download(server.url + '/a.zip', chunks.append, user_url=True, expected_size=5,
                                           conditions={'If-None-Match': '"v1"', 'If-Modified-Since': 'Sun, 06 Dec 2026 05:00:00 GMT'},
                                           answer=answer) is True
    assert chunks == [] and answer['status'] == 304 and answer['headers']['etag'] == '"v1"'
    assert server.seen[0].headers['If-None-Match'] == '"v1"'
    assert 'Authorization' not in server.seen[0].headers


def test_a_304_without_conditions_is_still_an_unexpected_redirect_status(server):
    server.script(Reply(304, body=b''))
    with pytest.raises(EceApiError, match='redirect'):
        client_for(server.url).download(server.url + '/a.zip', lambda chunk: None, user_url=True)


def test_a_changed_download_url_answers_200_with_its_new_validators(server):
    server.script(Reply(body=b'new', headers={'ETag': '"v2"', 'Last-Modified': 'Sun, 06 Dec 2026 06:00:00 GMT'}))
    chunks, answer = [], {}
    client_for(server.url).download(server.url + '/a.zip', chunks.append, user_url=True, conditions={'If-None-Match': '"v1"'},
                                    answer=answer)
    assert b''.join(chunks) == b'new' and answer['status'] == 200 and answer['headers']['etag'] == '"v2"'


# Messages

def test_a_401_points_to_the_credentials_and_their_variables(server):
    server.script(Reply(401, body={'errors': [{'code': 'root.unauthorized', 'message': 'Credentials were invalid.'}]}))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url).request('GET', '/deployments/extensions')
    assert 'ECE_API_KEY' in caught.value.msg and 'username and password' in caught.value.msg
    assert '(root.unauthorized). The credentials' in caught.value.msg


def test_a_401_about_the_owner_keeps_its_own_meaning(server):
    server.script(Reply(401, body={'errors': [{'code': 'extensions.unauthorised', 'message': 'Not yours.'}]}))
    with pytest.raises(EceApiError) as caught:
        client_for(server.url).request('POST', '/deployments/extensions/1')
    assert 'ECE_API_KEY' not in caught.value.msg


def test_https_to_a_plain_http_port_says_so_without_retries(server):
    client = client_for(server.url.replace('http://', 'https://'))
    with pytest.raises(EceApiError) as caught:
        client.request('GET', '/deployments/extensions')
    assert 'this server speaks plain HTTP' in caught.value.msg and 'use http://' in caught.value.msg
    assert 'ca_path' not in caught.value.msg and client.sleep == []


# Transport errors: urllib3's "Max retries exceeded" wrapping is dropped, the cause is kept.

URLLIB3_VERIFY_FAILURE = ("HTTPSConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: /api/v1/x (Caused by "
                          "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                          "unable to get local issuer certificate (_ssl.c:1000)')))")
URLLIB3_REFUSED = ("HTTPSConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: /api/v1/x (Caused by "
                   "NewConnectionError(\"HTTPSConnection(host='127.0.0.1', port=1): Failed to establish a new connection: "
                   "[Errno 111] Connection refused\"))")


@pytest.mark.parametrize('error, cause', [
    (requests.exceptions.SSLError(URLLIB3_VERIFY_FAILURE), 'certificate verify failed: unable to get local issuer certificate'),
    (requests.exceptions.ConnectionError(URLLIB3_REFUSED), '[Errno 111] Connection refused'),
])
def test_transport_errors_keep_the_cause_without_urllib3s_retry_wording(error, cause):
    client = EceClient('https://127.0.0.1:1', api_key='k')
    failure = client._transport_error(error, 'GET', 'https://127.0.0.1:1/api/v1/x', 'Listing extensions', attempt=1)
    assert '(%s)' % cause in failure.msg
    assert 'Max retries' not in failure.msg and 'HTTPSConnectionPool' not in failure.msg


# A pre-signed URL's token never reaches a message, whatever text the exception carries (review #6).

PRESIGNED_PATH = '/bucket/ext.zip?X-Amz-Signature=SECRETTOKEN&X-Amz-Credential=AKIDSECRET'


@pytest.mark.parametrize('error', [
    requests.exceptions.SSLError("HTTPSConnectionPool(host='files', port=443): Max retries exceeded with url: %s (Caused by "
                                 "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)')))"
                                 % PRESIGNED_PATH),
    requests.exceptions.ConnectionError("HTTPSConnectionPool(host='files', port=443): Max retries exceeded with url: %s "
                                        "(Caused by ProtocolError('Connection aborted.'))" % PRESIGNED_PATH),
    requests.exceptions.InvalidURL('Failed to parse: https://files%s' % PRESIGNED_PATH),
    requests.exceptions.ChunkedEncodingError('Connection broken while reading https://files%s' % PRESIGNED_PATH),
])
def test_transport_errors_never_quote_a_query(error):
    client = EceClient('https://127.0.0.1:1', api_key='k')
    failure = client._transport_error(error, 'GET', 'https://files/bucket/ext.zip', 'download of download_url https://files/bucket/ext.zip',
                                      attempt=1)
    assert 'SECRETTOKEN' not in failure.msg and 'AKIDSECRET' not in failure.msg
    assert '/bucket/ext.zip?...' in failure.msg  # the path stays, so the message still says where


# Host texts whose password holds "@" or "/" (review #15).

@pytest.mark.parametrize('host', [
    'https://user:p@ss@ece.example.com:12443',
    'https://user:pa/ss@ece.example.com:12443',
    'https://user:p@s/s@ece.example.com:notaport',
    'user:pa/ss@ece.example.com',
])
def test_a_password_with_at_or_slash_is_masked_whole(host):
    with pytest.raises(EceError) as caught:
        api_base_url(host)
    text = repr(caught.value.result())
    assert 'must not carry credentials' in caught.value.msg
    for piece in ('p@ss', 'pa/ss', 'p@s/s', 'ss@', 'user:'):
        assert piece not in text, piece
    assert '***@ece.example.com' in caught.value.msg
