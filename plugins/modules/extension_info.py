#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: extension_info
short_description: Read ECE deployment extensions
version_added: 0.1.0
description:
  - Lists the deployment extensions (custom plugins and bundles) of Elastic Cloud Enterprise (ECE) or
    Elastic Cloud, optionally filtered, and optionally with the deployments that use each one.
  - Never changes anything.
  - The extensions are returned as ECE sends them. Their C(download_url) is the URL given last; ECE may keep it
    after an archive was uploaded, so it need not be where the stored archive came from (see
    M(ece.platform.extension), option O(ece.platform.extension#module:download_url)).
author:
  - ece.platform maintainers (@ece-platform)
extends_documentation_fragment:
  - ece.platform.connection
  - ece.platform.attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads, so it runs the same in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
options:
  id:
    description:
      - Return only the extension with this id. An unknown id gives an empty list, not a failure.
    type: str
  name:
    description:
      - Return only extensions with exactly this name.
    type: str
  extension_type:
    description:
      - Return only extensions of this type.
    type: str
    choices: [plugin, bundle]
  include_deployments:
    description:
      - Fill C(deployments) of each returned extension with the deployments that use it (up to 10000).
      - This reads each matching extension once more, so filter first when there are many.
    type: bool
    default: false
  deployment:
    description:
      - Return only the extensions that this deployment uses, given by its id (32 hexadecimal characters) or its exact
        name. Those are the extensions that a running, current or pending plan of one of its Elasticsearch resources
        references.
      - A deployment that ECE does not know fails the task; a name that several deployments carry fails and lists
        their ids. An empty value fails before any request.
      - The result then also holds RV(deployment), RV(user_bundles) and RV(user_plugins), the entries of the plan the
        deployment runs as the plan holds them, plain-URL entries included (version added in 0.3.0).
    type: str
    version_added: 0.2.0
seealso:
  - module: ece.platform.extension
  - module: ece.platform.deployment_extensions
'''

EXAMPLES = r'''
- name: List every extension
  ece.platform.extension_info:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
  register: all_extensions

- name: Find the plugins named analysis-custom and the deployments using them
  ece.platform.extension_info:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    name: analysis-custom
    extension_type: plugin
    include_deployments: true
  register: found

- name: Show where it is used
  ansible.builtin.debug:
    msg: "{{ found.extensions | map(attribute='deployments') | list }}"

- name: List the extensions the deployment search-prod uses
  ece.platform.extension_info:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
  register: used
'''

RETURN = r'''
extensions:
  description: The matching extensions as ECE returns them, in ECE's order; an empty list when none match.
  returned: always
  type: list
  elements: dict
  sample:
    - id: "4226448541"
      name: analysis-custom
      extension_type: plugin
      version: 8.15.1
      url: repo://4226448541
      deployments: ["f91f3a9360a74e9d8c068cd2698c92ea"]
      file_metadata:
        size: 48213
        last_modified_date: "2026-11-28T12:41:16.138Z"
        url: https://ece.example.com:12443/files/4226448541.zip
deployment:
  description: The deployment named by O(deployment).
  returned: when O(deployment) is given
  type: dict
  version_added: 0.3.0
  sample:
    id: 0123456789abcdef0123456789abcdef
    name: search-prod
    label: search-prod (id 0123456789abcdef0123456789abcdef)
  contains:
    id:
      description: Id of the deployment.
      type: str
      returned: always
    name:
      description: Name of the deployment.
      type: str
      returned: always
    label:
      description: Name and id as messages show them.
      type: str
      returned: always
user_bundles:
  description:
    - Every bundle entry of the plan the deployment's Elasticsearch resources run, as the plan holds it (its C(name) is
      the label the entry got when attached), plain-URL entries (not V(repo://)) included.
    - Each with C(name), C(url), C(elasticsearch_version), C(ref_id) (the Elasticsearch resource) and
      C(topology_element) (the C(id) of the topology element that lists it, V(null) at plan level).
  returned: when O(deployment) is given
  type: list
  elements: dict
  version_added: 0.3.0
  sample:
    - name: synonyms
      url: repo://5886113212
      elasticsearch_version: 8.*
      ref_id: main-elasticsearch
      topology_element: null
user_plugins:
  description:
    - Every plugin entry of the plan the deployment's Elasticsearch resources run, as for RV(user_bundles).
  returned: when O(deployment) is given
  type: list
  elements: dict
  version_added: 0.3.0
  sample:
    - name: analysis-custom
      url: repo://4226448541
      elasticsearch_version: 8.15.1
      ref_id: main-elasticsearch
      topology_element: null
status:
  description: HTTP status of the failed API request.
  returned: on API failure
  type: int
errors:
  description: ECE's list of errors (C(code), C(message), C(fields)) as sent.
  returned: on API failure
  type: list
  elements: dict
method:
  description: HTTP method of the failed API request.
  returned: on API failure
  type: str
url:
  description: URL of the failed API request.
  returned: on API failure
  type: str
'''

from ansible_collections.ece.platform.plugins.module_utils._connection import client_from_module
from ansible_collections.ece.platform.plugins.module_utils._module import ece_module, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import DeploymentsApi
from ansible_collections.ece.platform.plugins.module_utils._extension_info import deployment_uses, read_extensions
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi


def main():
    module = ece_module(
        argument_spec=dict(
            id=dict(type='str'),
            name=dict(type='str'),
            extension_type=dict(type='str', choices=['plugin', 'bundle']),
            include_deployments=dict(type='bool', default=False),
            deployment=dict(type='str'),
        ),
        supports_check_mode=True,
    )

    def read():
        client = client_from_module(module)
        api = ExtensionsApi(client, check_mode=module.check_mode)
        params = module.params
        urls, extra = None, {}
        if params['deployment'] is not None:
            urls, extra = deployment_uses(DeploymentsApi(client, check_mode=module.check_mode), params['deployment'])
        extensions = read_extensions(api, extension_id=params['id'], name=params['name'],
                                     extension_type=params['extension_type'], include_deployments=params['include_deployments'],
                                     urls=urls)
        return dict(extra, changed=False, extensions=extensions)

    run_or_fail(module, read)


if __name__ == '__main__':
    main()
