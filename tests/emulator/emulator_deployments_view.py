"""JSON bodies of the deployments API, built to Elastic's Swagger: every required field at every level.

The deployment has only an Elasticsearch resource; the other resource kinds are the required empty lists.
"""

import emulator_resources
from emulator_plan_engine import iso

OTHER_KINDS = ('kibana', 'apm', 'appsearch', 'enterprise_search', 'integrations_server')


class View:  # pylint: disable=too-few-public-methods
    """The GET query switches that shape a deployment body (Swagger defaults when not sent)."""

    def __init__(self, query):
        def flag(name, default):
            values = query.get(name)
            return default if not values else values[-1].strip().lower() == 'true'
        self.show_plans = flag('show_plans', True)
        self.show_plan_logs = flag('show_plan_logs', False)
        self.show_plan_history = flag('show_plan_history', False)
        self.clear_transient = flag('clear_transient', False)
        self.show_settings = flag('show_settings', False)
        self.show_metadata = flag('show_metadata', False)
        self.all_history = flag('force_all_plan_history', False)  # else the newest 100, as ECE caps it


def _instances(deployment):
    """One node, running the version of the plan it really runs (a failed upgrade leaves it as it was)."""
    version = deployment.plans.running.plan.get('elasticsearch', {}).get('version')
    instance = {'instance_name': 'instance-0000000000', 'healthy': True, 'container_started': True,
                'service_running': True, 'maintenance_mode': False, 'zone': 'ece-zone-1'}
    if isinstance(version, str):
        instance['service_version'] = version
    return [instance]


def resource_info(deployment, now, view):
    """An ElasticsearchResourceInfo."""
    plans = deployment.plans
    busy = plans.visible_pending(now) is not None
    healthy = plans.healthy and not busy
    info = {
        'cluster_id': deployment.resource_id,
        'cluster_name': deployment.name,
        'deployment_id': deployment.id,
        'region': deployment.region,
        'healthy': healthy,
        'status': 'reconfiguring' if busy else 'started',
        'plan_info': plans.to_json(now, view),
        'elasticsearch': {
            'healthy': True,
            'shard_info': {'healthy': True, 'available_shards': [], 'unavailable_shards': [], 'unavailable_replicas': []},
            'master_info': {'healthy': True, 'masters': [], 'instances_with_no_master': []},
            'blocking_issues': {'healthy': True, 'cluster_level': [], 'index_level': []},
        },
        'metadata': {'version': deployment.version, 'last_modified': iso(deployment.modified)},
        'topology': {'healthy': True, 'instances': _instances(deployment)},
        'associated_kibana_clusters': [], 'associated_apm_clusters': [], 'associated_appsearch_clusters': [],
        'associated_enterprise_search_clusters': [],
        'snapshots': {'healthy': True, 'count': 0, 'recent_success': True},
        'external_links': [],
    }
    if view.show_settings:
        info['settings'] = {}
    return {'id': deployment.resource_id, 'ref_id': deployment.ref_id, 'region': deployment.region, 'info': info}


def deployment_body(deployment, now, view):
    """A DeploymentGetResponse."""
    resource = resource_info(deployment, now, view)
    doc = {'id': deployment.id, 'name': deployment.name, 'healthy': resource['info']['healthy'],
           'resources': dict({kind: [] for kind in OTHER_KINDS}, elasticsearch=[resource])}
    if deployment.kibana is not None:
        kibana = emulator_resources.resource_info(deployment, now, view)
        doc['resources']['kibana'] = [kibana]
        doc['healthy'] = doc['healthy'] and kibana['info']['healthy']
    if deployment.alias is not None:
        doc['alias'] = deployment.alias
    if view.show_metadata:
        doc['metadata'] = {'last_modified': iso(deployment.modified), 'last_resource_plan_modified': iso(deployment.modified)}
        if deployment.tags:
            doc['metadata']['tags'] = [dict(tag) for tag in deployment.tags]
    return doc


def resource_ref(deployment):
    """A DeploymentResource."""
    return {'id': deployment.resource_id, 'kind': 'elasticsearch', 'ref_id': deployment.ref_id, 'region': deployment.region}


def resource_refs(deployment):
    """DeploymentResources of every resource: Elasticsearch, then Kibana when there is one."""
    refs = [resource_ref(deployment)]
    if deployment.kibana is not None:
        refs.append(emulator_resources.resource_ref(deployment))
    return refs


def listing(deployments):
    """A DeploymentsListResponse."""
    return {'deployments': [{'id': dep.id, 'name': dep.name, 'resources': resource_refs(dep)} for dep in deployments]}


def update_response(deployment, validate_only):
    """A DeploymentUpdateResponse; `diagnostics` is "sent if validation is requested"."""
    doc = {'id': deployment.id, 'name': deployment.name, 'resources': resource_refs(deployment),
           'shutdown_resources': {kind: [] for kind in ('elasticsearch',) + OTHER_KINDS}}
    if deployment.alias is not None:
        doc['alias'] = deployment.alias
    if validate_only:
        doc['diagnostics'] = {}
    return doc
