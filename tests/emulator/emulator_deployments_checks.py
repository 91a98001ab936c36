"""The checks of `PUT /deployments/{id}`, in the order of DEPLOYMENTS.md section 8.3.

The Swagger documents no codes for most of these (only "400 The deployment request had errors."), so the
codes are those the research notes chose: observed ones where ECE was seen to use them, the legacy plan
endpoint's `clusters.cluster_invalid_plan` for a malformed or invalid plan. Each check returns a list of
(code, message, fields) errors; the first check that finds any decides the 400.
"""

import urllib.parse

from emulator_deployments_store import REPO_RE, extension_refs

INVALID_PLAN = 'clusters.cluster_invalid_plan'
BAD_URL = 'clusters.invalid_extension_url'
PLAN_PENDING = 'deployments.resource_plan_state_error'
NO_RESOURCE = 'deployments.deployment_resource_not_found'
OTHER_KINDS = ('kibana', 'apm', 'appsearch', 'enterprise_search', 'integrations_server')
ITEM_FIELDS = ('name', 'url', 'elasticsearch_version')


def _shape_of_extensions(config, where):
    found = []
    for key in ('user_bundles', 'user_plugins'):
        items = config.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            found.append('%s.%s must be a list.' % (where, key))
            continue
        for index, item in enumerate(items):
            here = '%s.%s[%d]' % (where, key, index)
            if not isinstance(item, dict):
                found.append('%s must be an object {name, url, elasticsearch_version}.' % here)
                continue
            found.extend('%s.%s is required and must be a non-empty string.' % (here, field)
                         for field in ITEM_FIELDS if not isinstance(item.get(field), str) or not item[field])
    return found


def _shape_of_payload(payload, where):
    if not isinstance(payload, dict):
        return ['%s must be an object (an ElasticsearchPayload).' % where]
    found = ['%s.%s is required and must be a string.' % (where, key)
             for key in ('ref_id', 'region') if not isinstance(payload.get(key), str)]
    plan = payload.get('plan')
    if not isinstance(plan, dict):
        return found + ['%s.plan is required and must be an object.' % where]
    topology, config = plan.get('cluster_topology'), plan.get('elasticsearch')
    if not isinstance(topology, list) or not all(isinstance(element, dict) for element in topology):
        found.append('%s.plan.cluster_topology is required and must be a list of objects.' % where)
        topology = []
    if not isinstance(config, dict):
        found.append('%s.plan.elasticsearch is required and must be an object.' % where)
    else:
        found.extend(_shape_of_extensions(config, where + '.plan.elasticsearch'))
    for index, element in enumerate(topology):
        if isinstance(element.get('elasticsearch'), dict):
            found.extend(_shape_of_extensions(element['elasticsearch'], '%s.plan.cluster_topology[%d].elasticsearch' % (where, index)))
    return found


def malformed(doc):
    """Check 2: the body is a DeploymentUpdateRequest whose Elasticsearch payloads are complete."""
    if not isinstance(doc, dict):
        return [(INVALID_PLAN, 'The request body must be a JSON object (a DeploymentUpdateRequest).', ['body'])]
    found = []
    if not isinstance(doc.get('prune_orphans'), bool):
        found.append('prune_orphans is required and must be true or false.')
    found.extend('%s must be a string.' % key for key in ('name', 'alias') if key in doc and not isinstance(doc[key], str))
    resources = doc.get('resources', {})
    if not isinstance(resources, dict):
        found.append('resources must be an object.')
        resources = {}
    payloads = resources.get('elasticsearch', [])
    if not isinstance(payloads, list):
        found.append('resources.elasticsearch must be a list.')
        payloads = []
    for index, payload in enumerate(payloads):
        found.extend(_shape_of_payload(payload, 'resources.elasticsearch[%d]' % index))
    return [(INVALID_PLAN, 'The deployment request is invalid: ' + message, [message.split(' ', 1)[0]]) for message in found]


def payloads_of(doc):
    """(index, payload) of each Elasticsearch payload of a well-formed body."""
    return list(enumerate((doc.get('resources') or {}).get('elasticsearch') or []))


def unknown_resources(doc, deployment):
    """Check 3: every payload names the deployment's Elasticsearch resource; nothing else is asked of it."""
    found = []
    resources = doc.get('resources') or {}
    payloads = payloads_of(doc)
    for kind in OTHER_KINDS:
        if kind == 'kibana' and deployment.kibana is not None:
            continue  # checked by emulator_upgrade_checks.stateless_problems
        if resources.get(kind):
            found.append((INVALID_PLAN, 'The emulator only manages Elasticsearch resources; remove resources.%s.' % kind, ['resources.' + kind]))
    for index, payload in payloads:
        where = 'resources.elasticsearch[%d]' % index
        if payload['ref_id'] != deployment.ref_id:
            message = 'The deployment has no Elasticsearch resource [%s]; its resource is [%s].' % (payload['ref_id'], deployment.ref_id)
            found.append((NO_RESOURCE, message, [where + '.ref_id']))
        elif payload['region'] != deployment.region:
            message = 'The resource [%s] is in region [%s], not [%s].' % (deployment.ref_id, deployment.region, payload['region'])
            found.append((INVALID_PLAN, message, [where + '.region']))
    if len({payload['ref_id'] for _index, payload in payloads}) < len(payloads):
        found.append((INVALID_PLAN, 'The resource [%s] is given more than once.' % deployment.ref_id, ['resources.elasticsearch']))
    if doc['prune_orphans'] and not payloads:
        message = 'prune_orphans: true would shut down [%s], which the request leaves out; send it, or prune_orphans: false.' % deployment.ref_id
        found.append((INVALID_PLAN, message, ['prune_orphans']))
    return found


def plan_pending(doc, deployment):
    """Check 4: no plan change while one is pending (even one that does not show yet)."""
    if payloads_of(doc) and deployment.plans.pending is not None:
        message = 'Elasticsearch resource [%s] has a plan still pending, cancel that or wait for it to complete' % deployment.ref_id
        return [(PLAN_PENDING, message, [])]
    kibana = deployment.kibana
    if (doc.get('resources') or {}).get('kibana') and kibana is not None and kibana.plans.pending is not None:
        message = 'Kibana resource [%s] has a plan still pending, cancel that or wait for it to complete' % kibana.ref_id
        return [(PLAN_PENDING, message, [])]
    return []


def _items(payload):
    """(extension_type, item) for each extension entry of a payload's plan."""
    return extension_refs(payload['plan'])


def bad_urls(doc, url_mode):
    """Check 5: `repo://<digits>`; with url_mode `ece`, also an http(s) URL."""
    found = []
    for index, payload in payloads_of(doc):
        for extension_type, item in _items(payload):
            url = item['url']
            split = urllib.parse.urlsplit(url)
            web = url_mode == 'ece' and split.scheme in ('http', 'https') and bool(split.netloc)
            if not REPO_RE.match(url) and not web:
                found.append((BAD_URL, 'Usage of [%s] with URL [%s] is not permitted. The URL format is invalid.' % (extension_type, url),
                              ['resources.elasticsearch[%d]' % index]))
    return found


def unusable_extensions(doc, extensions):
    """Check 6: a repo:// extension exists, has the array's type, and has an archive."""
    found = []
    for index, payload in payloads_of(doc):
        for extension_type, item in _items(payload):
            match = REPO_RE.match(item['url'])
            if not match:
                continue
            info = extensions.archive_info(match.group(1))
            if info is None:
                problem = 'no extension with id [%s] exists' % match.group(1)
            elif info['extension_type'] != extension_type:
                problem = 'extension [%s] is a %s, listed as a %s' % (info['name'], info['extension_type'], extension_type)
            elif info['sha256'] is None:
                problem = 'extension [%s] has no archive uploaded' % info['name']
            else:
                continue
            found.append((BAD_URL, 'Usage of [%s] with URL [%s] is not permitted: %s.' % (extension_type, item['url'], problem),
                          ['resources.elasticsearch[%d]' % index]))
    return found


def ece_accepts_version(extension_type, wanted, version):
    """A plugin needs the exact version; a bundle may use `*`, `N.*` or `N.M.*` (register: version-rules, assumed).

    Written apart from the collection's own version_matches on purpose: the emulator plays ECE, and a shared
    function would let a wrong rule pass both sides unnoticed.
    """
    if not isinstance(wanted, str) or not isinstance(version, str):
        return False  # a plan without a version (an old stored one) fits nothing
    if extension_type == 'bundle':
        if wanted == '*':
            return True
        if wanted.endswith('.*'):
            return version.startswith(wanted[:-1])
    return wanted == version


def version_mismatches(doc, deployment, extensions):
    """Check 7: each entry's `elasticsearch_version`, and a repo:// extension's own version, fit the plan's version."""
    found = []
    running = deployment.plans.running.plan['elasticsearch'].get('version')
    for index, payload in payloads_of(doc):
        version = payload['plan']['elasticsearch'].get('version') or running
        for extension_type, item in _items(payload):
            where = ['resources.elasticsearch[%d]' % index]
            if not ece_accepts_version(extension_type, item['elasticsearch_version'], version):
                message = 'The %s [%s] is for Elasticsearch [%s], but the plan runs [%s].' % (
                    extension_type, item['name'], item['elasticsearch_version'], version)
                found.append((INVALID_PLAN, message, where))
                continue
            match = REPO_RE.match(item['url'])
            info = extensions.archive_info(match.group(1)) if match else None
            if info is not None and not ece_accepts_version(extension_type, info['version'], version):
                message = 'The %s [%s] has version [%s], which does not fit Elasticsearch [%s].' % (
                    extension_type, info['name'], info['version'], version)
                found.append((INVALID_PLAN, message, where))
    return found
