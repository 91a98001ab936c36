# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: deployments
short_description: Deployments of Elastic Cloud Enterprise as inventory hosts
version_added: 0.3.0
description:
  - One inventory host per ECE deployment, so that plays select deployments with groups, patterns and C(--limit),
    and roll changes across them with C(serial) and C(max_fail_percentage) (see the playbook
    C(ece.platform.rollout)).
  - Hosts are named by the deployment's name; a name that several deployments share gets C(_<first 8 characters of
    the id>) appended on each of them. Hosts are added in name order. Every host is in group C(ece_deployments).
  - "Host variables (none of them holds a credential) are C(ece_deployment_id), C(ece_deployment_name),
    C(ece_elasticsearch_version), C(ece_ref_id), C(ece_healthy), C(ece_tags) (a dictionary), C(ece_template_id),
    C(ece_user_plugins) and C(ece_user_bundles) (every entry of the current plan, plan level and topology elements,
    as the plan holds them), C(ece_extensions) (the names of the extensions those entries reference), C(ece_enabled_built_in_plugins),
    C(ece_pending) (a plan change is pending), C(ece_resources) (resource kind to version), and
    C(ansible_connection=local) with C(ansible_python_interpreter={{ ansible_playbook_python }}), so modules of this
    collection run on the controller without further settings."
  - "Requests: the pages of C(POST /api/v1/deployments/_search) sorted by id, one list of the extensions when a plan
    references C(repo://) extensions, and one light C(GET) per deployment whose search hit lacks its plan, at most
    O(concurrency) at a time. With a warm cache (O(cache)), none."
  - The configuration file name must end in C(ece.yml) or C(ece.yaml). An option or filter key this plugin does not
    know is an error, since an ignored typo could select the whole fleet.
author:
  - ece.platform maintainers (@ece-platform)
extends_documentation_fragment:
  - constructed
  - inventory_cache
requirements:
  - requests (Python library on the controller)
options:
  plugin:
    description: The name of this plugin; it marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [ece.platform.deployments]
  host:
    description:
      - Base URL of the ECE coordinator, for example V(https://ece.example.com:12443), as the modules' O(host).
      - Required, here or in the environment.
    type: str
    env:
      - name: EC_HOST
      - name: ECE_HOST
  api_key:
    description:
      - API key. Mutually exclusive with O(username) and O(password); one of O(api_key) and O(username) is required.
      - Prefer the environment (E(ECE_API_KEY)) or a vaulted value to writing the key into the file.
    type: str
    env:
      - name: EC_API_KEY
      - name: ECE_API_KEY
  username:
    description: User for basic authentication, with O(password).
    type: str
    env:
      - name: EC_USER
      - name: ECE_USER
  password:
    description: Password for O(username).
    type: str
    env:
      - name: EC_PASS
      - name: ECE_PASSWORD
  validate_certs:
    description: Verify the TLS certificate of O(host); to trust ECE's self-signed certificate, set O(ca_path) instead.
    type: bool
    default: true
    env:
      - name: ECE_VALIDATE_CERTS
  ca_path:
    description: PEM bundle with the CA certificate(s) that signed the certificate of O(host).
    type: path
    env:
      - name: ECE_CA_PATH
  timeout:
    description: Seconds to wait for each socket operation.
    type: float
    default: 60
    env:
      - name: EC_TIMEOUT
      - name: ECE_TIMEOUT
  retries:
    description: How many times a request is tried again after a transient failure (HTTP 429, 502, 503, 504, refused or reset connection).
    type: int
    default: 4
    env:
      - name: ECE_RETRIES
  retry_max_wait:
    description: Upper bound, in seconds, for the total time spent waiting between tries of one request.
    type: float
    default: 60
    env:
      - name: ECE_RETRY_MAX_WAIT
  filters:
    description:
      - Which deployments become hosts. Each key's list is an OR; O(filters.tags) needs every tag given; different keys
        combine with AND. A filter is sent to ECE's search where the API can express it and applied on the controller too.
    type: dict
    default: {}
    suboptions:
      name:
        description: Shell-style globs on the deployment name, for example V(search-*).
        type: list
        elements: str
      elasticsearch_version:
        description: Elasticsearch versions, exact (V(8.15.1)) or with wildcards (V(8.*)).
        type: list
        elements: str
      tags:
        description: 'Deployment metadata tags that must all be set to these values, for example V({team: search}).'
        type: dict
      extensions:
        description: Only deployments whose current plan uses one of these extensions, by name or id.
        type: list
        elements: str
  page_size:
    description:
      - Hits per search request (100 to 500 keeps each answer small and the number of requests low).
      - At most 10000, the most hits one search request returns.
    type: int
    default: 100
  concurrency:
    description: At most this many deployment reads at once, for the hits that lack their plan.
    type: int
    default: 8
notes:
  - Credentials never appear in host variables, the cache, C(ansible-inventory --list), or error messages.
  - Without a search cursor (ECE before 3.8) at most 10,000 deployments can be listed; the plugin then fails and asks
    for narrower filters.
seealso:
  - name: The guide chapter "Many deployments"
    description: Inventory files, rollouts, AWX/Automation Platform inventory sources.
    link: https://github.com/ece-platform/ece.platform/blob/main/docs/docsite/rst/fleet.rst
'''

EXAMPLES = r'''
# deployments.ece.yml: every deployment of the search team on 8.x, grouped by version
plugin: ece.platform.deployments
host: https://ece.example.com:12443
ca_path: /etc/pki/ece-ca.pem            # the API key comes from ECE_API_KEY
filters:
  name: [search-*]
  elasticsearch_version: ["8.*"]
  tags: {team: search}
  extensions: [analysis-custom]
keyed_groups:
  - key: ece_elasticsearch_version
    prefix: es
groups:
  busy: ece_pending
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ece-inventory
cache_timeout: 600
'''

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.ece.platform.plugins.module_utils._argspec import check_connection_rules, client_from_module
from ansible_collections.ece.platform.plugins.module_utils._client import HAS_REQUESTS
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.plugin_utils._inventory_fetch import CEILING, inventory_hosts
from ansible_collections.ece.platform.plugins.plugin_utils._inventory_query import check_filters

try:
    from ansible.template import trust_as_template  # ansible-core 2.19+: a templated inventory value must be trusted
except ImportError:  # older cores template every string
    def trust_as_template(value):
        return value

GROUP = 'ece_deployments'
CONNECTION_OPTIONS = ('host', 'api_key', 'username', 'password', 'validate_certs', 'ca_path', 'timeout', 'retries', 'retry_max_wait')


class _Settings:  # pylint: disable=too-few-public-methods
    """What client_from_module needs of a module: params and warn (the warning goes to the Display)."""

    def __init__(self, params, display):
        self.params, self._display = params, display

    def warn(self, msg):
        self._display.warning(msg)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = 'ece.platform.deployments'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('ece.yml', 'ece.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:
            config = self._read_config_data(path)
        except AnsibleParserError as exc:
            # The parser's context lines would quote the file, which may hold a key: keep the first line only.
            raise AnsibleParserError(str(exc.message).splitlines()[0] if str(exc.message) else 'cannot read %s' % path) from None
        unknown = sorted(str(key) for key in config if key not in self._options)
        if unknown:
            raise AnsibleParserError('%s: unknown option%s %s for ece.platform.deployments; see ansible-doc -t inventory '
                                     'ece.platform.deployments.' % (path, 's' if len(unknown) > 1 else '', ', '.join(unknown)))
        try:
            filters = check_filters(self.get_option('filters'))
            if self.get_option('page_size') < 1 or self.get_option('concurrency') < 1:
                raise EceError('Options page_size and concurrency must be at least 1.')
            if self.get_option('page_size') > CEILING:
                # Beyond the ceiling ECE answers part of the page or refuses: either would lose hosts or fail later.
                raise EceError('Option page_size must be at most %d (one search returns no more hits than that); '
                               '100 to 500 is best.' % CEILING)
        except EceError as exc:
            raise AnsibleParserError('%s: %s' % (path, exc.msg)) from None
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if hosts is None:
            hosts = self._fetch(filters)
        if update_cache:
            self._cache[cache_key] = hosts
        self._populate(hosts)

    def _connection_params(self):
        params = dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS)
        check_connection_rules(params)
        return params

    def _fetch(self, filters):
        if not HAS_REQUESTS:
            raise AnsibleParserError('ece.platform.deployments needs the Python library requests in the Python that runs Ansible.')
        try:
            settings = _Settings(self._connection_params(), self.display)
            client_from_module(settings)  # checks every option before a request (and warns once for validate_certs=false)
            settings.warn = lambda msg: None

            def make_client():
                return client_from_module(settings)
            return inventory_hosts(make_client, filters, self.get_option('page_size'), self.get_option('concurrency'))
        except EceError as exc:
            # The client's messages name the URL and ECE's errors, never a credential.
            raise AnsibleParserError('ece.platform.deployments: %s' % exc.msg) from None

    def _populate(self, hosts):
        strict = self.get_option('strict')
        self.inventory.add_group(GROUP)
        for name, variables in hosts.items():
            self.inventory.add_host(name, group=GROUP)
            host_vars = dict(variables, ansible_connection='local',
                             ansible_python_interpreter=trust_as_template('{{ ansible_playbook_python }}'))
            for key, value in host_vars.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option('compose'), host_vars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, name, strict=strict)
