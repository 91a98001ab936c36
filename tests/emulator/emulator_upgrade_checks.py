"""The 0.3.0 checks of `PUT /deployments/{id}`: version upgrades, built-in plugins, strategies, Kibana payloads.

Facts and chosen codes: FLEET.md 1.4, 1.5, 5.5 and 8.4 in the research notes (codes [O] where ECE was
seen to use them, else the legacy plan endpoint's `clusters.cluster_invalid_plan`). Each check returns a
list of (code, message, fields); the update handler stops at the first check that finds any.

Assumption [I] (register: omitted-version; the spec says an omitted `elasticsearch.version` "defaults to the
latest" installed version, which no source ties to updates): an update whose plan leaves the version out
keeps the resource's current version. Switch: `POST /_emulator/assumptions {"omitted_version": "latest"}` makes it the
newest usable stack version instead, checked like any other upgrade.
"""

import emulator_resources as stateless
from emulator_stack_versions import parse

INVALID_PLAN = 'clusters.cluster_invalid_plan'
PROHIBITED = 'clusters.cluster_plan_change_prohibited'
PATH_NOT_ALLOWED = 'deployments.upgrade_path_not_allowed'
STRATEGIES = ('autodetect', 'grow_and_shrink', 'rolling_grow_and_shrink', 'rolling')
VERSION_FIELD = 'resources.elasticsearch[%d].elasticsearch.version'
PLUGIN_VERSIONS_FAILED = ('Plan change failed: Failed to validate Elasticsearch versions for plan.',
                          'ClusterFailure:PluginVersionsMismatch')
PLUGIN_STEP = 'validate-elasticsearch-plugin-versions'


def _es_payloads(doc):
    return list(enumerate((doc.get('resources') or {}).get('elasticsearch') or []))


def _kibana_payloads(doc):
    return list(enumerate((doc.get('resources') or {}).get(stateless.KIND) or []))


def current_version(deployment):
    return deployment.plans.running.plan.get('elasticsearch', {}).get('version')


def fill_omitted_versions(doc, deployment, stacks, omitted):
    """Give each Elasticsearch plan without a version the one the assumption above says (so no stored plan lacks one)."""
    for _index, payload in _es_payloads(doc):
        config = payload['plan']['elasticsearch']
        if not config.get('version'):
            config['version'] = (stacks.latest() if omitted == 'latest' else None) or current_version(deployment)


def stateless_problems(doc, deployment):
    """Kibana payloads: well-formed, naming the deployment's Kibana, at the Elasticsearch version (or blank)."""
    found = []
    payloads = _kibana_payloads(doc)
    es_payloads = _es_payloads(doc)
    target = es_payloads[0][1]['plan']['elasticsearch'].get('version') if es_payloads else current_version(deployment)
    if payloads and not isinstance((doc.get('resources') or {}).get(stateless.KIND), list):
        return [(INVALID_PLAN, 'resources.kibana must be a list.', ['resources.kibana'])]
    for index, payload in payloads:
        where = 'resources.kibana[%d]' % index
        problems = stateless.payload_problems(payload, where)
        if problems:
            found.extend((INVALID_PLAN, 'The deployment request is invalid: ' + message, [message.split(' ', 1)[0]]) for message in problems)
            continue
        if deployment.kibana is None or payload['ref_id'] != deployment.kibana.ref_id:
            found.append(('deployments.deployment_resource_not_found', 'The deployment has no Kibana resource [%s].' % payload['ref_id'],
                          [where + '.ref_id']))
            continue
        version = stateless.plan_version(payload['plan'])
        if version is not None and version != target:
            found.append((INVALID_PLAN, 'Kibana version [%s] must match the Elasticsearch version [%s] of the deployment.' % (version, target),
                          [where + '.plan.kibana.version']))
    return found


def version_change(doc, deployment, stacks):
    """8.4 items 1 and 2: the target is a usable pack, and the current pack may upgrade to it (no downgrade)."""
    found = []
    current = current_version(deployment)
    for index, payload in _es_payloads(doc):
        target = payload['plan']['elasticsearch']['version']
        if target == current:
            continue
        if parse(target) is None or stacks.usable(target) is None:
            found.append((PROHIBITED, "Value of field 'elasticsearch.version' cannot be changed to [%s]. (%s)" % (target, VERSION_FIELD % index),
                          [VERSION_FIELD % index]))
            continue
        pack = stacks.find(current)
        if parse(target) < (parse(current) or ()) or pack is None or target not in pack['upgradable_to']:
            found.append((PATH_NOT_ALLOWED, 'Deployment upgrade path not allowed: [Upgrade from version [%s] to version [%s] not allowed] '
                          '(resources.elasticsearch[%d])' % (current, target, index), ['resources.elasticsearch[%d]' % index]))
    return found


def _built_in_names(plan):
    configs = [plan.get('elasticsearch')] + [element.get('elasticsearch') for element in plan.get('cluster_topology') or []]
    names = []
    for config in configs:
        names.extend(name for name in (config or {}).get('enabled_built_in_plugins') or [] if name not in names)
    return names


def built_in_plugins(doc, stacks):
    """8.4 item 3: each enabled built-in plugin (plan level or topology element) exists in the target's pack."""
    found = []
    for index, payload in _es_payloads(doc):
        plan = payload['plan']
        pack = stacks.find(plan['elasticsearch']['version'])
        for name in _built_in_names(plan):
            if not isinstance(name, str) or pack is None or name not in pack['plugins']:
                found.append((INVALID_PLAN, 'The built-in plugin [%s] is not available in Elasticsearch [%s]; available: [%s].'
                              % (name, plan['elasticsearch']['version'], ', '.join(pack['plugins'] if pack else [])),
                              ['resources.elasticsearch[%d].plan.elasticsearch.enabled_built_in_plugins' % index]))
    return found


def strategies(doc, deployment, refuse_malformed=True):
    """8.4 items 5 and 7: one known strategy per plan; a rolling major upgrade groups by `__all__`.

    `refuse_malformed=False` (switch `strategy_check: none`) lets an unknown strategy through unchecked.
    """
    found = []
    current = parse(current_version(deployment)) or (0,)
    for kind, payloads in (('elasticsearch', _es_payloads(doc)), (stateless.KIND, _kibana_payloads(doc))):
        for index, payload in payloads:
            transient = payload['plan'].get('transient') or {}
            strategy = transient.get('strategy') if isinstance(transient, dict) else None
            if strategy is None:
                continue
            where = ['resources.%s[%d].plan.transient.strategy' % (kind, index)]
            if not isinstance(strategy, dict) or len(strategy) != 1 or next(iter(strategy)) not in STRATEGIES:
                if refuse_malformed:
                    found.append((INVALID_PLAN, 'A plan strategy must name exactly one of [%s].' % ', '.join(STRATEGIES),
                                  where))
                continue
            rolling = strategy.get('rolling')
            target = parse(payload['plan'].get('elasticsearch', {}).get('version')) if kind == 'elasticsearch' else None
            if rolling is not None and target and target[0] > current[0] and (rolling or {}).get('group_by', '__name__') != '__all__':
                found.append((INVALID_PLAN, 'A rolling strategy for a major version upgrade must use group_by [__all__].', where))
    return found


def plugin_versions_deferred(settings):
    """Whether plugin/bundle version mismatches pass the PUT and fail the plan instead (switch `plugin_check`)."""
    return settings.plugin_check == 'plan'
