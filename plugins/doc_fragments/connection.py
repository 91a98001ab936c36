# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options shared by every ece.platform module (see module_utils/_options.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  host:
    description:
      - Base URL of the ECE coordinator or of Elastic Cloud, for example V(https://ece.example.com:12443).
      - The collection adds C(/api/v1); a trailing C(/) or C(/api/v1) is accepted.
      - Required. If not set, the value of the E(ECE_HOST) or E(EC_HOST) environment variable is used; a missing
        host fails before any request and names these variables.
      - Give the base URL only; a URL that already holds an API path such as C(/api/v1/deployments/extensions) fails
        before any request.
      - Use C(https://) with ECE's TLS port (12443) and C(http://) with its plain port (12400); a mix-up fails at once
        saying which scheme the port speaks.
    type: str
  api_key:
    description:
      - 'API key, sent as C(Authorization: ApiKey <key>). Elastic Cloud accepts only API keys.'
      - Mutually exclusive with O(username) and O(password). One of O(api_key) and O(username) is required.
      - If not set, the value of the E(ECE_API_KEY) or E(EC_API_KEY) environment variable is used. When both an API key
        and a username come from the environment, the error names the variables that collided.
      - For ad-hoc commands, pass it through the environment (E(ECE_API_KEY)), not with C(-a api_key=...). When a task
        fails, ansible-core may print the C(-a) arguments as error context.
    type: str
  username:
    description:
      - User for HTTP basic authentication (ECE only), together with O(password).
      - If not set, the value of the E(ECE_USER) or E(EC_USER) environment variable is used.
    type: str
  password:
    description:
      - Password for O(username).
      - If not set, the value of the E(ECE_PASSWORD) or E(EC_PASS) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of O(host).
      - V(false) is for testing only and the module warns about it; to trust the self-signed certificate
        that ECE ships with, set O(ca_path) instead.
      - If not set, the value of the E(ECE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM bundle with the CA certificate(s) that signed the certificate of O(host).
      - If not set, the value of the E(ECE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each socket operation (connect, or the next bytes of an answer).
      - It is not a limit on a whole request, so an upload of any size can take longer in total.
      - If not set, the value of the E(ECE_TIMEOUT) or E(EC_TIMEOUT) environment variable is used.
    type: float
    default: 60
  retries:
    description:
      - How many times a request is tried again after a transient failure (HTTP 429, 502, 503, 504,
        or a refused or reset connection), with capped exponential backoff and jitter.
      - A C(Retry-After) header from the server is honoured.
      - If not set, the value of the E(ECE_RETRIES) environment variable is used.
    type: int
    default: 4
  retry_max_wait:
    description:
      - Upper bound, in seconds, for the total time spent waiting between tries of one request.
      - If not set, the value of the E(ECE_RETRY_MAX_WAIT) environment variable is used.
    type: float
    default: 60
notes:
  - All modules of this collection belong to the action group C(ece.platform.ece), so
    C(module_defaults) with C(group/ece.platform.ece) sets the connection options once for a play.
  - Credentials are never included in results, diffs, warnings or error messages.
requirements:
  - requests
'''
