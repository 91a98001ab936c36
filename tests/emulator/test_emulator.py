"""Behaviour of the ECE extensions emulator over real HTTP on loopback."""

import base64
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import requests

from conftest import credentials_env
from emulator_upload import MultipartError, boundary_of, copy_field

ISO_MILLIS = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
DOWNLOAD_FAILED = {'code': 'extensions.request_execution_failed', 'message': 'Could not download the extension from the specified URL.'}
DEP_A, DEP_B = 'a' * 32, 'b' * 32  # deployment ids, as ECE lists them
UPLOAD_FAILED = {'code': 'extensions.request_execution_failed', 'message': 'Could not accept the extensions file.'}


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def errors(reply):
    """The BasicFailedReply's errors, after checking that the error header names their codes."""
    body = reply.json()
    codes = sorted({error['code'] for error in body['errors']})
    assert sorted(reply.headers['x-cloud-error-codes'].split(',')) == codes
    return body['errors']


def download(url, **kwargs):
    reply = requests.get(url, timeout=30, **kwargs)
    assert reply.status_code == 200, reply.text
    assert reply.headers['Content-Type'] == 'application/zip'
    assert int(reply.headers['Content-Length']) == len(reply.content)
    return reply.content


# ---- authentication -------------------------------------------------------------------------------

def test_api_key_and_basic_auth_both_accepted(client, client_for, creds, emu):
    client.create(name='via-key')
    basic = 'Basic ' + base64.b64encode(('%s:%s' % (creds.username, creds.password)).encode()).decode()
    reply = client_for(emu, basic).call('GET')
    assert reply.status_code == 200
    assert [ext['name'] for ext in reply.json()['extensions']] == ['via-key']


@pytest.mark.parametrize('header', [None, 'ApiKey wrong', 'ApiKey ', 'Bearer x', 'Basic ' + base64.b64encode(b'admin:pa').decode(), 'Basic %%%'])
def test_bad_or_missing_credentials_are_401(emu, client_for, header):
    reply = client_for(emu, header).call('POST', json={'name': 'x', 'version': '1', 'extension_type': 'plugin'})
    assert reply.status_code == 401
    assert errors(reply) == [{'code': 'root.unauthorized', 'message': 'The authentication token is invalid or expired.'}]
    assert client_for(emu).call('GET').json() == {'extensions': []}  # nothing was created


def test_no_credentials_configured_means_no_auth_check(start_emulator, client_for):
    open_emulator = start_emulator()
    reply = client_for(open_emulator, None).call('POST', json={'name': 'x', 'version': '1', 'extension_type': 'plugin'})
    assert reply.status_code == 201


# ---- create, list, get ------------------------------------------------------------------------------

def test_create_returns_201_extension_and_resource_headers(client):
    reply = client.call('POST', json={'name': 'custom-plugin', 'version': '8.4.3', 'extension_type': 'plugin', 'description': 'd'})
    assert reply.status_code == 201
    ext = reply.json()
    assert re.fullmatch(r'[1-9]\d{9}', ext['id'])
    assert ext == {'id': ext['id'], 'name': 'custom-plugin', 'version': '8.4.3', 'extension_type': 'plugin', 'description': 'd',
                   'url': 'repo://' + ext['id'], 'deployments': None}  # no file_metadata before a file exists
    assert reply.headers['x-cloud-resource-version'] == '1'
    assert ISO_MILLIS.match(reply.headers['x-cloud-resource-created'])
    assert reply.headers['x-cloud-resource-last-modified'] == reply.headers['x-cloud-resource-created']
    assert 'x-cloud-error-codes' not in reply.headers


def test_duplicate_names_are_allowed(client):
    first, second = client.create(name='same'), client.create(name='same')
    assert first['id'] != second['id']
    assert sorted(ext['id'] for ext in client.call('GET').json()['extensions']) == sorted([first['id'], second['id']])


@pytest.mark.parametrize('body, fields', [
    ({}, ['body.extension_type', 'body.name', 'body.version']),
    ({'name': 'a', 'version': '1'}, ['body.extension_type']),
    ({'name': 'a', 'version': '1', 'extension_type': 'Plugin'}, ['body.extension_type']),  # the enum is case-sensitive
    ({'name': 'a b', 'version': '1', 'extension_type': 'plugin'}, ['body.name']),
    ({'name': 'caf\u00e9', 'version': '1', 'extension_type': 'plugin'}, ['body.name']),
    ({'name': 'a/b', 'version': '1', 'extension_type': 'plugin'}, ['body.name']),
    ({'name': 7, 'version': '1', 'extension_type': 'plugin'}, ['body.name']),
    ({'name': 'a', 'version': '', 'extension_type': 'bundle'}, ['body.version']),
    ([], ['body']),
])
def test_create_validation_errors_name_the_fields(client, body, fields):
    reply = client.call('POST', json=body)
    assert reply.status_code == 400
    found = errors(reply)
    assert sorted(field for error in found for field in error['fields']) == fields
    assert {error['code'] for error in found} == {'root.invalid_json_request'}
    assert client.call('GET').json() == {'extensions': []}


def test_create_rejects_invalid_json(client):
    reply = client.call('POST', data=b'{"name": ', headers={'Content-Type': 'application/json'})
    assert reply.status_code == 400
    assert errors(reply)[0]['fields'] == ['body']


def test_get_and_list_include_deployments_only_when_asked(client, emu):
    ext = client.create(name='used')
    assert requests.post(emu.control('/extensions/%s/deployments' % ext['id']), json={'deployments': [DEP_A]}, timeout=10).status_code == 200
    assert client.get(ext['id']).json()['deployments'] is None
    assert client.get(ext['id'], include_deployments='false').json()['deployments'] is None
    reply = client.get(ext['id'], include_deployments='true')
    assert reply.json()['deployments'] == [DEP_A] and reply.headers['x-cloud-resource-version'] == '1'
    assert client.call('GET').json()['extensions'][0]['deployments'] is None
    assert client.call('GET', params={'include_deployments': 'true'}).json()['extensions'][0]['deployments'] == [DEP_A]
    other = client.create(name='unused')
    assert client.get(other['id'], include_deployments='true').json()['deployments'] == []


def test_get_unknown_is_404(client):
    reply = client.get('1234567890')
    assert reply.status_code == 404
    assert errors(reply) == [{'code': 'extensions.not_found', 'message': 'The extension requested does not exist.'}]


def test_unknown_route_404_and_wrong_method_405(client, emu):
    for path in ('/api/v1/nothing', '/api/v1/deployments/extensions/1234567890/more'):
        reply = client.session.get(emu.url + path, timeout=10)
        assert reply.status_code == 404 and errors(reply)[0]['code'] == 'root.resource_not_found', path
    for method, path in (('DELETE', ''), ('PUT', ''), ('PATCH', '/1234567890')):
        reply = client.call(method, path)
        assert reply.status_code == 405 and errors(reply)[0]['code'] == 'root.method_not_allowed', (method, path)


# ---- update -----------------------------------------------------------------------------------------

def test_update_replaces_metadata_but_keeps_type(client):
    ext = client.create(name='p1', version='8.1.0', extension_type='plugin', description='old')
    time.sleep(0.002)
    reply = client.call('POST', '/' + ext['id'], json={'name': 'p2', 'version': '8.2.0', 'extension_type': 'bundle'})
    assert reply.status_code == 200
    assert reply.json() == {'id': ext['id'], 'name': 'p2', 'version': '8.2.0', 'extension_type': 'plugin', 'url': ext['url'], 'deployments': None}
    assert reply.headers['x-cloud-resource-version'] == '2'
    assert reply.headers['x-cloud-resource-last-modified'] > reply.headers['x-cloud-resource-created']
    assert client.get(ext['id']).json() == reply.json()


def test_update_errors(client):
    reply = client.call('POST', '/1234567890', json={'name': 'a', 'version': '1', 'extension_type': 'plugin'})
    assert reply.status_code == 404
    assert errors(reply) == [{'code': 'extensions.not_found', 'message': 'The extension you want does not exist.'}]
    ext = client.create()
    reply = client.call('POST', '/' + ext['id'], json={'name': 'bad name!', 'version': '1', 'extension_type': 'bundle'})
    assert reply.status_code == 400 and errors(reply)[0]['fields'] == ['body.name']
    assert client.get(ext['id']).json()['name'] == ext['name']


# ---- upload and download -----------------------------------------------------------------------------

def test_multipart_upload_sets_file_metadata_and_serves_the_bytes(client, make_zip):
    from requests_toolbelt import MultipartEncoder  # pylint: disable=import-outside-toplevel
    ext, archive = client.create(), make_zip(b'x' * 5000)
    encoder = MultipartEncoder({'note': 'ignored', 'file': ('Extension', archive, 'application/zip')})
    reply = client.call('PUT', '/' + ext['id'], data=encoder, headers={'Content-Type': encoder.content_type})
    assert reply.status_code == 200 and reply.headers['x-cloud-resource-version'] == '2'
    meta = reply.json()['file_metadata']
    assert meta['size'] == len(archive) and ISO_MILLIS.match(meta['last_modified_date'])
    assert meta['url'].startswith(client.emulator.url + '/_emulator/files/%s/' % ext['id'])
    assert sha256(download(meta['url'])) == sha256(archive)


def test_raw_and_chunked_uploads_replace_the_file_and_the_url(client, make_zip):
    ext = client.create()
    first, second = make_zip(b'one'), make_zip(b'two' * 1000)
    old = client.upload(ext['id'], first, headers={'Content-Type': 'application/zip'})['file_metadata']
    new = client.upload(ext['id'], iter([second[:100], second[100:]]))['file_metadata']  # a generator is sent chunked
    assert new['size'] == len(second) and new['url'] != old['url']
    assert download(new['url']) == second
    assert requests.get(old['url'], timeout=10).status_code == 404  # the previous temporary URL expired


@pytest.mark.parametrize('kind', ['empty', 'not-zip', 'no-file-part', 'bad-multipart'])
def test_bad_upload_is_400_and_keeps_the_previous_file(client, make_zip, kind):
    ext, archive = client.create(), make_zip()
    meta = client.upload(ext['id'], archive)['file_metadata']
    if kind == 'empty':
        reply = client.call('PUT', '/' + ext['id'], data=b'')
    elif kind == 'not-zip':
        reply = client.call('PUT', '/' + ext['id'], data=b'just text, no archive')
    elif kind == 'no-file-part':
        reply = client.call('PUT', '/' + ext['id'], files={'other': ('x.zip', archive)})
    else:
        reply = client.call('PUT', '/' + ext['id'], data=b'--xyz\r\nbroken', headers={'Content-Type': 'multipart/form-data; boundary=xyz'})
    assert reply.status_code == 400
    assert errors(reply) == [UPLOAD_FAILED]
    assert client.get(ext['id']).json()['file_metadata'] == meta
    assert download(meta['url']) == archive


def test_upload_to_unknown_id_is_404(client, make_zip):
    reply = client.call('PUT', '/1234567890', data=make_zip())
    assert reply.status_code == 404
    assert errors(reply) == [{'code': 'extensions.not_found', 'message': 'The extension you want does not exist.'}]


def _send_head(emu, path, api_key, length):
    """Open a raw connection and send only the headers of a PUT that asks for 100-continue."""
    parts = urllib.parse.urlsplit(emu.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    head = ('PUT /api/v1/deployments/extensions%s HTTP/1.1\r\nHost: %s\r\nAuthorization: ApiKey %s\r\n'
            'Content-Type: application/zip\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n') % (path, parts.netloc, api_key, length)
    sock.sendall(head.encode())
    return sock


def _read_until(sock, marker=None):
    data = b''
    while marker is None or marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_expect_100_continue_is_sent_before_the_body(client, emu, creds, make_zip):
    ext, archive = client.create(), make_zip(b'expect')
    with _send_head(emu, '/' + ext['id'], creds.api_key, len(archive)) as sock:
        assert _read_until(sock, b'\r\n\r\n') == b'HTTP/1.1 100 Continue\r\n\r\n'
        sock.sendall(archive)
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 200
        meta = json.loads(response.read())['file_metadata']
    assert download(meta['url']) == archive


@pytest.mark.parametrize('path, key, status', [('/1234567890', None, b'404'), ('/1234567890', 'wrong', b'401')])
def test_expect_100_refused_gets_final_status_without_waiting_for_the_body(emu, creds, path, key, status):
    # The head announces 1 GB that is never sent: only a server that does not wait for it can reply.
    with _send_head(emu, path, key or creds.api_key, 10 ** 9) as sock:
        reply = _read_until(sock)  # until the server closes the connection
    assert reply.startswith(b'HTTP/1.1 ' + status) and b'HTTP/1.1 100' not in reply
    assert b'\r\nConnection: close\r\n' in reply


@pytest.mark.skipif(not shutil.which('curl'), reason='curl is not installed')
@pytest.mark.parametrize('mode', ['raw', 'raw-chunked', 'multipart'])
def test_curl_uploads_with_expect_100_continue(client, creds, make_zip, tmp_path, mode):
    ext, archive = client.create(), make_zip(b'curl' * 1000)
    path = tmp_path / 'ext.zip'
    path.write_bytes(archive)
    cmd = ['curl', '-sS', '-v', '-X', 'PUT', '-H', 'Authorization: ApiKey ' + creds.api_key, '-H', 'Expect: 100-continue']
    if mode == 'multipart':
        cmd += ['-F', 'file=@%s;type=application/zip' % path]
    else:
        cmd += ['-T', str(path)] + (['-H', 'Transfer-Encoding: chunked'] if mode == 'raw-chunked' else [])
    result = subprocess.run(cmd + [client.emulator.api('/' + ext['id'])], capture_output=True, timeout=30, check=True)
    assert '< HTTP/1.1 100 Continue' in result.stderr.decode()
    meta = json.loads(result.stdout)['file_metadata']
    assert download(meta['url']) == archive


def test_keep_alive_serves_several_requests_on_one_connection(emu, creds):
    parts = urllib.parse.urlsplit(emu.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request('GET', '/api/v1/deployments/extensions', headers={'Authorization': 'ApiKey ' + creds.api_key})
    first = conn.getresponse()
    assert first.status == 200 and first.read()
    sock = conn.sock
    conn.request('POST', '/api/v1/deployments/extensions', body=b'{}', headers={'Authorization': 'ApiKey ' + creds.api_key})
    second = conn.getresponse()
    assert second.status == 400 and second.read()
    assert conn.sock is sock  # the same socket: the connection was kept open
    conn.close()


# ---- download_url (pattern A) ------------------------------------------------------------------------

def test_download_url_copies_the_archive(client, archive_server, make_zip):
    base, files = archive_server
    files['/a.zip'], files['/b.zip'] = make_zip(b'first'), make_zip(b'second' * 100)
    ext = client.create(download_url=base + '/a.zip')
    assert ext['download_url'] == base + '/a.zip' and ext['file_metadata']['size'] == len(files['/a.zip'])
    assert download(ext['file_metadata']['url']) == files['/a.zip']
    body = {'name': ext['name'], 'version': ext['version'], 'extension_type': 'bundle', 'download_url': base + '/b.zip'}
    updated = client.call('POST', '/' + ext['id'], json=body).json()
    assert download(updated['file_metadata']['url']) == files['/b.zip']
    # A metadata-only update (no download_url) keeps the URL and the archive it brought.
    body = {'name': ext['name'], 'version': ext['version'], 'extension_type': 'bundle', 'description': 'd'}
    kept = client.call('POST', '/' + ext['id'], json=body).json()
    assert kept['download_url'] == base + '/b.zip' and download(kept['file_metadata']['url']) == files['/b.zip']


@pytest.mark.parametrize('path', ['unreachable', 'ftp', '/missing.zip', '/text.zip', '/empty.zip', '/redirect.zip'])
def test_download_url_failures_create_nothing(client, archive_server, make_zip, path):
    base, files = archive_server
    files['/text.zip'], files['/empty.zip'] = b'<html>not a zip</html>', b''
    files['/redirect.zip'] = (302, {'Location': '/real.zip'}, b'')
    files['/real.zip'] = make_zip()
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        dead_port = probe.getsockname()[1]  # bound but not listening: connections are refused
        url = {'unreachable': 'http://127.0.0.1:%d/a.zip' % dead_port, 'ftp': 'ftp://127.0.0.1/a.zip'}.get(path, base + path)
        reply = client.call('POST', json={'name': 'x', 'version': '1', 'extension_type': 'plugin', 'download_url': url})
    assert reply.status_code == 400
    assert errors(reply) == [DOWNLOAD_FAILED]
    assert client.call('GET').json() == {'extensions': []}


def test_failed_download_on_update_changes_nothing(client, archive_server, make_zip):
    base, files = archive_server
    files['/a.zip'] = make_zip()
    ext = client.create(download_url=base + '/a.zip')
    reply = client.call('POST', '/' + ext['id'], json={'name': 'renamed', 'version': '2', 'extension_type': 'bundle', 'download_url': base + '/gone.zip'})
    assert reply.status_code == 400 and errors(reply) == [DOWNLOAD_FAILED]
    assert client.get(ext['id']).json() == ext


# ---- delete ------------------------------------------------------------------------------------------

def test_delete_in_use_then_free_then_gone(client, emu, make_zip):
    ext = client.create()
    meta = client.upload(ext['id'], make_zip())['file_metadata']
    mark = emu.control('/extensions/%s/deployments' % ext['id'])
    assert requests.post(mark, json={'deployments': [DEP_A, DEP_B]}, timeout=10).status_code == 200
    reply = client.call('DELETE', '/' + ext['id'])
    assert reply.status_code == 400
    assert errors(reply) == [{'code': 'extensions.extension_in_use',
                              'message': 'Cannot delete extension [%s]. It is used by deployments [%s, %s].' % (ext['id'], DEP_A, DEP_B)}]
    requests.post(mark, json={'deployments': []}, timeout=10).raise_for_status()
    reply = client.call('DELETE', '/' + ext['id'])
    assert reply.status_code == 200 and reply.json() == {}
    assert int(reply.headers['x-cloud-resource-version']) > 2 and ISO_MILLIS.match(reply.headers['x-cloud-resource-last-modified'])
    assert client.get(ext['id']).status_code == 404
    assert requests.get(meta['url'], timeout=10).status_code == 404
    reply = client.call('DELETE', '/' + ext['id'])
    assert reply.status_code == 404
    assert errors(reply) == [{'code': 'extensions.not_found', 'message': 'The extension requested does not exist.'}]
    assert requests.post(mark, json={'deployments': [DEP_A]}, timeout=10).status_code == 404
    assert requests.post(mark, json={'deployments': ['a-name']}, timeout=10).status_code == 400  # ids only, as ECE lists them


# ---- faults ------------------------------------------------------------------------------------------

def test_status_fault_with_code_and_retry_after(client, emu):
    emu.fault(method='POST', path='^/api/v1/deployments/extensions$', status=409, code='extensions.id_already_exists',
              message='An extension already exists with the generated id. Please try again.', retry_after=1)
    reply = client.call('POST', json={'name': 'a', 'version': '1', 'extension_type': 'plugin'})
    assert reply.status_code == 409 and reply.headers['Retry-After'] == '1'
    assert errors(reply) == [{'code': 'extensions.id_already_exists', 'message': 'An extension already exists with the generated id. Please try again.'}]
    assert client.call('GET').json() == {'extensions': []}
    client.create(name='a')  # the fault was used up
    assert [(entry['method'], entry['status']) for entry in emu.requests_log()] == [('POST', 409), ('GET', 200), ('POST', 201)]


def test_fault_count_method_and_path_regex(client, emu):
    ext = client.create()
    emu.fault(method='get', path=r'/extensions/\d+$', count=2, status=503)
    assert client.call('GET').status_code == 200  # the collection path does not match the regex
    assert client.call('POST', '/' + ext['id'], json={'name': 'n', 'version': '1', 'extension_type': 'bundle'}).status_code == 200
    first, second, third = (client.get(ext['id']) for _attempt in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert errors(first)[0]['code'] and 'Retry-After' not in first.headers
    assert requests.get(emu.control('/faults'), timeout=10).json() == {'faults': []}


def test_reset_fault_drops_the_connection(client, emu, make_zip):
    ext = client.create()
    emu.fault(method='PUT', action='reset')
    with pytest.raises(requests.ConnectionError):
        client.upload(ext['id'], make_zip())
    assert 'file_metadata' not in client.get(ext['id']).json()
    assert emu.requests_log()[-2] == {'method': 'PUT', 'path': '/api/v1/deployments/extensions/' + ext['id'], 'query': '', 'status': 0,
                                      'body_sha256': None, 'content_type': None}
    assert client.upload(ext['id'], make_zip())['file_metadata']['size'] > 0


def test_delay_fault_slows_the_reply(client, emu):
    # Only the lower bound is exact; the second reply need only be clearly undelayed (a busy machine
    # may take a while for a plain GET, but not as long as the delay).
    emu.fault(path='extensions$', action='delay', seconds=2)
    started = time.monotonic()
    reply = client.call('GET')
    assert reply.status_code == 200 and time.monotonic() - started >= 2
    started = time.monotonic()
    client.call('GET')
    assert time.monotonic() - started < 2


def test_faults_apply_to_archive_downloads(client, emu, make_zip):
    ext = client.create()
    url = client.upload(ext['id'], make_zip())['file_metadata']['url']
    emu.fault(method='GET', path='^/_emulator/files/', status=500)
    assert requests.get(url, timeout=10).status_code == 500
    assert download(url)
    assert [entry['status'] for entry in emu.file_log()] == [500, 200]


@pytest.mark.parametrize('fault', [{'status': 99}, {'action': 'delay'}, {'action': 'explode'}, {'status': 500, 'path': '('}, {'status': 500, 'count': 0}, []])
def test_invalid_faults_are_rejected(emu, fault):
    assert requests.post(emu.control('/faults'), json=fault if fault != [] else [1], timeout=10).status_code == 400


def test_unknown_fault_fields_are_refused_naming_them(emu):
    reply = requests.post(emu.control('/faults'), json={'status': 500, 'bogus': 1, 'body': 'x'}, timeout=10)
    assert reply.status_code == 400
    assert 'unknown fault fields body, bogus' in errors(reply)[0]['message']
    assert requests.get(emu.control('/faults'), timeout=10).json() == {'faults': []}


def test_delete_of_faults_forgets_the_faults_only(client, emu):
    ext = client.create()
    emu.fault(method='GET', status=503, count=5)
    assert requests.delete(emu.control('/faults'), timeout=10).json() == {'faults': []}
    assert client.get(ext['id']).status_code == 200  # the extension stayed, and no fault applies
    assert [entry['method'] for entry in emu.requests_log()] == ['POST', 'GET']


# ---- request log, file requests, reset --------------------------------------------------------------

def test_request_log_records_method_path_query_status_and_body_hash(client, emu, creds):
    body = json.dumps({'name': 'logged', 'version': '1', 'extension_type': 'plugin'}).encode()
    ext = client.call('POST', data=body, headers={'Content-Type': 'application/json'}).json()
    client.get(ext['id'], include_deployments='true')
    client.call('DELETE', '/' + ext['id'])
    log = emu.requests_log()
    assert log == [
        {'method': 'POST', 'path': '/api/v1/deployments/extensions', 'query': '', 'status': 201, 'body_sha256': sha256(body),
         'content_type': 'application/json'},
        {'method': 'GET', 'path': '/api/v1/deployments/extensions/' + ext['id'], 'query': 'include_deployments=true', 'status': 200, 'body_sha256': None,
         'content_type': None},
        {'method': 'DELETE', 'path': '/api/v1/deployments/extensions/' + ext['id'], 'query': '', 'status': 200, 'body_sha256': None,
         'content_type': None},
    ]
    assert creds.api_key not in json.dumps(log) and 'Authorization' not in json.dumps(log)


def test_file_requests_tell_whether_credentials_were_sent(client, emu, creds, make_zip):
    ext = client.create()
    url = client.upload(ext['id'], make_zip())['file_metadata']['url']
    download(url)
    download(url, headers={'Authorization': 'ApiKey ' + creds.api_key})
    log = emu.file_log()
    assert [entry['authorization_sent'] for entry in log] == [False, True]
    assert log[0]['path'] == urllib.parse.urlsplit(url).path and creds.api_key not in json.dumps(log)


def test_reset_forgets_everything(client, emu, make_zip):
    ext = client.create()
    url = client.upload(ext['id'], make_zip())['file_metadata']['url']
    emu.fault(status=500, path='nothing-matches-this')
    emu.reset()
    assert emu.requests_log() == [] and emu.file_log() == []
    assert requests.get(emu.control('/faults'), timeout=10).json() == {'faults': []}
    assert client.call('GET').json() == {'extensions': []}
    assert requests.get(url, timeout=10).status_code == 404


# ---- TLS, signals, data dir -------------------------------------------------------------------------

def test_tls_verifies_with_the_generated_ca_only(start_emulator, client_for, creds, make_zip, tmp_path):
    cert_dir = tmp_path / 'not' / 'yet'  # created by the emulator
    emulator = start_emulator('--tls', '--cert-dir', str(cert_dir), env=credentials_env(creds.api_key))
    ca_pem = str(cert_dir / 'ca.pem')
    assert emulator.url.startswith('https://127.0.0.1:') and os.listdir(cert_dir) == ['ca.pem']  # no key next to the CA
    client, archive = client_for(emulator, verify=ca_pem), make_zip(b'tls')
    meta = client.upload(client.create()['id'], archive)['file_metadata']
    assert meta['url'].startswith(emulator.url + '/_emulator/files/') and download(meta['url'], verify=ca_pem) == archive
    by_name = emulator.api().replace('127.0.0.1', 'localhost')
    assert requests.get(by_name, headers={'Authorization': 'ApiKey ' + creds.api_key}, verify=ca_pem, timeout=10).status_code == 200
    strict = ssl.create_default_context(cafile=ca_pem)
    strict.verify_flags |= ssl.VERIFY_X509_STRICT  # the default from Python 3.13 on
    parts = urllib.parse.urlsplit(emulator.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock, strict.wrap_socket(sock, server_hostname='127.0.0.1') as tls:
        assert tls.version() in ('TLSv1.2', 'TLSv1.3')
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.api(), timeout=10)  # the system/certifi trust store does not know this CA
    assert client.call('GET').status_code == 200  # a failed handshake does not harm the server


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_0_and_removes_the_temp_data_dir(start_emulator, client_for, creds, make_zip, tmp_path, sig):
    emulator = start_emulator(env=credentials_env(creds.api_key, TMPDIR=str(tmp_path)))
    client = client_for(emulator)
    client.upload(client.create()['id'], make_zip())  # leaves an idle keep-alive connection open
    data_dirs = list(tmp_path.glob('ece-emulator-*'))
    assert len(data_dirs) == 1 and list(data_dirs[0].rglob('*.zip'))
    assert emulator.stop(sig) == 0
    assert not list(tmp_path.iterdir())
    assert emulator.stderr() == ''


def test_given_data_dir_holds_archives_and_is_kept(start_emulator, client_for, make_zip, tmp_path):
    emulator = start_emulator('--data-dir', str(tmp_path / 'data'))
    client, archive = client_for(emulator, None), make_zip()
    ext_id = client.upload(client.create()['id'], archive)['id']
    assert (tmp_path / 'data' / 'files' / (ext_id + '.zip')).read_bytes() == archive
    assert emulator.stop() == 0 and (tmp_path / 'data').is_dir()


# ---- concurrency and memory --------------------------------------------------------------------------

def test_concurrent_creates_lose_and_duplicate_nothing(emu, client_for):
    barrier, results = threading.Barrier(8), []

    def worker(number):
        client = client_for(emu)
        barrier.wait()
        for index in range(10):
            reply = client.call('POST', json={'name': 't%d-%d' % (number, index), 'version': '1', 'extension_type': 'bundle'})
            results.append((reply.status_code, reply.json()['id'], reply.json()['name']))

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 80 and {status for status, _id, _name in results} == {201}
    ids = {ext_id for _status, ext_id, _name in results}
    assert len(ids) == 80
    listed = client_for(emu).call('GET').json()['extensions']
    assert {ext['id'] for ext in listed} == ids and len(listed) == 80
    assert {ext['name'] for ext in listed} == {'t%d-%d' % (n, i) for n in range(8) for i in range(10)}


def _vm_hwm_kib(pid):
    with open('/proc/%d/status' % pid, encoding='ascii') as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith('VmHWM:'))


@pytest.mark.skipif(not os.path.exists('/proc/self/status'), reason='needs Linux /proc')
def test_large_uploads_stream_in_bounded_memory(start_emulator, client_for, creds):
    """A 256 MiB raw body and a 2 GiB multipart upload (python-multipart) leave the emulator's peak RSS flat."""
    emulator = start_emulator(env=credentials_env(creds.api_key))
    client = client_for(emulator)
    ext_id = client.create()['id']
    client.upload(ext_id, b'PK\x05\x06' + bytes(18))  # warm-up, so only the big uploads count
    block = bytes(range(256)) * 4096

    def archive(megabytes, digest=None):  # a "zip" made on the fly: the test itself never holds it either
        for index in range(megabytes):
            data = b'PK\x03\x04' + block[4:] if index == 0 else block
            if digest is not None:
                digest.update(data)
            yield data

    before = _vm_hwm_kib(emulator.pid)
    raw_digest = hashlib.sha256()
    assert client.upload(ext_id, archive(256, raw_digest))['file_metadata']['size'] == 256 << 20
    assert emulator.requests_log()[-1]['body_sha256'] == raw_digest.hexdigest()
    head = b'--memtest\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n\r\n'
    multipart = (part for parts in ([head], archive(2048), [b'\r\n--memtest--\r\n']) for part in parts)
    # The timeout bounds a stalled server, not the transfer's speed (that belongs to `make bench`).
    meta = client.upload(ext_id, multipart, headers={'Content-Type': 'multipart/form-data; boundary=memtest'},
                         timeout=300)['file_metadata']
    assert meta['size'] == 2048 << 20
    growth = (_vm_hwm_kib(emulator.pid) - before) / 1024
    sys.stdout.write('\nemulator VmHWM growth over a 256 MiB raw and a 2 GiB multipart upload: %.1f MiB\n' % growth)
    assert growth < 48


# ---- the upload parsing on its own (python-multipart behind emulator_upload) ---------------------------

PAYLOAD = b'PK\x03\x04 data with a near-delimiter \r\n--bounx and x--bound inside \r\n-'
BODY = (b'--bound\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
        b'--bound \t\r\nContent-Disposition: form-data; name="file"; filename="x.zip"\r\nContent-Type: application/zip\r\n\r\n'
        + PAYLOAD + b'\r\n--bound--\r\nepilogue')


@pytest.mark.parametrize('read_size', [1, 2, 5, 11, 64, 65536])
def test_upload_parsing_handles_any_read_split(read_size):
    stream, got = io.BytesIO(BODY), bytearray()
    assert copy_field(lambda size: stream.read(min(size, read_size)), b'bound', 'file', got.extend, chunk_size=read_size) is True
    assert bytes(got) == PAYLOAD and stream.read() == b''


def test_upload_parsing_errors_and_missing_part():
    stream, got = io.BytesIO(BODY), bytearray()
    assert copy_field(stream.read, b'bound', 'absent', got.extend) is False
    assert got == b'' and stream.read() == b''  # read to the end all the same
    with pytest.raises(MultipartError, match='closing boundary'):
        copy_field(io.BytesIO(BODY[:-30]).read, b'bound', 'file', got.extend)
    with pytest.raises(MultipartError, match='malformed'):
        copy_field(io.BytesIO(b'no delimiter at all').read, b'bound', 'file', got.extend)
    too_many_headers = b'--bound\r\n' + b''.join(b'X-%d: y\r\n' % n for n in range(100)) + b'\r\nz\r\n--bound--\r\n'
    with pytest.raises(MultipartError, match='malformed'):
        copy_field(io.BytesIO(too_many_headers).read, b'bound', 'file', got.extend)
    assert boundary_of('multipart/form-data; boundary="a b"') == b'a b'
    assert boundary_of('application/zip') is None and boundary_of(None) is None
    for bad in ('multipart/form-data', 'multipart/form-data; boundary=' + 'x' * 201):
        with pytest.raises(MultipartError):
            boundary_of(bad)
