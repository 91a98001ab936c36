# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: from the connection options to a client, checked before any request.

The rules between the options (host required, api_key or username and password, not both), with
messages that name the environment variables behind them, and the client factory that checks the
rest (timeout, retries, ca_path) first.
"""

from __future__ import annotations

import os

from ansible_collections.ece.platform.plugins.module_utils._client import EceClient
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._options import CONNECTION_ENV


def _env_source(option, value, environ):
    """The environment variable that set `option` to `value` (the first one set, as env_fallback reads them), or None."""
    for name in CONNECTION_ENV.get(option, ()):
        if environ.get(name):
            return name if environ[name] == value else None
    return None


def _option_names(options, params, environ):
    """'api_key (from ECE_API_KEY)' style names of the given options that are set."""
    named = []
    for option in options:
        source = _env_source(option, params.get(option), environ)
        named.append('%s (from %s)' % (option, source) if source else option)
    return ' and '.join(named)


def check_connection_rules(params, environ=None):
    """host is required, api_key excludes username/password, one of them is needed, username goes with password.

    Each message names the environment variables involved, since an exported variable the user forgot
    about is the usual cause.
    """
    environ = os.environ if environ is None else environ
    if not params.get('host'):
        raise EceError('Option host is required: the base URL of ECE, for example https://ece.example.com:12443. Set it in the '
                       'task (or module_defaults), or export ECE_HOST (or EC_HOST).')
    basic = [option for option in ('username', 'password') if params.get(option)]
    if params.get('api_key') and basic:
        msg = ('Options api_key and %s are mutually exclusive: give an API key, or a username and password. Set: %s.'
               % ('/'.join(basic), _option_names(['api_key'] + basic, params, environ)))
        if any(_env_source(option, params.get(option), environ) for option in ['api_key'] + basic):
            msg += ' Options fall back to those environment variables when the task leaves them out: unset the one you do not mean.'
        raise EceError(msg)
    if not params.get('api_key') and not basic:
        raise EceError('No credentials: give option api_key, or username and password (in the task or module_defaults), or '
                       'export ECE_API_KEY (or EC_API_KEY), or ECE_USER and ECE_PASSWORD.')
    if len(basic) == 1:
        missing = 'password' if basic == ['username'] else 'username'
        raise EceError('Options username and password go together, but only %s is set; set %s too (or export %s).'
                       % (_option_names(basic, params, environ), missing, ' or '.join(CONNECTION_ENV[missing])))


def _check_ca_path(path):
    if not os.path.isfile(path):
        raise EceError('Option ca_path %r is not a file; give the path of a PEM bundle with the CA that signed '
                       'the ECE certificate.' % path)
    try:
        with open(path, 'rb') as handle:
            head = handle.read(1024 * 1024)
    except OSError as exc:
        raise EceError('Option ca_path %r cannot be read: %s.' % (path, exc.strerror)) from None
    if b'-----BEGIN CERTIFICATE-----' not in head:
        raise EceError('Option ca_path %r holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line); '
                       'give a PEM bundle, not DER or a key.' % path)


def client_from_module(module):
    """Validate the connection options (before any request) and build the client.

    The client is remembered on the module (`ece_clients`), so that run_or_fail closes its connections
    when the module ends: in-process, no process exit would do it.
    """
    params = module.params
    if params['timeout'] <= 0:
        raise EceError('Option timeout must be a positive number of seconds, not %s.' % params['timeout'])
    if params['retries'] < 0 or params['retry_max_wait'] < 0:
        raise EceError('Options retries and retry_max_wait must not be negative.')
    if params['ca_path'] and params['validate_certs']:
        _check_ca_path(params['ca_path'])
    if not params['validate_certs']:
        module.warn('validate_certs=false: the ECE certificate is not verified. Use this for testing only; '
                    'set ca_path to trust a self-signed ECE certificate instead.')
        _silence_insecure_request_warnings()
    client = EceClient(params['host'], api_key=params['api_key'], username=params['username'], password=params['password'],
                       validate_certs=params['validate_certs'], ca_path=params['ca_path'], timeout=params['timeout'],
                       retries=params['retries'], retry_max_wait=params['retry_max_wait'])
    if not hasattr(module, 'ece_clients'):
        module.ece_clients = []
    module.ece_clients.append(client)
    return client


def _silence_insecure_request_warnings():
    # One clear warning from the module is enough; urllib3 would print another one per request on stderr.
    try:
        import urllib3  # pylint: disable=import-outside-toplevel
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except ImportError:
        pass
