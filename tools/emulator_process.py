"""Start and stop the ECE emulator (and a plain file server for download_url archives) as child processes.

Used by the test suite, the demo and the benchmarks, so that every one of them starts the emulator
the same way and always stops it, also when what runs in between fails.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = os.path.join(REPO, 'tests', 'emulator', 'ece_emulator.py')
ARCHIVE_SERVER = os.path.join(REPO, 'tests', 'emulator', 'archive_server.py')


def free_port():
    """A port that was free a moment ago on loopback."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_for_ready(proc, timeout=120):  # bounds a hang; a busy machine may take many seconds
    """Read the emulator's stdout until its READY line; return the base URL."""
    result = {}

    def reader():
        for line in proc.stdout:
            if line.startswith('READY '):
                result['url'] = line.split(None, 1)[1].strip()
                return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    if 'url' not in result:
        proc.kill()
        raise RuntimeError('the emulator did not report READY within %ss (exit code %s)' % (timeout, proc.poll()))
    return result['url']


def cpu_seconds_of(pid):
    """User + system CPU seconds a running process has used so far (Linux /proc), or None elsewhere."""
    try:
        with open('/proc/%d/stat' % pid, encoding='ascii') as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return None


def _stop(proc, label=None):
    # What the server itself cost: the integration steps' CPU includes it, and a slow server shows here.
    used = cpu_seconds_of(proc.pid) if label and proc.poll() is None else None
    if used is not None:
        print('%s used %.1f s of CPU' % (label, used), flush=True)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def emulator(api_key=None, username=None, password=None, tls_dir=None, data_dir=None, port=None, assumptions='default'):
    """Run the emulator; yield its base URL (https when tls_dir is given, ca.pem then lies in tls_dir).

    `assumptions='flipped'` starts it in the other reading of every assumed ECE behaviour
    (tests/ece_behaviours.yml).
    """
    cmd = [sys.executable, EMULATOR, '--port', str(port or free_port()), '--bind', '127.0.0.1', '--assumptions', assumptions]
    # The credentials go through the environment of the child only: a command line is visible to
    # everyone on the machine (ps), an environment only to its owner.
    env = {key: value for key, value in os.environ.items() if not key.startswith('ECE_EMULATOR_')}
    if api_key:
        env['ECE_EMULATOR_API_KEY'] = api_key
    if username:
        env.update(ECE_EMULATOR_USERNAME=username, ECE_EMULATOR_PASSWORD=password)
    if tls_dir:
        cmd += ['--tls', '--cert-dir', tls_dir]
    if data_dir:
        cmd += ['--data-dir', data_dir]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)  # pylint: disable=consider-using-with
    try:
        yield _wait_for_ready(proc)
    finally:
        _stop(proc, 'the emulator')


@contextlib.contextmanager
def file_server(directory):
    """Serve `directory` over plain HTTP on loopback (the place ECE downloads `download_url` archives from).

    tests/emulator/archive_server.py: a static server with ETag, Last-Modified and 304 answers, and a log of the
    files asked for at `<url>/_archive_server/requests`.
    """
    cmd = [sys.executable, ARCHIVE_SERVER, '--port', str(free_port()), '--bind', '127.0.0.1', '--directory', directory]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # pylint: disable=consider-using-with
    try:
        yield _wait_for_ready(proc)
    finally:
        _stop(proc)
