# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the argument specs, as plain data (no AnsibleModule, no HTTP client).

The connection options every module shares (documented by the doc fragment ece.platform.connection:
keep the two in step) and the options of one extension (ece.platform.extension's, and each item of
extension_set's list). The input checks of extension_set import these without pulling in the
transport; the rules that need more than a spec live in _connection.py.
"""

from __future__ import annotations

from ansible.module_utils.common.parameters import env_fallback

# The environment variables each connection option falls back to, first set wins (see the doc fragment).
CONNECTION_ENV = dict(
    host=['ECE_HOST', 'EC_HOST'],
    api_key=['ECE_API_KEY', 'EC_API_KEY'],
    username=['ECE_USER', 'EC_USER'],
    password=['ECE_PASSWORD', 'EC_PASS'],
)


def connection_argument_spec():
    # host and the credentials' rules are checked by _connection.check_connection_rules(), not by ansible-core,
    # so that the messages can name the environment variables that fed (or could feed) the options.
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

    Their rules are EXTENSION_RULES; `name` or `id` is enough to find an extension. extension_set's
    DOCUMENTATION lists the same options as suboptions of `extensions`: keep it in step by hand.
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
        upload_mode=dict(type='str', choices=['multipart', 'raw'], default='multipart'),
    )


EXTENSION_RULES = dict(required_one_of=[('name', 'id')])
