# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: make a deployment's Elasticsearch plan reference the wanted extensions.

Order of work: validate the input, find the deployment and its resource, wait for a plan that is
already pending, look up every extension, apply the version rules, compute the new plan; only then,
when something must change (or a reload is due), send the one update, guarded by the resource
version (a conflict means: read again, recompute, bounded). Then wait for the attempt it started.
"""

from __future__ import annotations

import time
from typing import Any

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import (
    check_attachable,
    deployment_label,
    es_resource,
    plan_version,
    running_plan,
)
from ansible_collections.ece.platform.plugins.module_utils._deployment_items import parse_items, replaced_urls, resolve
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import VersionConflict
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import attempt_key, known_attempts, plans_of, running_attempt
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import (
    attached_urls,
    attachment_changes,
    attachment_urls,
    deployment_update_body,
    entry_names,
    extension_lists,
    merge,
    stale_names,
    with_version,
)
from ansible_collections.ece.platform.plugins.module_utils._plan_diff import plan_diff
from ansible_collections.ece.platform.plugins.module_utils._plan_strategy import with_strategy
from ansible_collections.ece.platform.plugins.module_utils._plan_wait import PlanTimeout, PlanWaiter, not_shown

MAX_CONFLICTS = 3
# The same guard as extension_set's: an empty or misspelt variable must not strip a deployment of its extensions.
EMPTY_EXCLUSIVE_DETACHES = ('exclusive=true with an empty extensions list would detach every plugin and bundle from the deployment '
                            '(and restart its Elasticsearch nodes). If that is meant, set allow_empty=true; otherwise check the variable '
                            'that should fill the list (a misspelt variable name gives an empty list). Nothing was sent to ECE.')


class DeploymentExtensions:
    """Runs one task of ece.platform.deployment_extensions; returns the module result or raises EceError."""

    def __init__(self, deployments, extensions, params, warn=None, clock=time.monotonic, sleep=time.sleep):
        self.deployments = deployments
        self.extensions = extensions
        self.params = params
        self.warn = warn or (lambda msg: None)
        self.clock = clock
        self.sleep = sleep
        self.check_mode = deployments.check_mode
        self.warned: set = set()
        self.deployment_id: str | None = None  # known after the first read

    def run(self):
        params = self.params
        if not str(params['deployment'] or '').strip():
            raise EceError('Option deployment is empty; give the id (32 hexadecimal characters) or the exact name of a '
                           'deployment. Nothing was sent to ECE.')
        if params['exclusive'] and params['state'] == 'absent':
            raise EceError('Option exclusive works with state=present only (attach these, detach the rest); with state=absent '
                           'list the extensions to detach.')
        if params['exclusive'] and not params['extensions'] and not params.get('allow_empty'):
            raise EceError(EMPTY_EXCLUSIVE_DETACHES)
        if params['wait_timeout'] < 0:
            raise EceError('Option wait_timeout must not be negative, not %s.' % params['wait_timeout'])
        items = parse_items(params['extensions'], params['state'])
        deadline = self.clock() + params['wait_timeout']
        deployment, version, resource = self._read(find=True)
        waiter = self._waiter(deployment, resource)
        deployment, version, resource = self._after_pending(deployment, version, resource, waiter, deadline)
        listed = self.extensions.list()
        # Staleness looks at every attached extension, not only the listed ones.
        by_url = {plan_url(ext): ext for ext in listed}
        conflicts = 0
        while True:
            plan_info = plans_of(resource)
            base = self._base_plan(deployment, resource)
            es_version = plan_version(base)
            label = deployment_label(deployment)
            if not es_version:
                # Register omitted-version: a plan without a version may mean an upgrade to the newest one ECE holds.
                raise EceError('The plan of deployment %s names no Elasticsearch version, so the version of the extensions '
                               'cannot be checked, and a plan sent without one could upgrade the deployment; nothing was '
                               'changed.' % label)
            # Resolved against this plan: the build that fits depends on the Elasticsearch version it runs.
            wanted = resolve(items, listed, self.extensions.get, params['state'], es_version, label, base,
                             check_mode=self.check_mode)
            replaced = set()
            if params['state'] == 'present':
                self._check(wanted, es_version, deployment)
                replaced = replaced_urls(items, wanted, listed, base, self._warn_once)
            new_plan = merge(base, wanted, params['state'], params['exclusive'], es_version, replaced)
            stale = stale_names(base, running_attempt(plan_info), by_url, still_attached=attached_urls(new_plan))
            lists_change = new_plan != dict((k, v) for k, v in base.items() if k != 'transient')
            reload_due = params['reload'] == 'always' or (params['reload'] == 'stale' and bool(stale))
            result = self._result(deployment, resource, base, new_plan, lists_change, reload_due, stale)
            self._warn_renamed(base, new_plan, by_url, label)
            if not result['changed'] or self.check_mode:
                if stale and params['reload'] == 'never':
                    self._warn_stale(deployment, stale)
                return result
            known = known_attempts(plan_info)
            try:
                sent = with_version(with_strategy(new_plan, params.get('strategy')), es_version)
                self.deployments.update_plan(deployment['id'], deployment_update_body(resource, sent), version, label=label)
                break
            except VersionConflict as exc:
                conflicts += 1
                if conflicts > MAX_CONFLICTS:
                    raise EceError('Deployment %s changed while this task updated it, %d times in a row; nothing was changed. '
                                   'Run the task again when nobody else changes the deployment. Last answer: %s'
                                   % (label, conflicts, exc.msg), **exc.details) from None
                if exc.plan_pending:
                    # Assumption [O] (elastic/kibana#136974; register: pending-appears-late): a plan change may show
                    # as pending only a while after ECE accepted it. Reading again at once could find nothing
                    # pending again: give it time to show.
                    self.sleep(min(2.0 ** conflicts, max(0.0, deadline - self.clock())))
                fresh = self._read()
                if went_through(plans_of(fresh[2]), known, new_plan):
                    # Our own update did arrive (a retry after a lost answer met the version it had bumped).
                    deployment, version, resource = fresh
                    break
                # Someone changed the deployment after our read: read again and compute from their plan.
                deployment, version, resource = self._after_pending(*fresh, waiter=waiter, deadline=deadline)
        return self._after_update(result, waiter, known, deadline, deployment, by_url)

    # Reading

    def _read(self, find: bool = False) -> tuple[dict, Any, dict]:
        if find:
            deployment, version = self.deployments.find(self.params['deployment'], history=True)
        else:
            deployment, version = self.deployments.get(self.deployment_id, history=True)
            if deployment is None:
                raise EceError('Deployment %s was deleted while this task worked on it.' % self.params['deployment'])
        self.deployment_id = deployment['id']
        return deployment, version, es_resource(deployment, self.params['ref_id'])

    def _waiter(self, deployment, resource):
        ref_id = resource.get('ref_id')

        def read(history):
            body, _version = self.deployments.get(deployment['id'], history=history, logs=True)
            if body is None:
                raise EceError('Deployment %s was deleted while this task waited for its plan.' % deployment_label(deployment))
            return plans_of(es_resource(body, ref_id))
        return PlanWaiter(read, deployment_label(deployment), clock=self.clock, sleep=self.sleep)

    def _after_pending(self, deployment, version, resource, waiter, deadline):
        """With a plan already pending: wait for it (ECE refuses an update meanwhile), then read again."""
        pending = plans_of(resource).get('pending')
        if not pending:
            return deployment, version, resource
        if self.check_mode:
            self.warn('A plan change of deployment %s is pending (attempt %s); check mode does not wait for it and predicts '
                      'from its plan. The real run waits until it ended.'
                      % (deployment_label(deployment), pending.get('plan_attempt_id')))
            return deployment, version, resource
        key = attempt_key(pending)
        try:
            ended, _info = waiter.wait(lambda attempt: attempt_key(attempt) == key, deadline,
                                       what='the plan change already pending at the start')
        except PlanTimeout as exc:
            raise PlanTimeout('%s This task sent nothing: ECE refuses a plan change while another one is pending.'
                              % exc.msg) from None
        if ended['status'] == 'error':
            self.warn('The plan change of deployment %s that was pending at the start (attempt %s) failed: %s This task '
                      'computed its change from the plan that keeps running.'
                      % (deployment_label(deployment), ended['attempt_id'], ended.get('message')))
        return self._read()

    def _base_plan(self, deployment, resource):
        plan_info = plans_of(resource)
        pending = plan_info.get('pending') or {}
        if self.check_mode and pending.get('plan'):
            return pending['plan']
        return running_plan(deployment, resource)

    # Deciding

    def _check(self, wanted, es_version, deployment):
        # Every listed extension, also one already in the plan and whatever elasticsearch_version says:
        # a plan change restarts the nodes, and a plugin built for another version would stop them from starting.
        for ext in wanted:
            check_attachable(ext, es_version, deployment)

    def _warn_renamed(self, base, new_plan, by_url, label):
        """Warn for each detached plan entry whose label is not its extension's name now (left by a rename)."""
        _attached, detached_urls = attachment_urls(base, new_plan)
        labels = entry_names(base)
        for url in detached_urls:
            current = (by_url.get(url) or {}).get('name')
            if current is not None and current != labels.get(url):
                self._warn_once('The plan entry labelled %s of deployment %s is extension %s (%s) now, renamed after it '
                                'was attached; it is detached.' % (labels.get(url), label, current, url))

    def _result(self, deployment, resource, base, new_plan, lists_change, reload_due, stale):
        after = extension_lists(new_plan)
        attached, detached = attachment_changes(base, new_plan)
        changed = lists_change or reload_due
        reload_names = None
        if changed and stale:
            # Any plan change restarts the nodes, so it loads the new archives of the stale ones.
            reload_names = list(stale)
        elif reload_due:
            # A reload without stale archives (reload=always) still restarts every node with every attached one.
            reload_names = sorted(set(entry_names(new_plan).values()), key=str)
        return dict(
            changed=changed,
            deployment=dict(id=deployment.get('id'), name=deployment.get('name'), ref_id=resource.get('ref_id')),
            user_bundles=after['user_bundles'], user_plugins=after['user_plugins'], stale=stale,
            attached=attached, detached=detached,
            # Any plan change restarts the nodes, so it also loads the new archives of the stale ones.
            reloaded=list(stale) if changed else [],
            diff=plan_diff(base, new_plan, reload_names),
        )

    def _warn_once(self, msg):
        # Once per task, also when a conflict makes the task compute the change again.
        if msg not in self.warned:
            self.warned.add(msg)
            self.warn(msg)

    def _warn_stale(self, deployment, stale):
        self.warn('The archive of %s %s changed after the running plan of deployment %s started, so its nodes still run the '
                  'old %s. Run with reload=stale to apply a no-op plan (a rolling restart) that loads %s.'
                  % ('extensions' if len(stale) > 1 else 'extension', ', '.join(stale), deployment_label(deployment),
                     'copies' if len(stale) > 1 else 'copy', 'them' if len(stale) > 1 else 'it'))

    # After the update

    def _after_update(self, result, waiter, known, deadline, deployment, by_url):
        def ours(attempt):
            return attempt_key(attempt) not in known
        if not self.params['wait']:
            result['plan'] = waiter.until_shown(ours, deadline) or not_shown(self.warn, deployment_label(deployment))
            return result
        try:
            plan, plan_info = waiter.wait(ours, deadline)
        except PlanTimeout as exc:
            exc.details.update(changed=True, deployment=result['deployment'])
            raise
        except EceError as exc:
            # ECE accepted the change; only following it failed. Say so, so nobody thinks nothing happened.
            raise EceError('ECE accepted the plan change of deployment %s, but following it failed: %s Check the outcome in ECE, '
                           'or run the task again: it then waits for the change and sends nothing new when it succeeded.'
                           % (deployment_label(deployment), exc.msg),
                           **dict(exc.details, changed=True, deployment=result['deployment'])) from None
        result['plan'] = plan
        if plan['status'] == 'error':
            raise EceError('The plan change of deployment %s failed (attempt %s, failure_type %s): %s The previous plan keeps '
                           'running, so the extensions are as they were before this task.'
                           % (deployment_label(deployment), plan['attempt_id'], plan.get('failure_type') or 'not given',
                              plan.get('message')),
                           changed=True, deployment=result['deployment'], plan=plan)
        # The nodes restarted with the new plan: only archives stored after it started are stale now.
        result['stale'] = stale_names(running_plan_from(plan_info, result), running_attempt(plan_info), by_url)
        return result


def went_through(plan_info, known, sent_plan):
    """Whether an attempt started after our read carries exactly the extension lists we sent."""
    attempts = [plan_info.get('pending'), plan_info.get('current')] + list(plan_info.get('history') or [])
    wanted = (extension_lists(sent_plan), attached_urls(sent_plan))
    return any(attempt and attempt_key(attempt) not in known and attempt.get('plan')
               and (extension_lists(attempt['plan']), attached_urls(attempt['plan'])) == wanted for attempt in attempts)


def running_plan_from(plan_info, result):
    attempt = running_attempt(plan_info) or {}
    return attempt.get('plan') or {'elasticsearch': {'user_bundles': result['user_bundles'], 'user_plugins': result['user_plugins']}}
