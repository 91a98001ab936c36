"""Control endpoints (test hooks, no auth) of the 0.3.0 upgrade subset, under /_emulator.

    GET/POST /_emulator/stack_versions                   the stack packs (see emulator_stack_versions.py)
    POST /_emulator/deployments/{id}/concurrent_change   another user's no-op plan change of the deployment's
                                                         Elasticsearch starts now (pending for the plan `seconds`,
                                                         as if made in the UI); it never fails and does not count
                                                         against `fail_next`. 409 when a plan is pending already.
    GET  /_emulator/deployments/{id}/attempts            every plan attempt per resource kind, oldest first:
                                                         {attempt_id, action, user_id, version, strategy, outcome}
                                                         (the strategy a plan was sent with, which the API shows
                                                         only while the attempt is pending)
"""

import copy
import re

import emulator_attempts_control
import emulator_stack_versions
from emulator_api import Response, failure

CONCURRENT_RE = re.compile(r'/_emulator/deployments/([^/]+)/concurrent_change')
ATTEMPTS_RE = re.compile(r'/_emulator/deployments/([^/]+)/attempts')
OTHER_USER = 'another-user'


def routes(path):
    """The methods an upgrade control path allows, or None when the path is not one of them."""
    if path == '/_emulator/stack_versions':
        return ('GET', 'POST')
    if CONCURRENT_RE.fullmatch(path):
        return ('POST',)
    return ('GET',) if ATTEMPTS_RE.fullmatch(path) else None


def _missing(dep_id):
    return failure(404, 'deployments.deployment_not_found', 'The Deployment specified by [%s] cannot be found.' % dep_id)


def _concurrent_change(dep_id, store):
    with store.lock:
        now = store.settle()
        deployment = store.find(dep_id)
        if deployment is None:
            return _missing(dep_id)
        if deployment.plans.pending is not None:
            return failure(409, 'deployments.resource_plan_state_error', 'A plan change of [%s] is pending already.' % dep_id)
        plan = copy.deepcopy(deployment.plans.running.plan)
        attempt = store.apply(deployment, plan, now, failure=False, facilitator='adminconsole', user_id=OTHER_USER)
        return Response(201, {'attempt_id': attempt.id, 'user_id': OTHER_USER})


def _summary(attempt):
    plan = attempt.plan
    version = (plan.get('elasticsearch') or plan.get('kibana') or {}).get('version')
    return {'attempt_id': attempt.id, 'action': attempt.action, 'user_id': attempt.user_id, 'version': version,
            'strategy': attempt.strategy, 'outcome': attempt.outcome}


def _attempts(dep_id, store):
    with store.lock:
        store.settle()
        deployment = store.find(dep_id)
        if deployment is None:
            return _missing(dep_id)
        # Merge of two branches' views of this path: builds' {id, ref_id, attempts} beside upgrade's per kind.
        doc = emulator_attempts_control.summary(deployment)
        for kind, plans in (('elasticsearch', deployment.plans), ('kibana', deployment.kibana.plans if deployment.kibana else None)):
            if plans is None:
                continue
            seen = {}
            for attempt in plans.history + [plans.current, plans.running, plans.pending]:
                if attempt is not None:
                    seen[attempt.id] = attempt
            doc[kind] = [_summary(attempt) for attempt in sorted(seen.values(), key=lambda a: a.name)]
        return Response(200, doc)


def handle(method, path, read_doc, store):
    """Answer an allowed (method, path) of `routes`; `read_doc()` gives the JSON body or None."""
    if path == '/_emulator/stack_versions':
        return emulator_stack_versions.control(method, read_doc, store)
    match = CONCURRENT_RE.fullmatch(path)
    if match:
        return _concurrent_change(match.group(1), store)
    return _attempts(ATTEMPTS_RE.fullmatch(path).group(1), store)
