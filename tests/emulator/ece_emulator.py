"""Emulator of Elastic Cloud Enterprise's deployment-extensions API and of the deployments subset that
attaches extensions to deployments (plans), for tests, the demo and benchmarks.

    ECE_EMULATOR_API_KEY=KEY ECE_EMULATOR_USERNAME=U ECE_EMULATOR_PASSWORD=P \
    python tests/emulator/ece_emulator.py --port PORT [--bind 127.0.0.1] [--tls --cert-dir DIR]
        [--data-dir DIR] [--assumptions default|flipped] [--verbose]

Prints `READY <base-url>` once it accepts connections and serves until SIGTERM or SIGINT, then exits 0.
`--port 0` picks a free port (the READY line tells which). The API lives under `/api/v1`; test hooks
under `/_emulator` (see emulator_handler.py and CONTROL_HELP below). The credentials it accepts come
from the environment, where `ps` does not show them (`--api-key`/`--password` still work, with a warning).
`--assumptions flipped` starts it in the other reading of every assumed ECE behaviour of the register
tests/ece_behaviours.yml.
Needs `python-multipart` (uploads) and, for --tls, `trustme` (both in requirements-dev.txt).
"""

import argparse
import http.server
import os
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading

import emulator_assumptions
import emulator_handler
import emulator_store
from emulator_body import BodyError


class EmulatorServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP(S) server; TLS handshakes run in the per-connection threads."""

    daemon_threads = True  # open keep-alive connections must not delay shutdown
    allow_reuse_address = True
    request_queue_size = 128  # concurrency tests and benchmarks open many connections at once

    def __init__(self, address, app, ssl_context=None):
        self.app = app
        self.ssl_context = ssl_context
        if ':' in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, emulator_handler.Handler)

    def get_request(self):
        sock, address = super().get_request()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        # Clients that hang up, time out or reject the certificate are routine in tests, not errors.
        if isinstance(sys.exc_info()[1], (OSError, BodyError)):
            return
        super().handle_error(request, client_address)


CONTROL_HELP = """control endpoints (no auth, test use only):
  POST /_emulator/reset                           forget extensions, deployments, plan settings, faults, requests
  POST /_emulator/extensions/{id}/deployments     {"deployments": ["<deployment id>", ...]}: mark an extension in use
  POST /_emulator/faults, GET /_emulator/faults   queue faults for the next matching API requests (a JSON
                                                  object, or a list of them), or list those still queued:
      "method"       HTTP method to match (any when left out)
      "path"         regular expression searched in the request path (any when left out)
      "count"        how many matching requests get the fault (default 1)
      "action"       "status" (default): answer "status" (100-599), with "retry_after" seconds as
                     Retry-After, and "code"/"message" as the error of the reply (default code
                     emulator.injected_fault), e.g. 409 deployments.version_conflict;
                     "reset": close the connection without a reply; "delay": wait "seconds" first
      unknown fields are refused with 400, naming them
  DELETE /_emulator/faults                        forget the queued faults only (reset forgets everything)
  GET  /_emulator/assumptions, POST ...           the switches of the assumed ECE behaviours (tests/ece_behaviours.yml):
                                                  {"switch": value or "default"|"flipped", ...}; reset restores
                                                  the reading the emulator started with
  GET  /_emulator/requests                        the recorded /api/v1 requests, oldest first
  GET  /_emulator/file_requests                   the recorded archive downloads (304 for a conditional GET
                                                  that found the same archive)
  POST /_emulator/uploads, GET /_emulator/uploads {"keep_last_modified_date": bool}: whether a re-upload keeps
                                                  the stored archive's last_modified_date (the register's
                                                  switch of that name, also set through /_emulator/assumptions)
  POST /_emulator/deployments                     {"name", "elasticsearch_version", "id"?, "kibana"?,
                                                  "enabled_built_in_plugins"?, "tags"? ({key: value}),
                                                  "template_id"?}: create a deployment; a list of those, or
                                                  {"count": N, "name_prefix", ...}: create many at once
  POST /_emulator/search, GET /_emulator/search   {"strict", "cursor", "plans_in_hits", "search_ceiling"} switches of
                                                  POST /deployments/_search (all but strict are the register's switches
                                                  of those names, also set through /_emulator/assumptions); GET also
                                                  lists the search bodies received
  POST /_emulator/plans, GET /_emulator/plans     {"seconds", "fail_next", "failure_message", "failure_type",
                                                  "failed_attempt_in": "history"|"current",
                                                  "pending_appears_after", "url_mode": "ece"|"ess",
                                                  "plugin_check": "put"|"plan", "fail_kibana_next",
                                                  "omitted_version": "current"|"latest",
                                                  "cancelled_attempt": "history"|"removed",
                                                  "es_after_kibana_failure": "upgraded"|"rolled_back"}; fail_next and
                                                  fail_kibana_next inject failures (no ECE behaviour: not in
                                                  the register)
  GET  /_emulator/deployments/{id}/loaded         archive SHA-256 per extension the nodes loaded with the
                                                  last successful plan (and whether it is stale)
  GET  /_emulator/deployments/{id}/attempts       every plan attempt, oldest first, with the transient
                                                  (strategy) it was sent with and its status; and per resource
                                                  kind (version, strategy, user)
  GET/POST /_emulator/stack_versions              the stack packs: {"versions": [{"version", "upgradable_to",
                                                  "plugins", "deleted"?}]} (POST replaces them)
  POST /_emulator/deployments/{id}/concurrent_change  another user's no-op plan change starts now
"""


# Where the credentials the emulator accepts come from: the environment, which ps does not show.
CREDENTIAL_ENV = {'api_key': 'ECE_EMULATOR_API_KEY', 'username': 'ECE_EMULATOR_USERNAME', 'password': 'ECE_EMULATOR_PASSWORD'}


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Emulator of the ECE deployment-extensions and deployments API.',
                                     epilog=CONTROL_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--port', type=int, required=True, help='port to listen on (0 picks a free one)')
    parser.add_argument('--bind', default='127.0.0.1', help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--tls', action='store_true', help='serve HTTPS with a freshly generated CA and certificate')
    parser.add_argument('--cert-dir', help='where --tls writes ca.pem (created when missing)')
    parser.add_argument('--api-key', help='accept "Authorization: ApiKey <KEY>" (visible in ps: prefer %s)' % CREDENTIAL_ENV['api_key'])
    parser.add_argument('--username', help='accept HTTP basic auth with this user (needs a password; or %s)' % CREDENTIAL_ENV['username'])
    parser.add_argument('--password', help='password for the user (visible in ps: prefer %s)' % CREDENTIAL_ENV['password'])
    parser.add_argument('--data-dir', help='where archives are stored (default: a temp dir removed at exit)')
    parser.add_argument('--assumptions', choices=emulator_assumptions.READINGS,
                        help='the reading of the assumed ECE behaviours to start with (default: $%s, else default)' % emulator_assumptions.ENV)
    parser.add_argument('--verbose', action='store_true', help='log one line per request to stderr')
    args = parser.parse_args(argv)
    for name, variable in CREDENTIAL_ENV.items():
        if getattr(args, name) is not None:
            if name != 'username':
                sys.stderr.write('ece_emulator: warning: --%s shows the secret to anyone who runs ps; set %s instead\n'
                                 % (name.replace('_', '-'), variable))
        else:
            setattr(args, name, os.environ.get(variable) or None)
    if args.tls and not args.cert_dir:
        parser.error('--tls needs --cert-dir')
    if (args.username is None) != (args.password is None):
        parser.error('a username and a password go together (--username/%s and --password/%s)'
                     % (CREDENTIAL_ENV['username'], CREDENTIAL_ENV['password']))
    try:
        args.assumptions = emulator_assumptions.Assumptions(emulator_assumptions.baseline_from(args.assumptions)).baseline
    except emulator_assumptions.AssumptionError as exc:
        parser.error('%s: %s' % (emulator_assumptions.ENV, exc))
    return args


def tls_context(cert_dir):
    """Serve a certificate for 127.0.0.1, ::1 and localhost from a fresh private CA; write the CA to cert_dir/ca.pem.

    ECE ships a self-signed certificate, so clients must trust a private CA (`ca_path`). trustme's
    certificates pass strict verifiers (Python 3.13's VERIFY_X509_STRICT). The server key never lands in
    cert_dir: trustme loads it through a temp file it removes at once.
    """
    # Imported here: only --tls needs it.
    import trustme  # pylint: disable=import-outside-toplevel
    authority = trustme.CA(organization_name='ECE emulator')
    os.makedirs(cert_dir, exist_ok=True)
    authority.cert_pem.write_to_path(os.path.join(cert_dir, 'ca.pem'))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    authority.issue_cert('127.0.0.1', '::1', 'localhost', common_name='localhost').configure_cert(context)
    return context


def url_host(bind):
    """The host part of the base URL: wildcard binds are reached through loopback."""
    host = {'0.0.0.0': '127.0.0.1', '::': '::1', '': '127.0.0.1'}.get(bind, bind)
    return '[%s]' % host if ':' in host else host


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()
    # Installed before anything slow, so a SIGTERM during start-up still ends in a clean exit 0.
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    signal.signal(signal.SIGINT, lambda *_args: stop.set())
    own_data_dir = args.data_dir is None
    data_dir = tempfile.mkdtemp(prefix='ece-emulator-') if own_data_dir else args.data_dir
    try:
        store = emulator_store.Store(data_dir)
        ssl_context = None
        if args.tls:
            ssl_context = tls_context(args.cert_dir)
        scheme = 'https' if args.tls else 'http'
        app = emulator_handler.App(store, scheme, None, api_key=args.api_key, username=args.username, password=args.password,
                                   verbose=args.verbose, assumptions=args.assumptions)
        try:
            server = EmulatorServer((args.bind, args.port), app, ssl_context)
        except OSError as exc:
            sys.stderr.write('ece_emulator: cannot listen on %s:%s: %s\n' % (args.bind, args.port, exc))
            return 1
        app.default_host = '%s:%d' % (url_host(args.bind), server.server_address[1])
        thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2}, daemon=True)
        thread.start()
        print('READY %s://%s' % (scheme, app.default_host), flush=True)
        while not stop.wait(0.5):
            pass
        server.shutdown()
        server.server_close()
    finally:
        if own_data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
