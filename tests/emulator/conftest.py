"""Fixtures: the emulator as a real subprocess on a free port, an API client for it, and test archives.

One emulator serves most tests (reset before each); tests about start-up, TLS, signals or memory start
their own through `start_emulator`, which always stops what it started.
"""

import http.server
import io
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
import zipfile

import pytest
import requests

EMULATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ece_emulator.py')
API_KEY = 'test-key-0123456789'
USERNAME = 'admin'
PASSWORD = 'pa:ss word'  # a colon and a space: Basic credentials must be split at the first colon only


def credentials_env(api_key=API_KEY, username=None, password=None, **extra):
    """The environment of an emulator that accepts these credentials (never on its command line: ps shows it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith('ECE_EMULATOR_')}
    env['ECE_EMULATOR_API_KEY'] = api_key
    if username is not None:
        env.update(ECE_EMULATOR_USERNAME=username, ECE_EMULATOR_PASSWORD=password)
    env.update(extra)
    return env


def make_zip(content=b'hello', name='plugin-descriptor.properties'):
    """A real, small zip archive."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as archive:
        archive.writestr(name, content)
    return buf.getvalue()


class Emulator:
    """A running emulator subprocess."""

    def __init__(self, *args, env=None):
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would block the emulator
        cmd = [sys.executable, EMULATOR, '--port', '0'] + list(args)
        if env is None:  # no credentials and the default reading, whatever the caller's environment says
            env = {key: value for key, value in os.environ.items() if not key.startswith('ECE_EMULATOR_')}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env)  # pylint: disable=consider-using-with
        self.url = self._wait_ready()

    def stderr(self):
        self._stderr.seek(0)
        return self._stderr.read().decode('utf-8', 'replace')

    def _wait_ready(self, timeout=120):  # bounds a hang; a busy machine may take many seconds
        deadline, line = time.monotonic() + timeout, b''
        fd = self.proc.stdout.fileno()
        while not line.endswith(b'\n'):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                self.proc.kill()
                pytest.fail('emulator not READY within %ss; stderr:\n%s' % (timeout, self.stderr()))
            chunk = os.read(fd, 1)
            if not chunk:
                pytest.fail('emulator exited (%s) before READY; stderr:\n%s' % (self.proc.wait(), self.stderr()))
            line += chunk
        assert line.startswith(b'READY '), line
        return line.split()[1].decode()

    @property
    def pid(self):
        return self.proc.pid

    def api(self, path=''):
        return self.url + '/api/v1/deployments/extensions' + path

    def control(self, path):
        return self.url + '/_emulator' + path

    def reset(self):
        requests.post(self.control('/reset'), timeout=10).raise_for_status()

    def fault(self, **fault):
        reply = requests.post(self.control('/faults'), json=fault, timeout=10)
        assert reply.status_code == 201, reply.text

    def requests_log(self):
        return requests.get(self.control('/requests'), timeout=10).json()

    def file_log(self):
        return requests.get(self.control('/file_requests'), timeout=10).json()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Signal the emulator and return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode


class Client:
    """Thin helper over requests for the extensions API."""

    def __init__(self, emulator, auth_header='ApiKey ' + API_KEY, verify=True):
        self.emulator = emulator
        self.session = requests.Session()
        self.verify = verify
        if auth_header:
            self.session.headers['Authorization'] = auth_header

    def call(self, method, path='', **kwargs):
        kwargs.setdefault('timeout', 30)
        # Per request: a session-level `verify` loses against REQUESTS_CA_BUNDLE in the environment.
        kwargs.setdefault('verify', self.verify)
        return self.session.request(method, self.emulator.api(path), **kwargs)

    def create(self, name='my-bundle', version='8.*', extension_type='bundle', expect=201, **extra):
        reply = self.call('POST', json=dict(extra, name=name, version=version, extension_type=extension_type))
        assert reply.status_code == expect, reply.text
        return reply.json()

    def upload(self, ext_id, data, expect=200, **kwargs):
        reply = self.call('PUT', '/' + ext_id, data=data, **kwargs)
        assert reply.status_code == expect, reply.text
        return reply.json()

    def get(self, ext_id, **params):
        return self.call('GET', '/' + ext_id, params=params)


@pytest.fixture(name='start_emulator')
def fixture_start_emulator():
    """Factory: start an emulator with extra command-line arguments; all are stopped at teardown."""
    started = []

    def start(*args, env=None):
        emulator = Emulator(*args, env=env)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture(name='shared_emulator', scope='session')
def fixture_shared_emulator():
    """The emulator most tests use: API key and basic auth both configured."""
    emulator = Emulator(env=credentials_env(API_KEY, USERNAME, PASSWORD))
    yield emulator
    assert emulator.stop() == 0


@pytest.fixture(name='emu')
def fixture_emu(shared_emulator):
    """The shared emulator, reset to an empty state."""
    shared_emulator.reset()
    return shared_emulator


@pytest.fixture(name='client')
def fixture_client(emu):
    client = Client(emu)
    yield client
    client.session.close()


@pytest.fixture(name='client_for')
def fixture_client_for():
    """Factory: a Client for any emulator, with its own auth header (None for none) and TLS verify setting."""
    clients = []

    def make(emulator, auth_header='ApiKey ' + API_KEY, verify=True):
        clients.append(Client(emulator, auth_header, verify))
        return clients[-1]

    yield make
    for client in clients:
        client.session.close()


@pytest.fixture(name='creds', scope='session')
def fixture_creds():
    """The credentials the shared emulator accepts."""
    return types.SimpleNamespace(api_key=API_KEY, username=USERNAME, password=PASSWORD)


@pytest.fixture(name='make_zip', scope='session')
def fixture_make_zip():
    """Function building a small real zip archive: make_zip(content=b'...', name='...')."""
    return make_zip


class _ArchiveHandler(http.server.BaseHTTPRequestHandler):
    """Serves `server.files` (path -> bytes or (status, headers, bytes)) like a simple web server."""

    def do_GET(self):  # pylint: disable=invalid-name
        entry = self.server.files.get(self.path, (404, {}, b'not found'))
        status, headers, body = entry if isinstance(entry, tuple) else (200, {'Content-Type': 'application/zip'}, entry)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture(name='archive_server')
def fixture_archive_server():
    """An HTTP server in a thread, where download_url archives live; yields (base_url, files dict)."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _ArchiveHandler)
    server.files = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1], server.files
    server.shutdown()
    server.server_close()


@pytest.fixture(name='deps')
def fixture_deps(emu):
    """A client of the emulator's deployments API (tests/emulator/deployments_helpers.py)."""
    # Imported here: deployments_helpers imports this module's constants.
    from deployments_helpers import Deployments  # pylint: disable=import-outside-toplevel
    deployments = Deployments(emu)
    yield deployments
    deployments.close()
