"""Control endpoint: every plan attempt of a deployment, with the one-off instructions it was sent with.

    GET /_emulator/deployments/{id}/attempts
        {"id", "ref_id", "attempts": [{"attempt_id", "attempt_name", "action", "status", "strategy",
                                       "transient", "error"}]}  oldest first, the pending one last

ECE drops `transient` from a plan once its attempt ended (and `clear_transient=true` hides it before), so a
test cannot see in a GET which strategy a plan change was sent with; this endpoint keeps it per attempt.
`status` is `pending` (also while it does not show yet in GET), `success` or `error`.
"""

import re

from emulator_api import Response, failure

ATTEMPTS_RE = re.compile(r'/_emulator/deployments/([^/]+)/attempts')


def matches(path):
    return ATTEMPTS_RE.fullmatch(path) is not None


def _attempt(attempt):
    transient = attempt.transient or {}
    return {'attempt_id': attempt.id, 'attempt_name': attempt.name, 'action': attempt.action,
            'status': attempt.outcome or 'pending', 'strategy': transient.get('strategy'), 'transient': attempt.transient,
            'error': attempt.error[0] if attempt.error else None}


def summary(deployment):
    """{id, ref_id, attempts} of the deployment's Elasticsearch resource; the caller holds the lock and settled."""
    plans = deployment.plans
    seen, attempts = set(), []
    for attempt in plans.history + [plans.current, plans.pending]:
        if attempt is not None and attempt.id not in seen:
            seen.add(attempt.id)
            attempts.append(attempt)
    attempts.sort(key=lambda attempt: attempt.name)
    return {'id': deployment.id, 'ref_id': deployment.ref_id, 'attempts': [_attempt(a) for a in attempts]}


def handle(path, store):
    dep_id = ATTEMPTS_RE.fullmatch(path).group(1)
    with store.lock:
        store.settle()
        deployment = store.find(dep_id)
        if deployment is None:
            return failure(404, 'deployments.deployment_not_found', 'The Deployment specified by [%s] cannot be found.' % dep_id)
        return Response(200, summary(deployment))
