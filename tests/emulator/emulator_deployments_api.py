"""The deployments operations under /api/v1/deployments, with the statuses Elastic's Swagger documents.

Facts and chosen codes: DEPLOYMENTS.md in the research notes next to the repository (sections 2, 3 and 8).
Every handler takes the store's lock, settles the plan engine (ends attempts whose time is up), then acts,
so what a request sees is the state at the moment it arrived.
"""

import copy

import emulator_deployments_checks as checks
import emulator_resources as stateless
import emulator_upgrade_checks as upgrade
from emulator_strategy_check import bad_strategies
from emulator_api import Response, failure, read_json
from emulator_deployments_view import View, deployment_body, listing, resource_info, update_response
from emulator_search import search

NOT_FOUND = 'deployments.deployment_not_found'
NO_RESOURCE = 'deployments.deployment_resource_not_found'
RESTART_REFUSED = 'deployments.deployment_resource_plan_change_error'
NOTHING_PENDING = 'deployments.resource_does_not_have_a_pending_plan'


def _flag(call, name, default=False):
    values = call.query.get(name)
    return default if not values else values[-1].strip().lower() == 'true'


def _missing(dep_id):
    return failure(404, NOT_FOUND, 'The Deployment specified by [%s] cannot be found.' % dep_id)


def _refused(errors, status=400):
    """A BasicFailedReply (400 unless told) carrying every error a check found."""
    elements = []
    for code, message, fields in errors:
        element = {'code': code, 'message': message}
        if fields:
            element['fields'] = list(fields)
        elements.append(element)
    return Response(status, {'errors': elements}, {'x-cloud-error-codes': ','.join(sorted({code for code, _m, _f in errors}))})


def _resource(call, store, missing_code=NOT_FOUND):
    """(deployment, None) when the path's deployment has the path's ref_id (or `_main`), else (None, 404).

    Only `_restart` documents `deployments.deployment_resource_not_found` for an unknown resource; the
    single-resource GET and the cancel document `deployments.deployment_not_found` alone, so they use it.
    """
    deployment = store.find(call.parts[1])
    if deployment is None:
        return None, _missing(call.parts[1])
    ref_id = call.parts[3] if call.parts[2] == 'elasticsearch' else None
    if ref_id not in (deployment.ref_id, '_main'):
        return None, failure(404, missing_code, 'The Resource specified by [%s] cannot be found in the deployment.' % '/'.join(call.parts[2:4]))
    return deployment, None


def list_deployments(call, store):
    with store.lock:
        store.settle()
        return Response(200, listing(store.all()))


def get_deployment(call, store):
    with store.lock:
        now = store.settle()
        deployment = store.find(call.parts[1])
        if deployment is None:
            return _missing(call.parts[1])
        return Response(200, deployment_body(deployment, now, View(call.query)), deployment.headers())


def get_resource(call, store):
    with store.lock:
        now = store.settle()
        deployment, error = _resource(call, store)
        return error or Response(200, resource_info(deployment, now, View(call.query)))


def _checked(doc, call, store, deployment):
    """The first failing check's 400 (8.3 order, the `version` guard after the body's shape), or None.

    Checks run lazily one after the other and stop at the first refusal: a later check may rely on what
    an earlier one verified (a schemathesis run found a crash when every check ran after a refusal).
    Some replies follow switches of assumed behaviours (tests/ece_behaviours.yml): the status and code
    of a version conflict, the status of the refusal while a plan is pending, whether the version rules
    refuse the PUT or (`plugin_check: plan`) let the plan change fail later, and whether a malformed
    strategy is refused (`strategy_check: put`) or ignored (`none`).
    """
    assumptions = store.extensions.assumptions
    problems = checks.malformed(doc)
    if problems:
        return _refused(problems)
    wanted = call.query.get('version', [None])[-1]
    if wanted is not None and wanted != str(deployment.version):
        return failure(assumptions['version_conflict_status'], assumptions['version_conflict_code'],
                       'The deployment was changed since version [%s]; it is now at version [%s]. Read it again and retry.'
                       % (wanted, deployment.version))
    upgrade.fill_omitted_versions(doc, deployment, store.stacks, store.settings.omitted_version)
    ordered = [
        lambda: checks.unknown_resources(doc, deployment),
        lambda: upgrade.stateless_problems(doc, deployment),
        lambda: checks.plan_pending(doc, deployment),
        lambda: checks.bad_urls(doc, store.settings.url_mode),
        lambda: checks.unusable_extensions(doc, store.extensions),
        lambda: upgrade.version_change(doc, deployment, store.stacks),
        lambda: upgrade.built_in_plugins(doc, store.stacks),
        lambda: bad_strategies(doc) if assumptions['strategy_check'] == 'put' else [],
        lambda: upgrade.strategies(doc, deployment, refuse_malformed=assumptions['strategy_check'] == 'put'),
    ]
    if not upgrade.plugin_versions_deferred(store.settings):
        ordered.append(lambda: checks.version_mismatches(doc, deployment, store.extensions))
    for check in ordered:
        problems = check()
        if problems:
            pending = any(code == checks.PLAN_PENDING for code, _message, _fields in problems)
            return _refused(problems, assumptions['plan_pending_status'] if pending else 400)
    return None


def update_deployment(call, store):
    dep_id = call.parts[1]
    with store.lock:
        if store.find(dep_id) is None:
            return _missing(dep_id)  # before the body is read, as with the extensions' uploads
    try:
        doc = read_json(call.body)  # outside the lock: a slow client must not stall everyone
    except ValueError:
        doc = None
    with store.lock:
        now = store.settle()
        deployment = store.find(dep_id)
        if deployment is None:
            return _missing(dep_id)  # removed (reset) while the body arrived
        error = _checked(doc, call, store, deployment)
        if error:
            return error
        validate_only = _flag(call, 'validate_only')
        if not validate_only:
            _apply(doc, store, deployment, now)
        return Response(200, update_response(deployment, validate_only), deployment.headers())


def _apply(doc, store, deployment, now):
    """Replace-semantics: the body's plan becomes the new attempt's plan, omitted extension arrays included."""
    renamed = False
    for key in ('name', 'alias'):
        if key in doc and doc[key] != getattr(deployment, key):
            setattr(deployment, key, doc[key])
            renamed = True
    payloads = checks.payloads_of(doc)
    es_attempt = None
    for _index, payload in payloads:
        # In plugin_check=plan mode a plugin or bundle that does not fit passed the PUT: the attempt fails at its step.
        mismatched = upgrade.plugin_versions_deferred(store.settings) and checks.version_mismatches(doc, deployment, store.extensions)
        extra = dict(failure=upgrade.PLUGIN_VERSIONS_FAILED, failed_step=upgrade.PLUGIN_STEP) if mismatched else {}
        es_attempt = store.apply(deployment, payload['plan'], now, **extra)  # even an identical plan runs: the reload path
    kibana_payloads = (doc.get('resources') or {}).get(stateless.KIND) or []
    for payload in kibana_payloads:
        stateless.start(deployment, payload['plan'], store.settings, now, es_attempt)
    if renamed and not payloads and not kibana_payloads:
        deployment.touch(now)


def restart_resource(call, store):
    with store.lock:
        now = store.settle()
        deployment, error = _resource(call, store, NO_RESOURCE)
        if error:
            return error
        if deployment.plans.pending is not None:
            if not _flag(call, 'cancel_pending'):
                return failure(422, RESTART_REFUSED, 'Elasticsearch resource [%s] has a plan still pending; wait for it or use cancel_pending=true.'
                               % deployment.ref_id)
            store.cancel(deployment, now)
        plan = copy.deepcopy(deployment.plans.current.plan)
        plan['transient'] = {'plan_configuration': {'cluster_reboot': 'forced'}}
        store.apply(deployment, plan, now, action='deployments.restart-deployment-es-resource')
        return Response(202, {})


def cancel_pending(call, store):
    with store.lock:
        now = store.settle()
        deployment, error = _resource(call, store)
        if error:
            return error
        if store.cancel(deployment, now, _flag(call, 'force_delete')) is None and not _flag(call, 'ignore_missing'):
            return failure(400, NOTHING_PENDING, 'The Resource does not have a pending plan.')
        return Response(200, {'id': deployment.id, 'kind': 'elasticsearch', 'ref_id': deployment.ref_id})


def search_deployments(call, store):
    return search(call, store, store.search)


def _route(parts):
    """{method: operation} for a path under /deployments (not the extensions), or None when there is none."""
    size = len(parts)
    if size == 1:
        return {'GET': list_deployments}
    if parts[1:] == ['_search']:
        return {'POST': search_deployments}
    if size == 2:
        return {'GET': get_deployment, 'PUT': update_deployment}  # any id: unknown ones get the documented 404
    if size == 4 and parts[2] == 'elasticsearch':
        return {'GET': get_resource}
    if size == 5 and parts[2] == 'elasticsearch' and parts[4] == '_restart':
        return {'POST': restart_resource}
    if size == 6 and parts[4:] == ['plan', 'pending']:
        return {'DELETE': cancel_pending}
    return None


def handle(call, store):
    """Route an authenticated request whose path starts with /api/v1/deployments (extensions excluded)."""
    operations = _route(call.parts)
    if operations is None or any(not part for part in call.parts):
        return failure(404, 'root.resource_not_found', 'The requested resource could not be found.')
    operation = operations.get(call.method)
    if operation is None:
        allowed = ', '.join(sorted(operations))
        return failure(405, 'root.method_not_allowed', 'The method [%s] is not allowed here; use one of [%s].' % (call.method, allowed),
                       headers={'Allow': allowed})
    return operation(call, store)
