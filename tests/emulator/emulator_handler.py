"""HTTP plumbing: routing, authentication, injected faults, the request log and the control endpoints.

Every request is answered the same way: work out a Response, read away any body the operation did not
consume (so keep-alive connections stay in sync), record the request, then send. Recording happens
before sending so a test that asks `/_emulator/requests` right after a reply always finds it there.
Faults are applied before authentication, like a proxy or load balancer in front of ECE would.
Request log convention: `query` is the raw query string ('' when none); `body_sha256` is the SHA-256
hex of the (de-chunked) request body, or null when no body byte was received.
"""

import base64
import binascii
import http.server
import re
import secrets
import socket
import ssl
import struct
import sys
import time
import traceback
import urllib.parse

import emulator_api
import emulator_deployments_api
import emulator_deployments_control
import emulator_stack_versions
import emulator_upgrade_control
import emulator_uploads_control
from emulator_conditional import not_modified, validators
from emulator_api import Call, Response, failure
from emulator_assumptions import AssumptionError, Assumptions
from emulator_body import CHUNK_SIZE, BodyError, RequestBody
from emulator_deployments_store import DeploymentStore
from emulator_faults import Fault, FaultError, FaultQueue, RequestLog

API_PREFIX = '/api/v1'
FILES_PREFIX = '/_emulator/files/'
FILE_RE = re.compile(r'/_emulator/files/(\d+)/([0-9a-f]+)\.zip')
DEPLOYMENTS_RE = re.compile(r'/_emulator/extensions/([^/]+)/deployments')
DEPLOYMENT_ID_RE = re.compile(r'^[0-9a-f]{32}$')  # what ECE lists as an extension's deployments


def _kind(path):
    """Which part of the server a path belongs to: 'api', 'file' (archive downloads), 'control' or 'other'."""
    if path == API_PREFIX or path.startswith(API_PREFIX + '/'):
        return 'api'
    if path.startswith(FILES_PREFIX):
        return 'file'
    return 'control' if path.startswith('/_emulator/') else 'other'


class App:  # pylint: disable=too-many-instance-attributes,too-few-public-methods
    """Everything the handlers share: state, hooks and configuration."""

    # pylint: disable-next=too-many-arguments
    def __init__(self, store, scheme, default_host, *, api_key=None, username=None, password=None, verbose=False,
                 assumptions='default'):
        self.store, self.faults, self.log = store, FaultQueue(), RequestLog()
        self.deployments = DeploymentStore(store)  # also hooks deployments' in-use state into the extensions
        # The assumed ECE behaviours' switches (tests/ece_behaviours.yml), shared by both stores.
        self.assumptions = store.assumptions = Assumptions(assumptions)
        self.assumptions.attach_plan_settings(self.deployments.settings)
        self.deployments.search.assumptions = self.assumptions  # /_emulator/search is a view on three of them
        self.scheme, self.default_host, self.verbose = scheme, default_host, verbose
        self.api_key, self.username, self.password = api_key, username, password

    def authorized(self, header):
        """Check an Authorization header value against whatever credentials were configured."""
        if not self.api_key and self.username is None:
            return True  # no credentials configured: auth is not checked
        scheme, _sep, value = (header or '').strip().partition(' ')
        value = value.strip().encode('utf-8')
        if self.api_key and scheme.lower() == 'apikey':
            return secrets.compare_digest(value, self.api_key.encode('utf-8'))
        if self.username is not None and scheme.lower() == 'basic':
            try:
                user, sep, password = base64.b64decode(value, validate=True).decode('utf-8').partition(':')
            except (binascii.Error, UnicodeDecodeError):
                return False
            user_ok = secrets.compare_digest(user.encode('utf-8'), self.username.encode('utf-8'))
            password_ok = secrets.compare_digest(password.encode('utf-8'), (self.password or '').encode('utf-8'))
            return bool(sep) and user_ok and password_ok
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    """One connection; requests on it are served one after the other (HTTP/1.1 keep-alive)."""

    protocol_version = 'HTTP/1.1'
    # Headers and body go out in separate writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK (up to 40 ms) on every keep-alive request, as servers in front of ECE do not.
    disable_nagle_algorithm = True
    server_version = 'ece-emulator'
    timeout = 300  # seconds per socket operation; also how long an idle keep-alive connection may stay
    _expect_continue = False  # set by handle_expect_100 for the request being parsed
    _body = None  # the current request's RequestBody

    def setup(self):
        super().setup()
        if isinstance(self.request, ssl.SSLSocket):
            # The handshake runs here, in the connection's own thread, so a slow client cannot stall accept().
            self.request.do_handshake()

    def version_string(self):
        return self.server_version  # no Python version in the Server header

    def handle_expect_100(self):
        # Defer `100 Continue` until an operation really reads the body (see RequestBody).
        self._expect_continue = True
        return True

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.app.verbose:  # access lines only on request; they never contain headers
            sys.stderr.write('%s - %s\n' % (self.address_string(), format % args))

    def send_error(self, code, message=None, explain=None):
        # The stdlib parser's own errors (bad request line, huge headers, unknown method) in ECE's format too.
        codes = {414: 'root.request_uri_too_long', 431: 'root.request_header_fields_too_large', 501: 'root.not_implemented'}
        self.close_connection = True
        self._send(failure(code, codes.get(code, 'root.bad_request'), message or self.responses.get(code, ('Error',))[0]))

    def _send_continue(self):
        self.wfile.write(b'HTTP/1.1 100 Continue\r\n\r\n')
        self.wfile.flush()

    def do_GET(self):  # pylint: disable=invalid-name
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self):
        app = self.server.app
        split = urllib.parse.urlsplit(self.path)
        path, query = split.path, split.query
        kind = _kind(path)
        expect, self._expect_continue = self._expect_continue, False
        try:
            self._body = RequestBody(self.rfile, self.headers, self._send_continue if expect else None)
        except BodyError as exc:
            self.close_connection = True  # the body's framing is unknown, so the next request cannot be found
            self._body = RequestBody(self.rfile, {})
            response = failure(400, 'root.invalid_request', str(exc))
        else:
            response = self._respond(app, kind, path, query)
        if response is None:
            return  # the connection was reset on purpose
        self._finish_body()
        self._record(kind, path, query, response.status, self._body.sha256)
        self._send(response)

    def _respond(self, app, kind, path, query):
        try:
            if kind in ('api', 'file'):
                fault = app.faults.take(self.command, path)
                if fault is not None:
                    if fault.action == 'reset':
                        self._record(kind, path, query, 0, None)
                        self._reset()
                        return None
                    if fault.action == 'delay':
                        time.sleep(fault.seconds)
                    else:
                        return self._fault_response(fault)
            if kind == 'api':
                if not app.authorized(self.headers.get('Authorization')):
                    return failure(401, 'root.unauthorized', 'The authentication token is invalid or expired.')
                parts = path[len(API_PREFIX):].strip('/').split('/')
                base_url = '%s://%s' % (app.scheme, self.headers.get('Host') or app.default_host)
                call = Call(self.command, parts, urllib.parse.parse_qs(query), self.headers, self._body, base_url, app.store)
                if parts[:1] == ['deployments'] and parts[1:2] != ['extensions']:
                    return emulator_deployments_api.handle(call, app.deployments)
                if parts[:1] == ['stack']:
                    return emulator_stack_versions.handle(call, app.deployments)
                return emulator_api.handle(call)
            if kind == 'file':
                return self._serve_file(app, path, self.headers)
            if kind == 'control':
                return self._control(app, path)
            return failure(404, 'root.resource_not_found', 'The requested resource could not be found.')
        except BodyError as exc:
            self.close_connection = True
            return failure(400, 'root.invalid_request', str(exc))
        except Exception:  # pylint: disable=broad-exception-caught
            # A bug in the emulator must show up as a 500 and a traceback, not as a hung client.
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            return failure(500, 'root.unexpected_error', 'The emulator failed to handle the request.')

    @staticmethod
    def _fault_response(fault):
        headers = {}
        if fault.retry_after is not None:
            headers['Retry-After'] = str(int(fault.retry_after) if fault.retry_after == int(fault.retry_after) else fault.retry_after)
        code = fault.code or 'emulator.injected_fault'
        message = fault.message or 'Injected fault (HTTP %d).' % fault.status
        return failure(fault.status, code, message, headers=headers)

    def _reset(self):
        """Drop the connection without a reply: linger 0 turns the close into a TCP RST."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.connection.close()  # the real close happens when the handler releases rfile
        except OSError:
            pass

    def _finish_body(self):
        body = self._body
        if body.done:
            return
        if body.continue_pending:
            # The client still waits for 100 Continue; it will not send the body, so do not wait for it
            # and do not reuse the connection (a client that sends anyway would desynchronise it).
            self.close_connection = True
            return
        try:
            body.drain()
        except (BodyError, OSError):
            self.close_connection = True

    def _record(self, kind, path, query, status, sha):
        app = self.server.app
        if kind == 'api':
            app.log.api(self.command, path, query, status, sha, self.headers.get('Content-Type'))
        elif kind == 'file':
            app.log.file(self.command, path, 'Authorization' in self.headers, status)

    def _send(self, response):
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                if value is not None:
                    self.send_header(name, value)
            if response.status != 304:  # a 304 has no body, and its headers describe the version the client holds
                self.send_header('Content-Length', str(response.length))
            if self.close_connection:
                self.send_header('Connection', 'close')
            self.end_headers()
            if self.command == 'HEAD':
                return
            if response.stream is None:
                self.wfile.write(response.payload)
                return
            while True:  # archives are streamed chunk by chunk, never loaded whole
                data = response.stream.read(CHUNK_SIZE)
                if not data:
                    break
                self.wfile.write(data)
        finally:
            if response.stream is not None:
                response.stream.close()

    @staticmethod
    def _serve_file(app, path, request_headers):
        """The stored archive behind `file_metadata.url`: no credentials needed, like a pre-signed URL.

        It carries ETag and Last-Modified, and answers a conditional GET for the same archive with 304.
        """
        match = FILE_RE.fullmatch(path)
        opened = app.store.open_file(match.group(1), match.group(2)) if match else None
        if opened is None:
            return failure(404, 'root.resource_not_found', 'The file does not exist or its temporary URL is no longer valid.')
        handle, size, sha256, modified = opened
        headers = validators(sha256, modified)
        if not_modified(request_headers, headers['ETag'], headers['Last-Modified']):
            handle.close()
            return Response(304, headers=headers, content_type=None)
        return Response(200, headers=headers, stream=handle, length=size, content_type='application/zip')

    def _json_body(self):
        try:
            return emulator_api.read_json(self._body)
        except ValueError:
            return None

    def _control(self, app, path):
        """Test hooks under /_emulator (no auth, never faulted, never recorded)."""
        method = self.command
        routes = {
            '/_emulator/reset': ('POST',),
            '/_emulator/faults': ('GET', 'POST', 'DELETE'),
            '/_emulator/requests': ('GET',),
            '/_emulator/file_requests': ('GET',),
            '/_emulator/assumptions': ('GET', 'POST'),
            '/_emulator/uploads': ('GET', 'POST'),
        }
        match = DEPLOYMENTS_RE.fullmatch(path)
        deployments_allowed = emulator_deployments_control.routes(path)
        upgrade_allowed = emulator_upgrade_control.routes(path)
        allowed = ('POST',) if match else deployments_allowed or upgrade_allowed or routes.get(path)
        if allowed is None:
            return failure(404, 'root.resource_not_found', 'No such emulator control endpoint.')
        if method not in allowed:
            return failure(405, 'root.method_not_allowed', 'Use %s here.' % ' or '.join(allowed), headers={'Allow': ', '.join(allowed)})
        if deployments_allowed:
            return emulator_deployments_control.handle(method, path, self._json_body, app.deployments)
        if upgrade_allowed:
            return emulator_upgrade_control.handle(method, path, self._json_body, app.deployments)
        if match:
            doc = self._json_body()
            ids = doc.get('deployments') if isinstance(doc, dict) else None
            # ECE lists the ids of the deployments that use an extension (32 hex characters), not their names.
            if not isinstance(ids, list) or not all(isinstance(dep_id, str) and DEPLOYMENT_ID_RE.match(dep_id) for dep_id in ids):
                return failure(400, 'root.invalid_json_request', 'Send {"deployments": ["<deployment id: 32 lowercase hex>", ...]}.',
                               ['body.deployments'])
            if not app.store.set_deployments(match.group(1), ids):
                return failure(404, 'extensions.not_found', emulator_api.MSG_REQUESTED_MISSING)
            return Response(200, {'id': match.group(1), 'deployments': ids})
        if path == '/_emulator/assumptions':
            if method == 'POST':
                try:
                    app.assumptions.update(self._json_body())
                except AssumptionError as exc:
                    return failure(400, 'root.invalid_json_request', str(exc), ['body'])
            return Response(200, app.assumptions.snapshot())
        if path == '/_emulator/uploads':
            return emulator_uploads_control.handle(method, self._json_body, app.assumptions)
        if path == '/_emulator/reset':
            app.store.reset()
            app.deployments.reset()
            app.assumptions.attach_plan_settings(app.deployments.settings)
            app.assumptions.reset()
            app.faults.clear()
            app.log.clear()
            return Response(200, {})
        if path == '/_emulator/faults' and method == 'POST':
            doc = self._json_body()
            try:
                faults = [Fault(item) for item in (doc if isinstance(doc, list) else [doc])]
            except FaultError as exc:
                return failure(400, 'root.invalid_json_request', str(exc), ['body'])
            for fault in faults:
                app.faults.add(fault)
            return Response(201, {'faults': app.faults.pending()})
        if path == '/_emulator/faults' and method == 'DELETE':
            app.faults.clear()  # the faults only: extensions, deployments and the request log stay
            return Response(200, {'faults': []})
        if path == '/_emulator/faults':
            return Response(200, {'faults': app.faults.pending()})
        return Response(200, app.log.api_entries() if path == '/_emulator/requests' else app.log.file_entries())
