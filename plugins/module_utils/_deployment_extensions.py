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
    Attachable,
    attached_urls,
    attachment_changes,
    attempt_key,
    check_attachable,
    deployment_label,
    es_resource,
    extension_lists,
    known_attempts,
    merge,
    plan_version,
    plans_of,
    running_attempt,
    running_plan,
    stale_names,
    update_body,
    would_write,
)
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import VersionConflict
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._plan_wait import PlanTimeout, PlanWaiter

ITEM_KEYS = ('name', 'id', 'elasticsearch_version')
MAX_CONFLICTS = 3
# The same guard as extension_set's: an empty or misspelt variable must not strip a deployment of its extensions.
EMPTY_EXCLUSIVE = ('exclusive=true with an empty extensions list would detach every plugin and bundle from the deployment '
                   '(and restart its Elasticsearch nodes). If that is meant, set allow_empty=true; otherwise check the variable '
                   'that should fill the list (a misspelt variable name gives an empty list). Nothing was sent to ECE.')


def parse_items(items):
    """Option extensions as a list of {name, id, elasticsearch_version} (None when not given); fails on bad items."""
    parsed = []
    for index, item in enumerate(items or []):
        where = 'extensions[%d]' % index
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            item = {'name': str(item)}
        if not isinstance(item, dict):
            raise EceError('%s must be an extension name or a dict with name or id (and optionally elasticsearch_version), '
                           'not %r.' % (where, item))
        unknown = sorted(set(item) - set(ITEM_KEYS))
        if unknown:
            raise EceError('%s has unknown key%s %s; the keys are %s.'
                           % (where, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(ITEM_KEYS)))
        clean: dict[str, str | None] = {}
        for key in ITEM_KEYS:
            value = item.get(key)
            if value is not None and not isinstance(value, bool) and str(value).strip():
                clean[key] = str(value).strip()
            elif value is not None:
                raise EceError('%s.%s must be a non-empty string, not %r.' % (where, key, value))
            else:
                clean[key] = None
        if clean['name'] is None and clean['id'] is None:
            raise EceError('%s needs name or id.' % where)
        parsed.append(clean)
    return parsed


def resolve(items, listed, get_by_id, state):
    """Attachables for the items, from the listed extensions (one read), else by id; fails on none or several.

    Detaching needs no lookup to succeed: an id ECE does not know still names `repo://<id>`, and a name
    that no extension carries is not attached.
    """
    resolved = []
    for item in items:
        if item['id'] is not None:
            found = [ext for ext in listed if str(ext.get('id')) == item['id']] or [e for e in [get_by_id(item['id'])] if e]
            if not found:
                if state == 'absent':
                    resolved.append(Attachable({'id': item['id'], 'name': item['name'] or item['id']}))
                    continue
                raise EceError('No extension has id %s. Check the id with ece.platform.extension_info.' % item['id'])
            if item['name'] is not None and found[0].get('name') != item['name']:
                raise EceError('Extension id %s is named %s, not %s; give the right name, or only the id.'
                               % (item['id'], found[0].get('name'), item['name']))
        else:
            found = [ext for ext in listed if ext.get('name') == item['name']]
            if len(found) > 1:
                raise EceError('%d extensions are named %s (ids %s); give the id of the one you mean.'
                               % (len(found), item['name'], ', '.join(sorted(str(e.get('id')) for e in found))))
            if not found:
                if state == 'absent':
                    continue
                raise EceError('No extension is named %s. Create it first (ece.platform.extension), or check the name with '
                               'ece.platform.extension_info.' % item['name'])
        resolved.append(Attachable(found[0], item['elasticsearch_version']))
    return resolved


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
        self.deployment_id: str | None = None  # known after the first read

    def run(self):
        params = self.params
        if params['exclusive'] and params['state'] == 'absent':
            raise EceError('Option exclusive works with state=present only (attach these, detach the rest); with state=absent '
                           'list the extensions to detach.')
        if params['exclusive'] and not params['extensions'] and not params.get('allow_empty'):
            raise EceError(EMPTY_EXCLUSIVE)
        if params['wait_timeout'] < 0:
            raise EceError('Option wait_timeout must not be negative, not %s.' % params['wait_timeout'])
        items = parse_items(params['extensions'])
        deadline = self.clock() + params['wait_timeout']
        deployment, version, resource = self._read(find=True)
        waiter = self._waiter(deployment, resource)
        deployment, version, resource = self._after_pending(deployment, version, resource, waiter, deadline)
        listed = self.extensions.list()
        wanted = resolve(items, listed, self.extensions.get, params['state'])
        # Staleness looks at every attached extension, not only the listed ones.
        by_url = {ext.get('url') or 'repo://%s' % ext.get('id'): ext for ext in listed}
        conflicts = 0
        while True:
            plan_info = plans_of(resource)
            base = self._base_plan(deployment, resource)
            es_version = plan_version(base)
            if params['state'] == 'present':
                self._check(wanted, base, es_version, deployment)
            new_plan = merge(base, wanted, params['state'], params['exclusive'], es_version)
            stale = stale_names(base, running_attempt(plan_info), by_url, still_attached=attached_urls(new_plan))
            lists_change = new_plan != dict((k, v) for k, v in base.items() if k != 'transient')
            reload_due = params['reload'] == 'always' or (params['reload'] == 'stale' and bool(stale))
            result = self._result(deployment, resource, base, new_plan, lists_change or reload_due, stale)
            if not result['changed'] or self.check_mode:
                if stale and params['reload'] == 'never':
                    self._warn_stale(deployment, stale)
                return result
            known = known_attempts(plan_info)
            try:
                self.deployments.update_plan(deployment['id'], update_body(resource, new_plan), version)
                break
            except VersionConflict as exc:
                conflicts += 1
                if conflicts > MAX_CONFLICTS:
                    raise EceError('Deployment %s changed while this task updated it, %d times in a row; nothing was changed. '
                                   'Run the task again when nobody else changes the deployment. Last answer: %s'
                                   % (deployment_label(deployment), conflicts, exc.msg), **exc.details) from None
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

    def _check(self, wanted, base, es_version, deployment):
        if not es_version:
            raise EceError('The plan of deployment %s names no Elasticsearch version, so the version of the extensions cannot '
                           'be checked; nothing was changed.' % deployment_label(deployment))
        for ext in wanted:
            if not ext.file_metadata or would_write(base, ext, es_version):
                check_attachable(ext, es_version, deployment)

    def _result(self, deployment, resource, base, new_plan, changed, stale):
        after = extension_lists(new_plan)
        attached, detached = attachment_changes(base, new_plan)
        return dict(
            changed=changed,
            deployment=dict(id=deployment.get('id'), name=deployment.get('name'), ref_id=resource.get('ref_id')),
            user_bundles=after['user_bundles'], user_plugins=after['user_plugins'], stale=stale,
            attached=attached, detached=detached,
            # Any plan change restarts the nodes, so it also loads the new archives of the stale ones.
            reloaded=list(stale) if changed else [],
            diff=dict(before=extension_lists(base), after=after),
        )

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
            plan_info = waiter.read(False)
            pending = plan_info.get('pending')
            attempt_id = pending.get('plan_attempt_id') if pending and ours(pending) else None
            result['plan'] = dict(attempt_id=attempt_id, status='pending', duration_seconds=None)
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
