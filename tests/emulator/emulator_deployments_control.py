"""Control endpoints (test hooks, no auth) for deployments and the plan engine, under /_emulator.

    POST /_emulator/deployments              {"name", "elasticsearch_version", "id"?, "kibana"?, "enabled_built_in_plugins"?}:
                                             create one (201, its GET body)
    GET  /_emulator/plans, POST /_emulator/plans   plan timing, failures, failed-attempt placement, URL mode
    GET  /_emulator/deployments/{id}/loaded  which archive revision (SHA-256) of each extension the nodes loaded
    GET  /_emulator/deployments/{id}/attempts  every plan attempt with its transient strategy (emulator_attempts_control)
Create also takes "tags" ({key: value}, metadata tags) and "template_id"; the bulk form and the search
switches are in emulator_fleet_control.
"""

import re
import time

import emulator_fleet_control as fleet
from emulator_api import Response, failure
from emulator_deployments_store import ID_RE
from emulator_deployments_view import View, deployment_body
from emulator_plan_engine import SettingsError

LOADED_RE = re.compile(r'/_emulator/deployments/([^/]+)/loaded')
VERSION_RE = re.compile(r'^\d+\.\d+\.\d+$')
INVALID = 'root.invalid_json_request'
CREATE_KEYS = ('name', 'elasticsearch_version', 'id', 'kibana', 'enabled_built_in_plugins', 'tags', 'template_id')


def routes(path):
    """The methods a deployments control path allows, or None when the path is not one of them."""
    if path == '/_emulator/deployments':
        return ('POST',)
    if path in ('/_emulator/plans', '/_emulator/search'):
        return ('GET', 'POST')
    return ('GET',) if LOADED_RE.fullmatch(path) else None  # .../attempts: emulator_upgrade_control (both views)


def _create(doc, store):
    if fleet.is_bulk(doc):
        return fleet.create_many(doc, store, _create)
    if not isinstance(doc, dict):
        return failure(400, INVALID, 'Send {"name": "...", "elasticsearch_version": "8.15.1", "id": "<32 hex, optional>"}.', ['body'])
    unknown = sorted(set(doc) - set(CREATE_KEYS))
    if unknown:
        return failure(400, INVALID, 'Unknown keys %s; the keys are %s.' % (', '.join(unknown), ', '.join(CREATE_KEYS)), ['body'])
    if not isinstance(doc.get('name'), str) or not doc['name']:
        return failure(400, INVALID, '"name" is required: a non-empty string.', ['body.name'])
    if not isinstance(doc.get('elasticsearch_version'), str) or not VERSION_RE.match(doc['elasticsearch_version']):
        return failure(400, INVALID, '"elasticsearch_version" is required, like "8.15.1".', ['body.elasticsearch_version'])
    if doc.get('id') is not None and (not isinstance(doc['id'], str) or not ID_RE.match(doc['id'])):
        return failure(400, INVALID, '"id" must be 32 lowercase hex characters.', ['body.id'])
    if not isinstance(doc.get('kibana', False), bool):
        return failure(400, INVALID, '"kibana" must be true or false (a Kibana resource at the same version).', ['body.kibana'])
    built_ins = doc.get('enabled_built_in_plugins') or []
    if not isinstance(built_ins, list) or not all(isinstance(name, str) and name for name in built_ins):
        return failure(400, INVALID, '"enabled_built_in_plugins" must be a list of plugin names.', ['body.enabled_built_in_plugins'])
    problem = fleet.check_extras(doc)
    if problem:
        return failure(400, INVALID, problem, ['body'])
    deployment = store.create(doc['name'], doc['elasticsearch_version'], doc.get('id'), doc.get('kibana', False), built_ins,
                              tags=doc.get('tags'), template_id=doc.get('template_id') or 'default')
    if deployment is None:
        return failure(409, 'deployments.deployment_already_exists', 'A deployment with id [%s] already exists.' % doc['id'])
    with store.lock:
        return Response(201, deployment_body(deployment, time.time(), View({})), deployment.headers())


def _plans(method, doc, store):
    with store.lock:
        if method == 'POST':
            try:
                store.settings.update(doc)
            except SettingsError as exc:
                return failure(400, INVALID, str(exc), ['body'])
        return Response(200, dict(store.settings.values))


def handle(method, path, read_doc, store):
    """Answer an allowed (method, path) of `routes`; `read_doc()` gives the JSON body or None."""
    if path == '/_emulator/deployments':
        return _create(read_doc(), store)
    if path == '/_emulator/search':
        return fleet.search_control(method, read_doc() if method == 'POST' else None, store)
    if path == '/_emulator/plans':
        return _plans(method, read_doc() if method == 'POST' else None, store)
    dep_id = LOADED_RE.fullmatch(path).group(1)
    loaded = store.loaded(dep_id)
    if loaded is None:
        return failure(404, 'deployments.deployment_not_found', 'The Deployment specified by [%s] cannot be found.' % dep_id)
    return Response(200, loaded)
