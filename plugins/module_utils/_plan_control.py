# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the pending plan attempts of a deployment (ece.platform.deployment_plan).

The separate step after a plan change made with `wait: false`, and the way to stop one that should not go
on: find the attempts pending now, in every resource of the deployment (or the one `ref_id` names), then
either wait until each has ended and report its outcome (`finished`), or cancel each and report how it
ended (`cancelled`). Waiting reuses the plan waiter of deployment_extensions (_plan_wait.py).
"""

from __future__ import annotations

import time

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import deployment_label
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import attempt_key, duration, plans_of
from ansible_collections.ece.platform.plugins.module_utils._plan_wait import PlanTimeout, PlanWaiter

# Every resource kind a deployment holds, in ECE's order (an upgrade runs Elasticsearch first).
KINDS = ('elasticsearch', 'kibana', 'apm', 'appsearch', 'enterprise_search', 'integrations_server')


def resources_of(deployment, ref_id=None):
    """[(kind, resource)] of every resource of the deployment, or of those whose ref_id is `ref_id`; fails naming
    the ref_ids when `ref_id` matches none."""
    found = []
    for kind in KINDS:
        for resource in (deployment.get('resources') or {}).get(kind) or []:
            found.append((kind, resource))
    if ref_id is None:
        return found
    chosen = [(kind, resource) for kind, resource in found if resource.get('ref_id') == ref_id]
    if not chosen:
        raise EceError('Deployment %s has no resource with ref_id %s; it has %s.'
                       % (deployment_label(deployment), ref_id,
                          ', '.join('%s %s' % (kind, res.get('ref_id')) for kind, res in found) or 'none'))
    return chosen


def pending_attempts(deployment, ref_id=None):
    """[(kind, ref_id, attempt)] of the attempts pending now."""
    pending = []
    for kind, resource in resources_of(deployment, ref_id):
        attempt = plans_of(resource).get('pending')
        if attempt:
            pending.append((kind, resource.get('ref_id'), attempt))
    return pending


def _without_trace(attempt):
    """The outcome of a cancelled attempt that ECE no longer reports anywhere (register: cancelled-attempt)."""
    return dict(attempt_id=attempt.get('plan_attempt_id'), status='cancelled', duration_seconds=None,
                message='Cancelled; ECE keeps no record of the attempt, so its duration is unknown.')


def reported(kind, ref_id, attempt_id, status, seconds=None, message=None):
    return dict(resource=kind, ref_id=ref_id, attempt_id=attempt_id, status=status, duration_seconds=seconds, message=message)


class PlanControl:
    """Runs one task of ece.platform.deployment_plan; returns the module result or raises EceError."""

    def __init__(self, deployments, params, warn=None, clock=time.monotonic, sleep=time.sleep):
        self.deployments = deployments
        self.params = params
        self.warn = warn or (lambda msg: None)
        self.clock = clock
        self.sleep = sleep
        self.check_mode = deployments.check_mode

    def run(self):
        params = self.params
        if not str(params['deployment'] or '').strip():
            raise EceError('Option deployment is empty; give the id (32 hexadecimal characters) or the exact name of a '
                           'deployment. Nothing was sent to ECE.')
        if params['wait_timeout'] < 0:
            raise EceError('Option wait_timeout must not be negative, not %s.' % params['wait_timeout'])
        deadline = self.clock() + params['wait_timeout']
        deployment, _version = self.deployments.find(params['deployment'])
        label = deployment_label(deployment)
        pending = pending_attempts(deployment, params['ref_id'])
        cancel = params['state'] == 'cancelled'
        result = dict(changed=False, deployment=dict(id=deployment.get('id'), name=deployment.get('name')),
                      attempts=[reported(kind, ref_id, attempt.get('plan_attempt_id'), 'pending', duration(attempt))
                                for kind, ref_id, attempt in pending])
        if not pending:
            result['msg'] = 'No plan change of deployment %s is pending%s.' % (
                label, ' in resource %s' % params['ref_id'] if params['ref_id'] else '')
            return result
        if self.check_mode:
            # Nothing is cancelled and nothing is waited for: the pending attempts as they are now.
            result['changed'] = cancel
            result['msg'] = '%d plan attempt%s of deployment %s pending; %s.' % (
                len(pending), 's are' if len(pending) > 1 else ' is', label,
                'the real run cancels them' if cancel else 'the real run waits until they end')
            return result
        if cancel:
            for kind, ref_id, _attempt in pending:
                self.deployments.cancel_pending(deployment['id'], kind, ref_id, label=label)
            result['changed'] = True
        result['attempts'] = self._outcomes(deployment, label, pending, deadline, cancel, result)
        return self._conclude(result, label, cancel)

    def _outcomes(self, deployment, label, pending, deadline, cancelled, result):
        outcomes: list[dict] = []
        for kind, ref_id, attempt in pending:
            waiter = PlanWaiter(self._reader(deployment, label, kind, ref_id), label, clock=self.clock, sleep=self.sleep)
            key = attempt_key(attempt)
            try:
                ended, _info = waiter.wait(lambda found, key=key: attempt_key(found) == key, deadline,
                                           what='the plan attempt of %s %s' % (kind, ref_id),
                                           vanished=(lambda attempt=attempt: _without_trace(attempt)) if cancelled else None)
            except PlanTimeout as exc:
                done = [item['attempt_id'] for item in outcomes]
                rest = [reported(k, r, a.get('plan_attempt_id'), 'pending') for k, r, a in pending
                        if a.get('plan_attempt_id') not in done]
                raise PlanTimeout('%s Its outcome is unknown%s. Run ece.platform.deployment_plan again to wait for it, or with '
                                  'state=cancelled to stop it.'
                                  % (exc.msg, ' (the cancel was sent)' if cancelled else ''),
                                  changed=result['changed'], deployment=result['deployment'], attempts=outcomes + rest) from None
            status = ended['status']
            if cancelled and status == 'error':
                # Assumption (register: cancelled-attempt): a cancelled attempt ends unhealthy with an error in the
                # history; one that failed on its own just before the cancel arrived cannot be told apart, and is
                # reported cancelled too. Under the other reading it leaves no trace (_without_trace).
                status = 'cancelled'
            outcomes.append(reported(kind, ref_id, ended['attempt_id'], status, ended['duration_seconds'], ended.get('message')))
        return outcomes

    def _reader(self, deployment, label, kind, ref_id):
        def read(history):
            body, _version = self.deployments.get(deployment['id'], history=history, logs=True)
            if body is None:
                raise EceError('Deployment %s was deleted while this task waited for its plan.' % label)
            for found_kind, resource in resources_of(body):
                if found_kind == kind and resource.get('ref_id') == ref_id:
                    return plans_of(resource)
            raise EceError('The %s resource %s of deployment %s was removed while this task waited for its plan.'
                           % (kind, ref_id, label))
        return read

    def _conclude(self, result, label, cancelled):
        failed = [item for item in result['attempts'] if item['status'] == 'error']
        words = ', '.join('%s %s %s' % (item['resource'], item['ref_id'], item['status']) for item in result['attempts'])
        if failed and not cancelled:
            reasons = '; '.join('%s %s (attempt %s): %s' % (item['resource'], item['ref_id'], item['attempt_id'], item['message'])
                                for item in failed)
            where = ', '.join('%s %s' % (item['resource'], item['ref_id']) for item in failed)
            raise EceError('A plan change of deployment %s failed: %s. The previous plan keeps running in %s.'
                           % (label, reasons, where), **result)
        result['msg'] = '%s the pending plan %s of deployment %s: %s.' % (
            'Cancelled' if cancelled else 'Waited for', 'changes' if len(result['attempts']) > 1 else 'change', label, words)
        return result
