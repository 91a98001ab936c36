# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: what an upgrade reports after its plan attempts (pure).

A failed attempt is reported with its resource, the step that failed and the plan's own message, and
with what runs now: ECE rolls a failed Elasticsearch change back, while a failed Kibana (or other
stateless) step leaves Elasticsearch upgraded (an assumption, see _deployment_upgrade.py). A re-run moves only what is not at the
target yet, so it converges.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import plans_of, running_attempt


def failed_step(plan_info, outcome):
    """The step id where the attempt `outcome` failed: the last step with status error before plan-completed."""
    attempts = [plan_info.get('current')] + list(plan_info.get('history') or [])
    attempt = next((a for a in attempts if a and a.get('plan_attempt_id') == outcome.get('attempt_id')), None) or {}
    steps = attempt.get('plan_attempt_log') or []
    errors = [step.get('step_id') for step in steps if step.get('status') == 'error']
    before_end = [step_id for step_id in errors if step_id != 'plan-completed']
    return (before_end or errors or [None])[-1]


def versions_after(deployment, scope):
    """kind -> the version its running plan has (a stateless one with a blank version follows Elasticsearch)."""
    versions = {}
    es_version = None
    for kind, resource in scope:
        plan = (running_attempt(plans_of(resource)) or {}).get('plan') or {}
        version = (plan.get(kind) or {}).get('version')
        if kind == 'elasticsearch':
            es_version = version
        versions[kind] = version or es_version
    return versions


def failure_message(result, kind, target):
    """The message of a failed upgrade: resource, attempt, step, the plan's message, what runs now, what to do."""
    outcome = result['plan']['attempts'][kind]
    deployment = '%s (id %s)' % (result['deployment']['name'], result['deployment']['id'])
    running = ', '.join('%s %s' % (name, version) for name, version in sorted(result['resources'].items()))
    where = 'attempt %s, step %s, failure_type %s' % (outcome.get('attempt_id'), outcome.get('step') or 'not given',
                                                      outcome.get('failure_type') or 'not given')
    if kind == 'elasticsearch':
        return ('The upgrade of deployment %s to %s failed in its Elasticsearch plan (%s): %s ECE rolled the Elasticsearch change back, '
                'so the previous plan keeps running. Now running: %s. Fix the cause and run the task again.'
                % (deployment, target, where, outcome.get('message'), running))
    # Register stateless-failure-keeps-elasticsearch (assumed): Elasticsearch keeps its upgrade. Said only when it does.
    es_now = result['resources'].get('elasticsearch')
    if es_now == target:
        return ('Elasticsearch of deployment %s was upgraded to %s, but the %s plan failed (%s): %s Now running: %s. Run the task again: '
                'it moves only what is not at %s yet.' % (deployment, target, kind, where, outcome.get('message'), running, target))
    return ('The %s plan of the upgrade of deployment %s to %s failed (%s): %s Elasticsearch was not kept at %s: it runs %s. Now '
            'running: %s. Fix the cause and run the task again: it moves only what is not at %s yet.'
            % (kind, deployment, target, where, outcome.get('message'), target, es_now, running, target))
