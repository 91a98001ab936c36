# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the connection options every module shares, with their rules.

The doc fragment ece.platform.connection documents exactly these options; keep the two in step.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.ece.platform.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, EceClient
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._module_class import module_class


# The environment variables each connection option falls back to, first set wins (see the doc fragment).
CONNECTION_ENV = dict(
    host=['ECE_HOST', 'EC_HOST'],
    api_key=['ECE_API_KEY', 'EC_API_KEY'],
    username=['ECE_USER', 'EC_USER'],
    password=['ECE_PASSWORD', 'EC_PASS'],
)


def connection_argument_spec():
    # host and the credentials' rules are checked by check_connection_rules(), not by ansible-core, so that
    # the messages can name the environment variables that fed (or could feed) the options.
    return dict(
        host=dict(type='str', fallback=(env_fallback, CONNECTION_ENV['host'])),
        api_key=dict(type='str', no_log=True, fallback=(env_fallback, CONNECTION_ENV['api_key'])),
        username=dict(type='str', fallback=(env_fallback, CONNECTION_ENV['username'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, CONNECTION_ENV['password'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['ECE_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['ECE_CA_PATH'])),
        timeout=dict(type='float', default=60.0, fallback=(env_fallback, ['ECE_TIMEOUT', 'EC_TIMEOUT'])),
        retries=dict(type='int', default=4, fallback=(env_fallback, ['ECE_RETRIES'])),
        retry_max_wait=dict(type='float', default=60.0, fallback=(env_fallback, ['ECE_RETRY_MAX_WAIT'])),
    )


def extension_options():
    """The options of one extension: ece.platform.extension's own, and each item of extension_set's list.

    Their rules are EXTENSION_RULES; `name` or `id` is enough to find an extension.
    """
    return dict(
        name=dict(type='str'),
        id=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        extension_type=dict(type='str', choices=['plugin', 'bundle']),
        version=dict(type='str'),
        description=dict(type='str'),
        download_url=dict(type='str'),
        file=dict(type='path'),
        force_upload=dict(type='bool', default=False),
        identity=dict(type='str', choices=['name', 'name_and_version'], default='name'),
    )


EXTENSION_RULES = dict(required_one_of=[('name', 'id')])


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


def ece_module(argument_spec, mutually_exclusive=(), required_together=(), required_one_of=(), **kwargs):
    """An AnsibleModule whose spec holds the connection options next to the module's own; the connection rules are checked here."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    # AnsibleModule, or its look-alike when the action plugin runs the module on the controller.
    module = module_class()(
        argument_spec=spec,
        mutually_exclusive=list(mutually_exclusive),
        required_together=list(required_together),
        required_one_of=list(required_one_of),
        **kwargs
    )
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    try:
        check_connection_rules(module.params)
    except EceError as exc:
        module.fail_json(**exc.result())
    return module


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
    """Validate the connection options (before any request) and build the client."""
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
    return EceClient(params['host'], api_key=params['api_key'], username=params['username'], password=params['password'],
                     validate_certs=params['validate_certs'], ca_path=params['ca_path'], timeout=params['timeout'],
                     retries=params['retries'], retry_max_wait=params['retry_max_wait'])


def _silence_insecure_request_warnings():
    # One clear warning from the module is enough; urllib3 would print another one per request on stderr.
    try:
        import urllib3  # pylint: disable=import-outside-toplevel
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except ImportError:
        pass


def run_or_fail(module, action):
    """Run `action()` and exit; every EceError becomes fail_json here, the one place that does it."""
    try:
        result = action()
    except EceError as exc:
        module.fail_json(**exc.result())
    module.exit_json(**result)
