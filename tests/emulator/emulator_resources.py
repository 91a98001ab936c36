"""Stateless resources beside Elasticsearch: a deployment's Kibana, with its own plans, following Elasticsearch.

Facts: FLEET.md 1.1, 1.3 and 8.4/8.5 in the research notes. Kibana has its own `plan.kibana.version`
(blank: auto-detect, it takes the Elasticsearch version when its attempt completes) and its own plan
attempts. An update carrying both resources runs Elasticsearch first, then Kibana: the Kibana attempt
ends `seconds` after the Elasticsearch one. A Kibana attempt fails when `fail_kibana_next` says so, or
when at its end Elasticsearch does not run its version (the Elasticsearch change failed or was left out);
either way Elasticsearch stays as it is (tf-ec 8002d587: a Kibana failure leaves Elasticsearch upgraded), unless
the register's switch `es_after_kibana_failure` is `rolled_back` (entry stateless-failure-keeps-elasticsearch, the
other reading): then a Kibana attempt that was made to fail puts back the Elasticsearch plan that ran before the
update, when that update changed Elasticsearch too and its change went through.
"""

import secrets

from emulator_plan_engine import Attempt, PlanState, iso

KIND = 'kibana'
REF_ID = 'main-kibana'
STEPS = ('log-initial-plan-data', 'validate-plan-prerequisites', 'create-kibana-instances', 'wait-until-running',
         'plan-completed')
FAILED_STEP = 'wait-until-running'
MIGRATION_FAILED = ('Plan change failed: Kibana did not become healthy after the upgrade: the saved objects migration failed.',
                    'ClusterFailure:KibanaMigrationFailed')


def initial_plan(version):
    return {'cluster_topology': [{'instance_configuration_id': 'kibana', 'zone_count': 1, 'size': {'value': 1024, 'resource': 'memory'}}],
            'kibana': {'version': version}}


def plan_version(plan):
    return ((plan or {}).get('kibana') or {}).get('version') or None


class StatelessResource:  # pylint: disable=too-few-public-methods
    """A Kibana resource of a deployment: ids, and its plans (which run like Elasticsearch's)."""

    def __init__(self, version, es_ref_id, now):
        self.kind, self.ref_id, self.es_ref_id = KIND, REF_ID, es_ref_id
        self.resource_id = secrets.token_hex(16)
        first = Attempt(1, initial_plan(version), now, action='deployments.create-deployment', facilitator='adminconsole', steps=STEPS)
        first.end(now)
        self.plans = PlanState(first)

    def running_version(self):
        return plan_version(self.plans.running.plan)


def payload_problems(payload, where):
    """Messages for a malformed KibanaPayload (the Swagger's required fields and types)."""
    if not isinstance(payload, dict):
        return ['%s must be an object (a KibanaPayload).' % where]
    found = ['%s.%s is required and must be a string.' % (where, key)
             for key in ('ref_id', 'elasticsearch_cluster_ref_id', 'region') if not isinstance(payload.get(key), str)]
    plan = payload.get('plan')
    if not isinstance(plan, dict) or not isinstance(plan.get('kibana'), dict):
        found.append('%s.plan is required and must be an object with a kibana object.' % where)
    elif 'version' in plan['kibana'] and not isinstance(plan['kibana']['version'], (str, type(None))):
        found.append('%s.plan.kibana.version must be a string.' % where)
    return found


def start(deployment, plan, settings, now, es_attempt=None):
    """Start a Kibana attempt; with an Elasticsearch attempt of the same update, it ends after that one."""
    resource = deployment.kibana
    seconds = settings.seconds
    if es_attempt is not None:
        seconds += max(es_attempt.ends_at - (now + settings.pending_appears_after), 0.0)
    failure = MIGRATION_FAILED if settings.take_kibana_failure() else False
    attempt = resource.plans.start(plan, settings, now, failure=failure, seconds=seconds, steps=STEPS, failed_step=FAILED_STEP)
    # What a rollback of this update would put back: the Elasticsearch plan running before it, and its attempt.
    attempt.same_update = (es_attempt, deployment.plans.running) if es_attempt is not None else None
    deployment.touch(now)
    return attempt


def _roll_back_elasticsearch(deployment, attempt, settings, now):
    """Under `es_after_kibana_failure: rolled_back`: the Elasticsearch change of the failed update undone."""
    es_attempt, before = getattr(attempt, 'same_update', None) or (None, None)
    if settings.es_after_kibana_failure != 'rolled_back' or es_attempt is None or deployment.plans.running is not es_attempt:
        return
    deployment.plans.roll_back_to(before, now)


def settle(deployment, now, settings):
    """End the Kibana attempt whose time is up, after Elasticsearch settled; return it when it ended now."""
    resource = deployment.kibana
    attempt = resource.plans.pending if resource is not None else None
    if attempt is None or now < attempt.ends_at:
        return None
    es_version = deployment.plans.running.plan.get('elasticsearch', {}).get('version')
    wanted = plan_version(attempt.plan)
    if attempt.failure is None and wanted is not None and wanted != es_version:
        attempt.failure = ('Plan change failed: Kibana [%s] cannot run against Elasticsearch [%s].' % (wanted, es_version),
                           'ClusterFailure:IncompatibleElasticsearchVersion')
    injected = attempt.failure is MIGRATION_FAILED
    ended = resource.plans.settle(now)
    if ended is not None and ended.outcome == 'error' and injected:
        _roll_back_elasticsearch(deployment, ended, settings, now)
    if ended is not None and ended.outcome == 'success' and wanted is None:
        ended.plan.setdefault('kibana', {})['version'] = es_version  # blank means: the Elasticsearch version
    return ended


def resource_info(deployment, now, view):
    """A KibanaResourceInfo."""
    resource = deployment.kibana
    busy = resource.plans.visible_pending(now) is not None
    instance = {'instance_name': 'instance-0000000000', 'healthy': True, 'container_started': True, 'service_running': True,
                'maintenance_mode': False, 'zone': 'ece-zone-1', 'service_version': resource.running_version()}
    info = {
        'cluster_id': resource.resource_id, 'cluster_name': deployment.name, 'deployment_id': deployment.id,
        'region': deployment.region, 'elasticsearch_cluster': {'elasticsearch_id': deployment.resource_id},
        'healthy': resource.plans.healthy and not busy, 'status': 'reconfiguring' if busy else 'started',
        'plan_info': resource.plans.to_json(now, view),
        'metadata': {'version': deployment.version, 'last_modified': iso(deployment.modified)},
        'topology': {'healthy': True, 'instances': [instance]}, 'external_links': [],
    }
    return {'id': resource.resource_id, 'ref_id': resource.ref_id, 'elasticsearch_cluster_ref_id': resource.es_ref_id,
            'region': deployment.region, 'info': info}


def resource_ref(deployment):
    """A DeploymentResource for the Kibana resource."""
    resource = deployment.kibana
    return {'id': resource.resource_id, 'kind': KIND, 'ref_id': resource.ref_id, 'elasticsearch_cluster_ref_id': resource.es_ref_id,
            'region': deployment.region}
