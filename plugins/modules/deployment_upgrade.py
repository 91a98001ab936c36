#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: deployment_upgrade
short_description: Upgrade an ECE deployment to another Elastic Stack version, carrying its plugins across
version_added: 0.3.0
description:
  - Moves the Elasticsearch resource of one deployment, and by default every other resource of it (Kibana, Integrations
    Server, APM, Enterprise Search), to the Elastic Stack version O(version), in one plan change.
  - A custom plugin is built for one exact Elasticsearch version. In the same plan change, each attached plugin is swapped
    for its build for the target, by default the extension with the same name whose C(version) equals the target; O(extensions)
    names other builds. Each attached bundle stays, and its plan entry's C(elasticsearch_version) moves to the target where it
    no longer matches it; the bundle's extension C(version) (a wildcard such as V(8.*)) must cover the target.
  - Before anything is sent, every check runs, and every problem found is reported at once with its fix. The target must be
    an available stack version of this ECE (else the message lists the available ones) that the running version may
    upgrade to (its C(upgradable_to)); no downgrade; a major upgrade only with O(allow_major=true); every enabled built-in
    plugin must exist at the target; every attached plugin must have a build for the target, and every build an archive;
    every attached bundle must cover the target.
  - The update sends the running plan with only the versions and those entries changed, and carries the version of the
    deployment it was computed from, so a change made by someone else in between is never overwritten. ECE then refuses
    the update; the module reads the deployment again and computes the change anew (up to three times).
  - With O(wait=true) the module waits for the plan attempt of every resource the change started, Elasticsearch first. When
    one fails, the task fails naming the resource, the step and the plan's own message, and says what runs now. ECE rolls
    a failed Elasticsearch change back; when a later Kibana step failed, Elasticsearch stays upgraded. Running the task
    again moves only what is not at the target yet.
author:
  - ece.platform maintainers (@ece-platform)
extends_documentation_fragment:
  - ece.platform.connection
  - ece.platform.attributes
attributes:
  check_mode:
    support: full
    details:
      - Sends the update with C(validate_only=true), which ECE checks without changing anything, and reports what ECE said
        in RV(validation). No other request but reads.
  diff_mode:
    support: full
    details:
      - C(before) and C(after) hold the versions of the resources and the C(user_plugins) and C(user_bundles) of the plan.
  idempotent:
    support: full
options:
  deployment:
    description:
      - The deployment, by its id (32 hexadecimal characters) or by its exact name.
      - A name that several deployments carry fails and lists their ids.
    type: str
    required: true
  version:
    description:
      - The target Elastic Stack version, for example V(8.16.0).
    type: str
    required: true
  extensions:
    description:
      - Builds to use at the target instead of the automatic choice. Each is an extension name or id (a string), or a dict
        with C(name) or C(id) (or both) and optionally C(replaces).
      - C(replaces) is a list of names or ids of attached extensions whose plan entries this build takes over. Without it, the
        build replaces the attached extension of the same name and type.
      - A name that several extensions carry selects the one that fits the target (a plugin whose C(version) equals it, a
        bundle whose C(version) covers it); none or several such fail, listing the candidates.
      - An item that replaces nothing attached fails; to attach a new extension, use M(ece.platform.deployment_extensions).
    type: list
    elements: raw
    default: []
  resources:
    description:
      - V(all) moves every resource of the deployment (Kibana, Integrations Server, APM, Enterprise Search) to the target
        in the same plan change as Elasticsearch.
      - V(elasticsearch) moves only the Elasticsearch resource.
    type: str
    choices: [all, elasticsearch]
    default: all
  allow_major:
    description:
      - Allow a major upgrade, for example from 8.x to 9.x. Without it, such a task fails before anything is sent.
    type: bool
    default: false
  strategy:
    description:
      - The plan strategy of this change (C(transient.strategy) of the Elasticsearch plan); unset, ECE's default.
      - V(autodetect), V(grow_and_shrink), V(rolling_grow_and_shrink), V(rolling) (one instance at a time,
        C(group_by=__name__)), V(rolling_zone) (zone by zone, C(group_by=logical_zone_name)) or V(rolling_all) (every
        instance at once, C(group_by=__all__)).
      - On a major upgrade a rolling strategy is sent with C(group_by=__all__), as ECE requires; RV(strategy) says so.
    type: str
    choices: [autodetect, grow_and_shrink, rolling_grow_and_shrink, rolling, rolling_zone, rolling_all]
  wait:
    description:
      - Wait until the plan attempt of every resource has ended, and fail if one failed.
      - With V(false), the task returns once ECE accepted the change and it shows as a pending plan attempt
        (looked for up to 30 seconds; a warning says when it did not show), with RV(plan.status=pending). A later
        M(ece.platform.deployment_plan) task waits for it (or cancels it) and reports its outcome.
      - Plan changes already pending at the start are always waited for (ECE accepts no other one meanwhile).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for plan changes in total, those already pending at the start included.
      - When the time is up the task fails; the plan change goes on in ECE.
    type: int
    default: 3600
notes:
  - The update carries C(prune_orphans=false), so resources it does not send stay as they are. C(transient) settings of the
    plan read are not sent again.
  - Upgrades take long on a real ECE; run the task under C(async) with C(poll) when that suits, and keep O(wait_timeout) below
    the C(async) limit.
  - Create the build of each plugin for the target first, as a separate extension of the same name (M(ece.platform.extension)),
    so the running deployment keeps its build until the swap.
seealso:
  - module: ece.platform.deployment_extensions
  - module: ece.platform.extension
  - name: Upgrade on ECE
    description: Elastic's guide to upgrading deployments on Elastic Cloud Enterprise.
    link: https://www.elastic.co/docs/deploy-manage/upgrade/deployment-or-cluster/upgrade-on-ece
'''

EXAMPLES = r'''
- name: Upgrade a deployment to 8.16.0, swapping its plugin for the 8.16.0 build (an extension of the same name)
  ece.platform.deployment_upgrade:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    version: 8.16.0

- name: Check first what ECE says about it (sends the update with validate_only=true)
  ece.platform.deployment_upgrade:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    version: 8.16.0
  check_mode: true
  diff: true

- name: A major upgrade, rolling, with a plugin build of another name taking over the old plugin's entry
  ece.platform.deployment_upgrade:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    version: 9.1.0
    allow_major: true
    strategy: rolling
    extensions:
      - name: analysis-custom-v2
        replaces: [analysis-custom]
  async: 7200
  poll: 60
'''

RETURN = r'''
deployment:
  description: The deployment and its Elasticsearch resource.
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
previous_version:
  description: The Elasticsearch version the deployment ran before the task.
  returned: success
  type: str
  sample: 8.15.1
version:
  description: The target version (O(version)).
  returned: success
  type: str
  sample: 8.16.0
resources:
  description:
    - Resource kind to the version it runs after the task (in check mode and with O(wait=false), before it).
    - With O(resources=elasticsearch), Elasticsearch only.
  returned: success
  type: dict
  sample:
    elasticsearch: 8.16.0
    kibana: 8.16.0
swapped:
  description: The plan entries that changed extension, each C(from) and C(to) with C(name) and C(id).
  returned: success
  type: list
  elements: dict
  sample:
    - from: {name: analysis-custom, id: "4226448541"}
      to: {name: analysis-custom, id: "4226448599"}
strategy:
  description: The plan strategy sent, when O(strategy) was given.
  returned: when O(strategy) was given and a plan change was computed
  type: dict
  contains:
    requested:
      description: O(strategy) as given.
      type: str
      returned: always
    sent:
      description: The C(transient.strategy) object sent.
      type: dict
      returned: always
    note:
      description: Why the strategy sent differs from the one requested (a rolling major upgrade groups by C(__all__)), else V(null).
      type: str
      returned: always
  sample:
    requested: rolling
    sent: {rolling: {group_by: __all__}}
    note: strategy rolling was sent as rolling with group_by __all__ (every instance at once)
validation:
  description: ECE's C(diagnostics) from the update sent with C(validate_only=true).
  returned: in check mode, when a change would be made
  type: dict
  sample: {}
plan:
  description: The plan change the task made; V(null) when none was made.
  returned: success, and when a plan change failed or timed out
  type: dict
  contains:
    status:
      description: V(success), V(error), or V(pending) (with O(wait=false)).
      type: str
      returned: always
    attempts:
      description:
        - Resource kind to its attempt, with C(attempt_id), C(status), C(duration_seconds), and when it failed C(message),
          C(failure_type) and C(step) (the step that failed).
      type: dict
      returned: always
  sample:
    status: success
    attempts:
      elasticsearch: {attempt_id: 5b2a3c6e-7d0f-4d1e-9a55-0c6a1e0f4b21, status: success, duration_seconds: 812.4, step: null}
      kibana: {attempt_id: 0f9e1c2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f, status: success, duration_seconds: 95.1, step: null}
problems:
  description: Every problem the checks found, each with its fix (also joined in C(msg)).
  returned: when the checks refused the upgrade
  type: list
  elements: str
diff:
  description: C(before) and C(after), each with C(versions) (kind to version) and the C(user_plugins) and C(user_bundles) of the plan.
  returned: in diff mode
  type: dict
status:
  description: HTTP status of the failed API request.
  returned: on API failure
  type: int
  sample: 400
errors:
  description: ECE's list of errors (C(code), C(message), C(fields)) as sent.
  returned: on API failure
  type: list
  elements: dict
method:
  description: HTTP method of the failed API request.
  returned: on API failure
  type: str
  sample: PUT
url:
  description: URL of the failed API request.
  returned: on API failure
  type: str
'''

from ansible_collections.ece.platform.plugins.module_utils._argspec import client_from_module, ece_module, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._deployment_upgrade import DeploymentUpgrade
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import DeploymentsApi
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import ExtensionsApi
from ansible_collections.ece.platform.plugins.module_utils._plan_strategy import CHOICES as STRATEGY_CHOICES
from ansible_collections.ece.platform.plugins.module_utils._stack_versions_api import StackVersionsApi


def main():
    module = ece_module(
        argument_spec=dict(
            deployment=dict(type='str', required=True),
            version=dict(type='str', required=True),
            extensions=dict(type='list', elements='raw', default=[]),
            resources=dict(type='str', choices=['all', 'elasticsearch'], default='all'),
            allow_major=dict(type='bool', default=False),
            strategy=dict(type='str', choices=STRATEGY_CHOICES),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=3600),
        ),
        supports_check_mode=True,
    )

    def converge():
        client = client_from_module(module)
        result = DeploymentUpgrade(DeploymentsApi(client, check_mode=module.check_mode), ExtensionsApi(client, check_mode=module.check_mode),
                                   StackVersionsApi(client),
                                   module.params, warn=module.warn).run()
        if not module._diff:
            result.pop('diff', None)
        return result

    run_or_fail(module, converge)


if __name__ == '__main__':
    main()
