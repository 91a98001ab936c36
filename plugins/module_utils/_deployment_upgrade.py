# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: move a deployment to another Stack version, its plugins carried across.

Order of work: validate the input; find the deployment; wait for plans already pending;
read what runs. When something is not at the target yet: every check (stack packs, path, major,
built-ins, a build for every plugin, bundles that cover the target, archives), all problems reported
at once, before any write. Then one update, guarded by the deployment's version (a conflict: read again
and recompute, bounded), carrying Elasticsearch and (with resources=all) every stateless resource at the
target. Check mode sends that update with validate_only=true instead. Then wait for each resource's
attempt started by it: Elasticsearch first; a failure names the resource, the step and the plan's
message, and says what runs now, so a re-run (which moves only what is not at the target) converges.

Assumption [I] (register: version-rules): whether ECE refuses a plugin whose version does not fit at the PUT,
only fails the plan at `validate-elasticsearch-plugin-versions`, or checks it with validate_only at all, is
not known. The module checks every entry itself before it sends anything, so it is safe under each
reading.
Assumption [O] (register: stateless-failure-keeps-elasticsearch): a failed Kibana step leaves Elasticsearch
upgraded. The module does not rely on it: after a failure it reads what each resource runs and reports
that (saying whether Elasticsearch kept the target), and a re-run moves only what is not at the target.
Assumption [I] (register: attempt-per-resource): an update carrying Elasticsearch and the stateless resources
starts one attempt per resource (each resource has its own plan tracker [C]); the module waits for each one,
Elasticsearch first. Where a resource's own attempt never shows, the wait ends at wait_timeout with a message
that says so (no success is reported).
"""

from __future__ import annotations

import time

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import deployment_label, es_resource, plan_version, running_plan
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import VersionConflict
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import attempt_key, known_attempts, plans_of, running_attempt
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import extension_lists
from ansible_collections.ece.platform.plugins.module_utils._plan_wait import PlanTimeout, PlanWaiter, not_shown
from ansible_collections.ece.platform.plugins.module_utils._upgrade_api import UpgradeWriter
from ansible_collections.ece.platform.plugins.module_utils._upgrade_plan import BuildChoice, parse_items, stateless_payload, upgraded_plan
from ansible_collections.ece.platform.plugins.module_utils._upgrade_report import failure_message, failed_step, versions_after
from ansible_collections.ece.platform.plugins.module_utils._upgrade_rules import (
    built_in_problems,
    is_major,
    parse_version,
    path_problems,
    strategy_for,
)

STATELESS_KINDS = ('kibana', 'integrations_server', 'apm', 'enterprise_search', 'appsearch')
MAX_CONFLICTS = 3


def stateless_resources(deployment):
    """[(kind, resource)] of every stateless resource the deployment has."""
    resources = deployment.get('resources') or {}
    return [(kind, res) for kind in STATELESS_KINDS for res in resources.get(kind) or []]


def resource_version(kind, resource, es_version):
    """The version a resource runs: its running plan's; a stateless one with a blank version follows Elasticsearch."""
    attempt = running_attempt(plans_of(resource)) or {}
    version = ((attempt.get('plan') or {}).get(kind) or {}).get('version')
    return version or es_version


class DeploymentUpgrade:
    """Runs one task of ece.platform.deployment_upgrade; returns the module result or raises EceError."""

    # pylint: disable-next=too-many-arguments
    def __init__(self, deployments, extensions, stacks, params, warn=None, clock=time.monotonic, sleep=time.sleep):
        self.deployments = deployments
        self.extensions = extensions
        self.stacks = stacks
        self.writer = UpgradeWriter(deployments)
        self.params = params
        self.target = str(params['version']).strip()
        self.warn = warn or (lambda msg: None)
        self.clock = clock
        self.sleep = sleep
        self.check_mode = deployments.check_mode
        self.deployment_id = None
        self._listed = None

    def run(self):
        params = self.params
        if parse_version(self.target) is None:
            raise EceError('Option version must be a Stack version like 8.16.0, not %r.' % params['version'])
        if params['wait_timeout'] < 0:
            raise EceError('Option wait_timeout must not be negative, not %s.' % params['wait_timeout'])
        items = parse_items(params['extensions'])
        deadline = self.clock() + params['wait_timeout']
        deployment, version = self.deployments.find(params['deployment'], history=True)
        self.deployment_id = deployment['id']
        deployment, version = self._after_pending(deployment, version, deadline)
        conflicts = 0
        while True:
            work = self._plan_work(deployment, items)
            if not work['payloads']:
                return work['result']
            body = {'prune_orphans': False, 'resources': work['payloads']}
            known = {kind: known_attempts(plans_of(res)) for kind, res in work['touched']}
            try:
                answer = self.writer.send(deployment['id'], body, version)
            except VersionConflict as exc:
                conflicts += 1
                if conflicts > MAX_CONFLICTS:
                    raise EceError('Deployment %s changed while this task upgraded it, %d times in a row; nothing was changed. Run the '
                                   'task again when nobody else changes the deployment. Last answer: %s'
                                   % (deployment_label(deployment), conflicts, exc.msg), **exc.details) from None
                fresh, fresh_version = self._read()
                if self._went_through(fresh, known):
                    break  # a retry after a lost answer met the version our own update had bumped: follow that update
                deployment, version = self._after_pending(fresh, fresh_version, deadline)
                continue
            except EceApiError as exc:
                if not self.check_mode:
                    raise
                raise EceError('ECE refused the upgrade of deployment %s to %s when validating it (validate_only): %s Nothing was changed.'
                               % (deployment_label(deployment), self.target, exc.ece_messages() or exc.msg), **exc.details) from None
            if self.check_mode:
                work['result']['validation'] = (answer or {}).get('diagnostics') or {}
                return work['result']
            break
        return self._after_update(work, known, deadline)

    # Reading

    def _read(self):
        deployment, version = self.deployments.get(self.deployment_id, history=True)
        if deployment is None:
            raise EceError('Deployment %s was deleted while this task upgraded it.' % self.params['deployment'])
        return deployment, version

    def _scope(self, deployment):
        """[(kind, resource)] the task moves: Elasticsearch, and with resources=all every stateless resource."""
        scope = [('elasticsearch', es_resource(deployment))]
        if self.params['resources'] == 'all':
            scope.extend(stateless_resources(deployment))
        return scope

    def _waiter(self, kind, ref_id):
        label = deployment_label({'id': self.deployment_id, 'name': self._name})

        def read(history):
            body, _version = self.deployments.get(self.deployment_id, history=history, logs=True)
            if body is None:
                raise EceError('Deployment %s was deleted while this task waited for its plan.' % label)
            found = [res for res in (body.get('resources') or {}).get(kind) or [] if res.get('ref_id') == ref_id]
            if not found:
                raise EceError('The %s resource %s of deployment %s disappeared while this task waited for its plan.' % (kind, ref_id, label))
            return plans_of(found[0])
        return PlanWaiter(read, '%s (%s)' % (label, kind), clock=self.clock, sleep=self.sleep)

    def _after_pending(self, deployment, version, deadline):
        """Plans already pending on the resources to move: wait for each (ECE refuses a change meanwhile), then read again."""
        self._name = deployment.get('name')
        pending = [(kind, res) for kind, res in self._scope(deployment) if plans_of(res).get('pending')]
        if not pending:
            return deployment, version
        if self.check_mode:
            self.warn('A plan change of deployment %s is pending; check mode does not wait for it and predicts from what runs now.'
                      % deployment_label(deployment))
            return deployment, version
        for kind, res in pending:
            key = attempt_key(plans_of(res)['pending'])
            waiter = self._waiter(kind, res.get('ref_id'))
            what = 'the %s plan change already pending at the start' % kind
            try:
                ended, _info = waiter.wait(lambda attempt, key=key: attempt_key(attempt) == key, deadline, what=what)
            except PlanTimeout as exc:
                raise PlanTimeout('%s This task sent nothing: ECE refuses a plan change while another one is pending.' % exc.msg) from None
            if ended['status'] == 'error':
                self.warn('The %s plan change of deployment %s that was pending at the start failed: %s'
                          % (kind, deployment_label(deployment), ended.get('message')))
        return self._read()

    def _listed_extensions(self):
        if self._listed is None:
            self._listed = self.extensions.list()
        return self._listed

    # Deciding

    def _plan_work(self, deployment, items):
        """{payloads, touched, result, ...}: what the update carries (empty when all is at the target) and the result so far."""
        es = es_resource(deployment)
        base = running_plan(deployment, es)
        current = plan_version(base)
        before = {kind: resource_version(kind, res, current) for kind, res in self._scope(deployment)}
        before['elasticsearch'] = current
        result = dict(changed=False, deployment=dict(id=deployment.get('id'), name=deployment.get('name'), ref_id=es.get('ref_id')),
                      previous_version=current, version=self.target, resources=dict(before), swapped=[], plan=None)
        moving = [(kind, res) for kind, res in self._scope(deployment) if before[kind] != self.target]
        lists = extension_lists(base)
        result['diff'] = dict(before=dict(versions=dict(before), **lists), after=dict(versions=dict(before), **lists))
        if not moving:
            return dict(payloads={}, touched=[], result=result)
        payloads, touched = {}, []
        es_moves = current != self.target
        strategy, note = strategy_for(self.params.get('strategy'), is_major(current, self.target))
        if es_moves:
            choice = self._check(deployment, base, current, items)
            new_plan = upgraded_plan(base, self.target, choice.swaps, strategy)
            payloads['elasticsearch'] = [{'ref_id': es.get('ref_id'), 'region': es.get('region'), 'plan': new_plan}]
            touched.append(('elasticsearch', es))
            result['swapped'] = choice.swapped()
            result['diff']['after'].update(extension_lists(new_plan))
        elif items:
            self.warn('Elasticsearch of deployment %s runs %s already, so option extensions is not used; only the other resources move.'
                      % (deployment_label(deployment), self.target))
        if strategy is not None:
            result['strategy'] = dict(requested=self.params['strategy'], sent=strategy, note=note)
        for kind, res in moving:
            if kind == 'elasticsearch':
                continue
            if parse_version(before[kind]) and parse_version(before[kind]) > parse_version(self.target):
                raise EceError('The %s of deployment %s runs %s, newer than %s; it cannot be downgraded. Nothing was sent.'
                               % (kind, deployment_label(deployment), before[kind], self.target))
            attempt = running_attempt(plans_of(res)) or {}
            payloads.setdefault(kind, []).append(stateless_payload(kind, res, attempt.get('plan'), self.target))
            touched.append((kind, res))
        result['diff']['after']['versions'].update({kind: self.target for kind, _res in moving})
        result['changed'] = True
        return dict(payloads=payloads, touched=touched, result=result)

    def _check(self, deployment, base, current, items):
        """Every check of an Elasticsearch upgrade; all problems at once, before any write. Returns the BuildChoice."""
        target_pack = self.stacks.get(self.target)
        available = [] if target_pack and not target_pack.get('deleted') else [pack.get('version') for pack in self.stacks.list()]
        current_pack = self.stacks.get(current) if target_pack and not target_pack.get('deleted') else None
        problems = path_problems(current, self.target, current_pack, target_pack, available, self.params['allow_major'])
        if problems and (target_pack is None or target_pack.get('deleted') or parse_version(self.target) < (parse_version(current) or ())):
            self._refuse(deployment, current, problems)
        problems.extend(built_in_problems(base, self.target, target_pack))
        choice = BuildChoice(base, self.target, self._listed_extensions(), items)
        problems.extend(choice.problems)
        problems.extend(choice.archive_problems())
        if problems:
            self._refuse(deployment, current, problems)
        return choice

    def _refuse(self, deployment, current, problems):
        numbered = problems[0] if len(problems) == 1 else ' '.join('(%d) %s' % (index + 1, text) for index, text in enumerate(problems))
        raise EceError('Deployment %s cannot be upgraded from %s to %s: %s Nothing was sent to ECE.'
                       % (deployment_label(deployment), current, self.target, numbered), problems=problems)

    def _went_through(self, fresh, known):
        """Whether an attempt that started after our read already moves Elasticsearch to the target (our update arrived)."""
        for kind, res in self._scope(fresh):
            if kind != 'elasticsearch' or kind not in known:
                continue
            info = plans_of(res)
            attempts = [info.get('pending'), info.get('current')] + list(info.get('history') or [])
            return any(a and attempt_key(a) not in known[kind] and plan_version(a.get('plan') or {}) == self.target for a in attempts)
        return False

    # After the update

    def _after_update(self, work, known, deadline):
        result = work['result']
        attempts: dict = {}
        result['plan'] = dict(status='pending', attempts=attempts)
        for kind, res in work['touched']:
            waiter = self._waiter(kind, res.get('ref_id'))

            def ours(attempt, kind=kind):
                return attempt_key(attempt) not in known[kind]
            if not self.params['wait']:
                attempts[kind] = waiter.until_shown(ours, deadline) or not_shown(self.warn, '%s, its %s resource,' % (
                    deployment_label({'id': self.deployment_id, 'name': self._name}), kind))
                continue
            try:
                outcome, plan_info = waiter.wait(ours, deadline, what='the %s upgrade' % kind)
            except PlanTimeout as exc:
                shown = (exc.details.get('plan') or {}).get('attempt_id')  # the waited-for attempt, once it showed
                exc.details.update(changed=True, deployment=result['deployment'], plan=result['plan'])
                if kind != 'elasticsearch' and not shown:
                    exc.msg += (' ECE showed no plan attempt of the %s resource for this update; if it changed that resource '
                                'without one, read the deployment to see what the %s runs before running the task again.' % (kind, kind))
                    exc.args = (exc.msg,)
                raise
            outcome['step'] = failed_step(plan_info, outcome) if outcome['status'] == 'error' else None
            attempts[kind] = outcome
            if outcome['status'] == 'error':
                return self._failed(result, kind)
        if self.params['wait']:
            result['plan']['status'] = 'success'
            fresh, _version = self._read()
            result['resources'] = versions_after(fresh, self._scope(fresh))
        return result

    def _failed(self, result, kind):
        fresh, _version = self._read()
        result['resources'] = versions_after(fresh, self._scope(fresh))
        result['plan']['status'] = 'error'
        raise EceError(failure_message(result, kind, self.target), **{key: result[key] for key in (
            'changed', 'deployment', 'previous_version', 'version', 'resources', 'swapped', 'plan')})
