#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: deployment_plan
short_description: Wait for the pending plan changes of an ECE deployment, or cancel them
version_added: 0.3.0
description:
  - A plan change (for example one made by M(ece.platform.deployment_extensions) with
    O(ece.platform.deployment_extensions#module:wait=false)) runs for minutes in ECE. This module is the separate step that
    waits until the plan attempts pending now have ended and reports their outcome (O(state=finished)), or cancels
    them (O(state=cancelled)), the way to stop a plan change that should not go on.
  - It looks at every resource of the deployment (Elasticsearch, Kibana, and the others), or at the one O(ref_id)
    names. Only attempts that are pending when the task reads the deployment count; when none is, the task reports
    no attempts and changes nothing.
  - ECE may show a plan change as pending only a few seconds after it accepted it. Right after a task with
    O(ece.platform.deployment_extensions#module:wait=false), an attempt not shown yet is not seen.
author:
  - ece.platform maintainers (@ece-platform)
extends_documentation_fragment:
  - ece.platform.connection
  - ece.platform.attributes
attributes:
  check_mode:
    support: full
    details:
      - Cancels nothing and waits for nothing; RV(attempts) lists the attempts pending now, with status V(pending).
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - O(state=cancelled) changes something only while an attempt is pending; run again, it finds none.
options:
  deployment:
    description:
      - The deployment, by its id (32 hexadecimal characters) or by its exact name.
      - A name that several deployments carry fails and lists their ids. An empty value fails before any request.
    type: str
    required: true
  ref_id:
    description:
      - The C(ref_id) of one resource, for example V(main-elasticsearch).
      - By default, every resource of the deployment.
    type: str
  state:
    description:
      - V(finished) waits until each pending attempt has ended and reports its outcome. The task fails when one failed
        (the previous plan keeps running in that resource).
      - V(cancelled) cancels each pending attempt (gracefully, not C(force_delete)), then waits until ECE reports it
        ended. An attempt that ended with an error after the cancel is reported with status V(cancelled).
    type: str
    choices: [finished, cancelled]
    default: finished
  wait_timeout:
    description:
      - Seconds to wait for all the attempts together.
      - When the time is up the task fails and says that the outcome is unknown; the plan change goes on in ECE (a cancel
        already sent still applies). Under C(async), keep this below the C(async) limit.
    type: int
    default: 1800
notes:
  - A cancelled Elasticsearch plan change leaves the plan that ran before it; what a half-done change leaves behind is
    not documented by Elastic.
seealso:
  - module: ece.platform.deployment_extensions
  - name: ECE deployments API
    description: Elastic's reference for the deployments API, with the cancel of a pending plan.
    link: https://www.elastic.co/docs/api/doc/cloud-enterprise/group/endpoint-deployments
'''

EXAMPLES = r'''
- name: Start plan changes on several deployments without waiting
  ece.platform.deployment_extensions:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: "{{ item }}"
    extensions: [analysis-custom]
    wait: false
  loop: [search-prod, logs-prod]

- name: Then wait until each has ended, and fail if one failed
  ece.platform.deployment_plan:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: "{{ item }}"
    wait_timeout: 3600
  loop: [search-prod, logs-prod]

- name: Stop the plan change of one resource that should not go on
  ece.platform.deployment_plan:
    host: https://ece.example.com:12443
    api_key: "{{ ece_api_key }}"
    deployment: search-prod
    ref_id: main-elasticsearch
    state: cancelled
'''

RETURN = r'''
deployment:
  description: The deployment.
  returned: success
  type: dict
  sample:
    id: 0123456789abcdef0123456789abcdef
    name: search-prod
  contains:
    id:
      description: Id of the deployment.
      type: str
      returned: always
    name:
      description: Name of the deployment.
      type: str
      returned: always
attempts:
  description:
    - The plan attempts that were pending when the task read the deployment, with their outcome (in check mode, or
      on a timeout for those not ended, status V(pending)).
    - Empty when none was pending.
  returned: always, also when the task failed after reading the deployment
  type: list
  elements: dict
  sample:
    - resource: elasticsearch
      ref_id: main-elasticsearch
      attempt_id: 5b2a3c6e-7d0f-4d1e-9a55-0c6a1e0f4b21
      status: success
      duration_seconds: 184.2
      message: null
  contains:
    resource:
      description: The kind of the resource, for example V(elasticsearch) or V(kibana).
      type: str
      returned: always
    ref_id:
      description: The C(ref_id) of the resource.
      type: str
      returned: always
    attempt_id:
      description: Id of the plan attempt.
      type: str
      returned: always
    status:
      description: V(success), V(error), V(cancelled) (ended with an error after this task cancelled it), or V(pending).
      type: str
      returned: always
    duration_seconds:
      description: How long the attempt took, from ECE's start and end times; V(null) while it runs.
      type: float
      returned: always
    message:
      description: The plan's last message when it ended with an error, else V(null).
      type: str
      returned: always
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
method:
  description: HTTP method of the failed API request.
  returned: on API failure
  type: str
  sample: DELETE
url:
  description: URL of the failed API request.
  returned: on API failure
  type: str
'''

from ansible_collections.ece.platform.plugins.module_utils._connection import client_from_module
from ansible_collections.ece.platform.plugins.module_utils._module import ece_module, run_or_fail
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import DeploymentsApi
from ansible_collections.ece.platform.plugins.module_utils._plan_control import PlanControl


def main():
    module = ece_module(
        argument_spec=dict(
            deployment=dict(type='str', required=True),
            ref_id=dict(type='str'),
            state=dict(type='str', choices=['finished', 'cancelled'], default='finished'),
            wait_timeout=dict(type='int', default=1800),
        ),
        supports_check_mode=True,
    )

    def control():
        client = client_from_module(module)
        return PlanControl(DeploymentsApi(client, check_mode=module.check_mode), module.params, warn=module.warn).run()

    run_or_fail(module, control)


if __name__ == '__main__':
    main()
