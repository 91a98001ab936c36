#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: deployment_extensions
short_description: Attach ECE extensions to a deployment, detach them, and reload them after a change
version_added: 0.2.0
description:
  - An extension (custom plugin or bundle) does nothing until the Elasticsearch plan of a deployment references it.
    This module makes the plan of one deployment's Elasticsearch resource reference (O(state=present)) or no longer
    reference (O(state=absent)) the extensions you list, and can apply a no-op plan so that the nodes load an
    archive that changed after they started (O(reload)).
  - It reads the deployment with its plans and changes only the lists of extensions in the plan it sends
    (C(user_bundles) and C(user_plugins), entries matched by their C(url)). Entries added another way, for example in
    the ECE UI, stay, unless O(exclusive=true). Every other part of the plan is sent back as it was read.
  - Every look-up and check runs before the first write. When nothing needs to change, the module sends only reads
    and reports no change.
  - The update carries the version of the deployment it was computed from, so a change made by someone else in
    between is never overwritten. ECE then refuses the update; the module reads the deployment again and computes
    the change anew (up to three times).
  - A plan change takes minutes on a real ECE. With O(wait=true) the module polls until the plan attempt it started
    has ended (the first polls, about 2 seconds apart and growing to 30 seconds, may find nothing pending yet, which is
    not taken as the end). A failed plan fails the task with the plan's own message, its C(failure_type) and attempt
    id; the previous plan keeps running.
author:
  - ece.platform maintainers (@ece-platform)
extends_documentation_fragment:
  - ece.platform.connection
  - ece.platform.attributes
attributes:
  check_mode:
    support: full
    details:
      - Sends no write. When a plan change is pending, check mode does not wait for it and predicts from its plan.
  diff_mode:
    support: full
    details:
      - C(before) and C(after) hold C(user_bundles) and C(user_plugins) of the plan, the same lists of each topology
        element that has any (C(cluster_topology)), and, after, C(reload) with the names a reload loads.
  idempotent:
    support: partial
    details:
      - Idempotent, except with O(reload=always), which applies a plan change on every run.
options:
  deployment:
    description:
      - The deployment, by its id (32 hexadecimal characters) or by its exact name.
      - A name that several deployments carry fails and lists their ids.
      - An empty value fails before any request.
    type: str
    required: true
  ref_id:
    description:
      - The C(ref_id) of the Elasticsearch resource, for example V(main-elasticsearch).
      - By default the deployment's only Elasticsearch resource; when it has several, the task fails and lists them.
    type: str
  extensions:
    description:
      - The extensions to attach or detach. Each is the name of an extension (a string), or a dict with the keys
        C(name) or C(id) (or both), and optionally C(elasticsearch_version) and C(replaces).
      - They are looked up through the extensions API, which gives their type (a plugin goes into C(user_plugins), a
        bundle into C(user_bundles)) and their C(url) (V(repo://<id>)), the value the plan references them by.
      - A name that no extension carries fails with O(state=present). With O(state=absent) it detaches the plan entries
        labelled with it (an entry keeps the name the extension had when it was attached; a warning says when the
        extension was renamed since), and is otherwise ignored. With O(state=absent), an C(id) that ECE no longer
        knows still detaches V(repo://<id>).
      - When several extensions carry the name (one build of a plugin per Elasticsearch version), the one that fits
        the deployment is chosen (version added in 0.3.0), a plugin whose C(version) equals the Elasticsearch version
        of the plan, a bundle whose C(version) matches it (a wildcard such as V(8.*) included). When none or several fit,
        the task fails before any write and lists the candidates with their ids and versions; give the C(id) then.
        With O(state=absent), such a name detaches those of its extensions that the plan references.
      - C(elasticsearch_version) is the value of the plan entry and defaults to the extension's C(version). For a
        bundle it may also be a wildcard that matches the plan's version, such as V(8.*) or V(*). An entry already in
        the plan keeps its value unless C(elasticsearch_version) is given, or its value no longer matches the plan.
      - C(replaces) (version added in 0.3.0) is a list of extension names or ids, or plan entry labels. Their plan
        entries are detached in the same plan change that attaches this item (one update, so the deployment never
        runs with neither or both). A name stands for every extension of that name, except the item itself. Only
        with O(state=present). A reference that matches no extension and no plan entry fails before any write while
        this item is still to be attached (a misspelt reference would leave the old build attached next to the new
        one), and gets a warning once it is attached.
      - With O(state=present), an extension must have an archive (C(file_metadata)), and its version must match the
        Elasticsearch version of the plan, also when it is already attached; a plugin's own C(version) must equal it
        whatever C(elasticsearch_version) says. Else the task fails before anything is sent, naming both versions.
    type: list
    elements: raw
    default: []
  state:
    description:
      - V(present) attaches the listed extensions; V(absent) detaches them.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also detach every extension (and every other plugin or bundle entry) that
        O(extensions) does not list.
      - With an empty O(extensions) the task fails before any request, unless O(allow_empty=true).
      - Not allowed with O(state=absent).
    type: bool
    default: false
  allow_empty:
    description:
      - With O(exclusive=true), accept an empty O(extensions), which detaches every plugin and bundle from the
        deployment. Without it such a task fails before any request, so that an empty or misspelt variable cannot
        strip a deployment of its extensions.
    type: bool
    default: false
  reload:
    description:
      - Nodes load extensions when they start, so after an attached extension's archive changed they keep the old copy
        until a plan change restarts them.
      - V(never) applies no plan change for that. When attached extensions are stale (their archive was stored after
        the running plan started), the task warns and names them.
      - V(stale) applies a no-op plan (a rolling restart) when attached extensions are stale, so the nodes load the new
        archives. When the lists change too, the one plan change does both.
      - V(always) applies a plan change on every run. The task then reports a change every time.
    type: str
    choices: [never, stale, always]
    default: never
  strategy:
    description:
      - How ECE applies this plan change, sent in C(plan.transient.strategy) of this change only. Unset, ECE's default.
      - V(autodetect) lets ECE choose; V(grow_and_shrink) creates new instances, moves the data and removes the old ones
        (the safest, slow on big clusters); V(rolling_grow_and_shrink) does that one instance at a time.
      - V(rolling) changes the instances in place, one at a time (C(group_by) C(__name__)); V(rolling_zone) one zone at
        a time (C(group_by) C(logical_zone_name)); V(rolling_all) all at once (C(group_by) C(__all__), the fastest, with
        downtime).
      - Not used when no plan change is needed, and not part of the comparison that decides whether one is.
    type: str
    choices: [autodetect, grow_and_shrink, rolling_grow_and_shrink, rolling, rolling_zone, rolling_all]
    version_added: 0.3.0
  wait:
    description:
      - Wait until the plan change has ended, and fail if it failed.
      - With V(false), the task returns once ECE accepted the change and it shows as a pending plan attempt
        (looked for up to 30 seconds; a warning says when it did not show), with RV(plan.status=pending). A later
        M(ece.platform.deployment_plan) task waits for it (or cancels it) and reports its outcome.
      - A plan change already pending at the start is always waited for (ECE accepts no other one meanwhile).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for plan changes in total, a plan already pending at the start included.
      - When the time is up the task fails; the plan change goes on in ECE. Under C(async), keep this below the
        C(async) limit.
    type: int
    default: 1800
notes:
  - The plan entries are written at the plan level (C(plan.elasticsearch)). An extension listed in a topology element
    counts as attached, and O(state=absent), O(exclusive=true) or C(replaces) removes it there too. The entry that
    replaces it is written at the plan level.
  - The update sends this Elasticsearch resource only, with C(prune_orphans=false), so the deployment's other
    resources stay as they are. C(transient) settings of the plan read are not sent again.
  - Long plan changes can run under C(async) with C(poll), for example C(async=3600) and C(poll=30).
  - Elastic recommends creating a new extension rather than changing the archive of one in use; O(reload=stale)
    is for when you changed it anyway.
seealso:
  - module: ece.platform.deployment_plan
  - module: ece.platform.extension
  - module: ece.platform.extension_info
  - name: ECE deployments API
    description: Elastic's reference for the deployments API.
    link: https://www.elastic.co/docs/api/doc/cloud-enterprise/group/endpoint-deployments
'''

EXAMPLES = r'''
- name: Attach a bundle and a plugin to a deployment, found by name
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    extensions:
      - synonyms
      - analysis-custom

- name: Attach a bundle by id with the stack version in its plan entry, without waiting for the plan
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: 0123456789abcdef0123456789abcdef
    ref_id: main-elasticsearch
    extensions:
      - id: "4226448541"
        elasticsearch_version: 8.15.1
    wait: false

- name: Make these two the only extensions of the deployment, and reload the ones whose archive changed
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    extensions: [synonyms, analysis-custom]
    exclusive: true
    reload: stale
  async: 3600
  poll: 30

- name: Swap a faulty build for a fixed one in one plan change, one instance at a time
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    extensions:
      - name: analysis-custom-fixed
        replaces: [analysis-custom]
    strategy: rolling

- name: Attach by name the build of a plugin that fits each deployment's Elasticsearch version
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: "{{ item }}"
    extensions: [analysis-custom]
    wait: false
  loop: [search-prod, search-staging]

- name: Detach an extension
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    extensions: [old-synonyms]
    state: absent
'''

RETURN = r'''
deployment:
  description: The deployment and the Elasticsearch resource acted on.
  returned: always
  type: dict
  sample:
    id: 0123456789abcdef0123456789abcdef
    name: search-prod
    ref_id: main-elasticsearch
  contains:
    id:
      description: Id of the deployment.
      type: str
      returned: always
    name:
      description: Name of the deployment.
      type: str
      returned: always
    ref_id:
      description: C(ref_id) of the Elasticsearch resource.
      type: str
      returned: always
user_bundles:
  description:
    - The bundles the plan references after the task (plan level), each C(name), C(url) and C(elasticsearch_version).
    - In check mode, the predicted list.
  returned: success
  type: list
  elements: dict
  sample:
    - name: synonyms
      url: repo://5886113212
      elasticsearch_version: 8.*
user_plugins:
  description:
    - The plugins the plan references after the task (plan level), each C(name), C(url) and C(elasticsearch_version).
    - In check mode, the predicted list.
  returned: success
  type: list
  elements: dict
  sample:
    - name: analysis-custom
      url: repo://4226448541
      elasticsearch_version: 8.15.1
attached:
  description: Names (as the plan entries label them) of the extensions the task attached; in check mode, would attach.
  returned: success
  type: list
  elements: str
  sample: [synonyms]
detached:
  description: Names (as the plan entries label them) of the extensions the task detached; in check mode, would detach.
  returned: success
  type: list
  elements: str
  sample: []
reloaded:
  description:
    - Names of the stale extensions whose new archive the plan change loads (any plan change restarts the nodes).
      Empty when no plan change was made.
  returned: success
  type: list
  elements: str
  sample: [synonyms]
stale:
  description:
    - Names of attached extensions whose archive was stored after the running plan started, so the nodes run an
      older copy. After a successful plan change, normally empty.
  returned: success
  type: list
  elements: str
  sample: [synonyms]
plan:
  description: The plan change the task made.
  returned: when a plan change was made (not in check mode), also when it failed or timed out
  type: dict
  sample:
    attempt_id: 5b2a3c6e-7d0f-4d1e-9a55-0c6a1e0f4b21
    status: success
    duration_seconds: 184.2
  contains:
    attempt_id:
      description: Id of the plan attempt; V(null) with O(wait=false) when ECE did not show it yet.
      type: str
      returned: always
    status:
      description: V(success), V(error), or V(pending) (with O(wait=false), or when O(wait_timeout) was reached).
      type: str
      returned: always
    duration_seconds:
      description: How long the attempt took, from ECE's start and end times; V(null) while it runs.
      type: float
      returned: always
    message:
      description: The plan's last message, when it failed.
      type: str
      returned: when RV(plan.status=error)
    failure_type:
      description: ECE's C(failure_type) of the failed plan, for example C(ClusterFailure:InstanceDidNotStartWhileWaitingForRunning).
      type: str
      returned: when RV(plan.status=error)
diff:
  description:
    - C(before) and C(after), each with the C(user_bundles) and C(user_plugins) of the plan (plan level) and
      C(cluster_topology), the C(id), C(user_bundles) and C(user_plugins) of each topology element that lists an
      extension on either side (left out when none does).
    - When the change reloads extensions (a rolling restart, O(reload)), C(after) has C(reload), the names it loads (version added in 0.3.0).
    - Topology elements in the diff were added in version 0.3.0.
  returned: in diff mode
  type: dict
status:
  description: HTTP status of the failed API request.
  returned: on API failure
  type: int
  sample: 404
errors:
  description: ECE's list of errors (C(code), C(message), C(fields)) as sent.
  returned: on API failure
  type: list
  elements: dict
  sample:
    - code: deployments.deployment_not_found
      message: The Deployment specified by 0123456789abcdef0123456789abcdef cannot be found.
method:
  description: HTTP method of the failed API request.
  returned: on API failure
  type: str
  sample: PUT
url:
  description: URL of the failed API request.
  returned: on API failure
  type: str
  sample: https://ece.example.com:12443/api/v1/deployments/0123456789abcdef0123456789abcdef
'''

from ansible_collections.ece.platform.plugins.module_utils._connection import client_from_module
from ansible_collections.ece.platform.plugins.module_utils._module import ece_module, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._deployment_extensions import DeploymentExtensions
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import DeploymentsApi
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi
from ansible_collections.ece.platform.plugins.module_utils._plan_strategy import CHOICES as STRATEGY_CHOICES


def main():
    module = ece_module(
        argument_spec=dict(
            deployment=dict(type='str', required=True),
            ref_id=dict(type='str'),
            extensions=dict(type='list', elements='raw', default=[]),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            exclusive=dict(type='bool', default=False),
            allow_empty=dict(type='bool', default=False),
            reload=dict(type='str', choices=['never', 'stale', 'always'], default='never'),
            strategy=dict(type='str', choices=list(STRATEGY_CHOICES)),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=1800),
        ),
        supports_check_mode=True,
    )

    def converge():
        client = client_from_module(module)
        result = DeploymentExtensions(DeploymentsApi(client, check_mode=module.check_mode), ExtensionsApi(client, check_mode=module.check_mode),
                                      module.params, warn=module.warn).run()
        if not module._diff:
            result.pop('diff', None)
        return result

    run_or_fail(module, converge)


if __name__ == '__main__':
    main()
