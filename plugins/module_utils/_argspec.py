# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the connection options every module shares, with their rules.

The doc fragment ece.platform.connection documents exactly these options; keep the two in step.
"""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.ece.platform.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, EceClient
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError


def connection_argument_spec():
    return dict(
        host=dict(type='str', required=True, fallback=(env_fallback, ['ECE_HOST', 'EC_HOST'])),
        api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['ECE_API_KEY', 'EC_API_KEY'])),
        username=dict(type='str', fallback=(env_fallback, ['ECE_USER', 'EC_USER'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['ECE_PASSWORD', 'EC_PASS'])),
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
    )


EXTENSION_RULES = dict(required_one_of=[('name', 'id')])

CONNECTION_RULES = dict(
    mutually_exclusive=[('api_key', 'username'), ('api_key', 'password')],
    required_one_of=[('api_key', 'username')],
    required_together=[('username', 'password')],
)


def ece_module(argument_spec, mutually_exclusive=(), required_together=(), required_one_of=(), **kwargs):
    """An AnsibleModule whose spec holds the connection options and their rules next to the module's own."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=CONNECTION_RULES['mutually_exclusive'] + list(mutually_exclusive),
        required_together=CONNECTION_RULES['required_together'] + list(required_together),
        required_one_of=CONNECTION_RULES['required_one_of'] + list(required_one_of),
        **kwargs
    )
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
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
