"""The emulator's deployments: each with one Elasticsearch resource, its plans, and what its nodes loaded.

The store shares the extensions store's (re-entrant) lock: a plan change checks extensions and an
extension delete checks plans, and one lock means neither can see the other half-changed. Callers take
`lock`, call `settle()` (which ends plan attempts whose time is up) and then read or change deployments.
"""

import re
import secrets
import time

import emulator_resources
from emulator_plan_engine import Attempt, PlanSettings, PlanState, iso
from emulator_search import SearchSettings
from emulator_stack_versions import StackVersions

REF_ID = 'main-elasticsearch'
REGION = 'ece-region'
ID_RE = re.compile(r'^[0-9a-f]{32}$')
REPO_RE = re.compile(r'^repo://(\d+)$')
KINDS = (('user_bundles', 'bundle'), ('user_plugins', 'plugin'))


def initial_plan(version, built_ins=None):
    """A small, healthy plan like a default ECE deployment's: one hot tier in one zone."""
    plan = {
        'cluster_topology': [{
            'id': 'hot_content', 'zone_count': 1, 'instance_configuration_id': 'data.default',
            'node_roles': ['master', 'ingest', 'data_hot', 'data_content', 'remote_cluster_client', 'transform'],
            'size': {'value': 4096, 'resource': 'memory'}, 'elasticsearch': {'node_attributes': {'data': 'hot'}},
        }],
        'elasticsearch': {'version': version},
        'deployment_template': {'id': 'default'},
        'autoscaling_enabled': False,
    }
    if built_ins:
        plan['elasticsearch']['enabled_built_in_plugins'] = list(built_ins)
    return plan


def extension_refs(plan):
    """(extension_type, item) for every user_bundles / user_plugins entry: plan level, then each topology element.

    Both places are legal in the schema (DEPLOYMENTS.md 1.3), so both count. Malformed parts are skipped
    (the update checks reject them before a plan is stored).
    """
    configs = [plan.get('elasticsearch')] + [element.get('elasticsearch') for element in plan.get('cluster_topology') or []
                                             if isinstance(element, dict)]
    refs = []
    for config in configs:
        for key, extension_type in KINDS:
            items = config.get(key) if isinstance(config, dict) else None
            refs.extend((extension_type, item) for item in items or [] if isinstance(item, dict))
    return refs


class Deployment:  # pylint: disable=too-many-instance-attributes
    """One deployment and its single Elasticsearch resource."""

    def __init__(self, dep_id, name, version, now, kibana=False, built_ins=None, template_id='default'):  # pylint: disable=too-many-arguments
        self.id, self.name, self.alias = dep_id, name, None
        self.tags = []  # metadata.tags: [{key, value}]
        self.resource_id = secrets.token_hex(16)
        self.ref_id, self.region = REF_ID, REGION
        self.created = self.modified = now
        self.version = 1  # x-cloud-resource-version and the resource's metadata.version
        plan = initial_plan(version, built_ins)
        plan['deployment_template']['id'] = template_id
        first = Attempt(1, plan, now, action='deployments.create-deployment', facilitator='adminconsole')
        first.end(now)
        self.plans = PlanState(first)
        # 0.3.0: an optional Kibana resource at the same version (emulator_resources.py)
        self.kibana = emulator_resources.StatelessResource(version, self.ref_id, now) if kibana else None
        self.loaded = None  # what the nodes loaded with the last successful plan (set by the store)

    def touch(self, at):
        self.version += 1
        self.modified = at

    def headers(self):
        return {'x-cloud-resource-version': str(self.version), 'x-cloud-resource-created': iso(self.created),
                'x-cloud-resource-last-modified': iso(self.modified)}


class DeploymentStore:
    """All deployments plus the plan settings; installs the in-use hooks on the extensions store."""

    def __init__(self, extensions):
        self.extensions = extensions
        self.lock = extensions.lock
        self.settings = PlanSettings()
        self.search = SearchSettings()
        self.stacks = StackVersions()
        self._items = {}
        extensions.users = self.users_of
        extensions.before_archive_change = self.settle

    def settle(self):
        """End every plan attempt whose time is up (as of now) and return now; the caller holds the lock."""
        now = time.time()
        for deployment in self._items.values():
            ended = deployment.plans.settle(now)
            if ended is not None:
                self._ended(deployment, ended)
            if deployment.kibana is not None and emulator_resources.settle(deployment, now, self.settings) is not None:
                deployment.touch(now)  # after Elasticsearch: Kibana follows it
        return now

    def _ended(self, deployment, attempt):
        deployment.touch(attempt.ended_at)
        if attempt.outcome == 'success':
            self._record_loaded(deployment, attempt)

    def _record_loaded(self, deployment, attempt):
        """The nodes restarted with this plan: they now run the archives stored at this moment."""
        extensions = []
        for extension_type, item in extension_refs(attempt.plan):
            match = REPO_RE.match(item.get('url') or '')
            info = self.extensions.archive_info(match.group(1)) if match else None
            extensions.append({'id': match.group(1) if match else None, 'name': item.get('name'), 'url': item.get('url'),
                               'extension_type': extension_type, 'sha256': info['sha256'] if info else None})
        deployment.loaded = {'plan_attempt_id': attempt.id, 'loaded_at': iso(attempt.ended_at), 'extensions': extensions}

    def create(self, name, version, dep_id=None, kibana=False, built_ins=None, tags=None, template_id='default'):  # pylint: disable=too-many-arguments
        """A new deployment with a healthy current plan; None when `dep_id` is taken. `tags`: {key: value}."""
        with self.lock:
            now = self.settle()
            dep_id = dep_id or secrets.token_hex(16)
            if dep_id in self._items:
                return None
            deployment = Deployment(dep_id, name, version, now, kibana, built_ins, template_id)
            deployment.tags = [{'key': key, 'value': value} for key, value in (tags or {}).items()]
            self._record_loaded(deployment, deployment.plans.running)
            self._items[dep_id] = deployment
            return deployment

    def find(self, dep_id):
        """The live Deployment or None; the caller holds the lock and has settled."""
        return self._items.get(dep_id)

    def all(self):
        return list(self._items.values())

    def apply(self, deployment, plan, now, **attempt_args):
        """Start a plan attempt on the deployment's resource (the caller validated everything)."""
        attempt = deployment.plans.start(plan, self.settings, now, **attempt_args)
        deployment.touch(now)
        return attempt

    def cancel(self, deployment, now, force=False):
        """Cancel the pending attempt; a graceful cancel leaves no trace either under the register's other reading
        of `cancelled-attempt` (PlanSettings' `cancelled_attempt: removed`)."""
        attempt = deployment.plans.cancel(now, force or self.settings.cancelled_attempt == 'removed')
        if attempt is not None:
            deployment.touch(now)
        return attempt

    def users_of(self, ext_id):
        """[(deployment id, name)] whose current, running or pending plan references repo://<ext_id>."""
        with self.lock:
            self.settle()
            url = 'repo://' + ext_id
            return [(deployment.id, deployment.name) for deployment in self._items.values()
                    if any(item.get('url') == url for plan in deployment.plans.plans() for _type, item in extension_refs(plan))]

    def loaded(self, dep_id):
        """The control endpoint's view: the loaded revisions next to the archives stored now; None when unknown."""
        with self.lock:
            self.settle()
            deployment = self._items.get(dep_id)
            if deployment is None:
                return None
            extensions = []
            for entry in deployment.loaded['extensions']:
                info = self.extensions.archive_info(entry['id']) if entry['id'] else None
                stored = info['sha256'] if info else None
                extensions.append(dict(entry, stored_sha256=stored, stale=entry['sha256'] != stored))
            return dict(deployment.loaded, id=deployment.id, ref_id=deployment.ref_id, extensions=extensions)

    def reset(self):
        with self.lock:
            self._items.clear()
            self.settings = PlanSettings()
            self.search.reset()
            self.stacks.reset()
