"""The query half of `POST /deployments/_search`: deployments flattened into documents, and a query matcher.

FLEET.md 8.3 (all [I] unless noted): each deployment is a document of top-level fields plus nested
sub-documents (`metadata.tags`, `resources.<kind>`); a `nested` query matches when one sub-document of its
path matches its inner query, so `key=a` and `value=b` must hold in the same tag, as in Elasticsearch.
Fields of a nested path are not visible to a query outside a `nested` of that path (as in Elasticsearch).
Supported: match_all, match_none, term, match (exact), prefix, exists, nested, bool. Anything else is
`Unsupported`: the caller matches nothing, or answers 400 under the strict switch.
"""

KINDS = ('elasticsearch', 'kibana', 'apm', 'appsearch', 'enterprise_search', 'integrations_server')


class Unsupported(ValueError):
    """A query the emulator does not understand (no status is documented for it)."""


def _resource_doc(kind, resource, now):
    """The searchable fields of one resource of a deployment (its `resources.<kind>` sub-document)."""
    prefix = 'resources.%s.' % kind
    plans = resource.plans
    plan = plans.current.plan
    doc = {
        prefix + 'id': [resource.resource_id], prefix + 'ref_id': [resource.ref_id], prefix + 'region': [getattr(resource, 'region', 'ece-region')],
        prefix + 'info.healthy': [plans.healthy and plans.visible_pending(now) is None],
        prefix + 'info.status': ['reconfiguring' if plans.visible_pending(now) is not None else 'started'],
        prefix + 'info.plan_info.current.plan.deployment_template.id': [(plan.get('deployment_template') or {}).get('id')],
        prefix + 'info.plan_info.current.plan.%s.version' % kind: [(plan.get(kind) or {}).get('version')],
    }
    if plans.visible_pending(now) is not None:
        doc[prefix + 'info.plan_info.pending'] = [True]
    return {field: [value for value in values if value is not None] for field, values in doc.items()}


def document(deployment, now):
    """{'fields': {field: [values]}, 'nested': {path: [sub-documents]}} for one deployment."""
    fields = {'id': [deployment.id], 'name': [deployment.name], 'name.keyword': [deployment.name],
              'healthy': [deployment.plans.healthy and deployment.plans.visible_pending(now) is None],
              'metadata.last_modified': [deployment.modified]}
    if deployment.alias:
        fields['alias'] = [deployment.alias]
    nested = {'metadata.tags': [{'metadata.tags.key': [tag['key']], 'metadata.tags.value': [tag['value']]}
                                for tag in getattr(deployment, 'tags', [])]}
    for kind in KINDS:
        nested['resources.' + kind] = [_resource_doc(kind, resource, now) for resource in resources_of(deployment, kind)]
    return {'fields': fields, 'nested': nested}


def resources_of(deployment, kind):
    """The deployment's resources of one kind: its Elasticsearch resource (the deployment itself), maybe a Kibana one."""
    if kind == 'elasticsearch':
        return [deployment]
    resource = getattr(deployment, kind, None)  # the optional Kibana resource (emulator_resources.StatelessResource)
    return [resource] if resource is not None and hasattr(resource, 'plans') else []


def _same(stored, wanted):
    """Term equality as a keyword field compares: booleans also as their "true"/"false" strings."""
    if isinstance(stored, bool):
        return wanted is stored or str(wanted).lower() == str(stored).lower()
    return isinstance(wanted, (str, int, float)) and str(stored) == str(wanted)


def _field_query(body, name):
    """(field, value) of a `{field: {"value": v}}` or `{field: v}` leaf query."""
    if not isinstance(body, dict) or len(body) != 1:
        raise Unsupported('%s takes one field: {"%s": {"<field>": {"value": ...}}}' % (name, name))
    (field, spec), = body.items()
    if isinstance(spec, dict):
        if 'value' not in spec and 'query' not in spec:
            raise Unsupported('%s on %s needs "value"' % (name, field))
        return field, spec.get('value', spec.get('query'))
    return field, spec


def _clauses(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _bool(body, fields, nested):
    if not isinstance(body, dict) or set(body) - {'must', 'filter', 'should', 'must_not', 'minimum_should_match'}:
        raise Unsupported('bool takes must, filter, should, must_not and minimum_should_match')
    for clause in _clauses(body.get('must')) + _clauses(body.get('filter')):
        if not matches(clause, fields, nested):
            return False
    if any(matches(clause, fields, nested) for clause in _clauses(body.get('must_not'))):
        return False
    should = _clauses(body.get('should'))
    if not should:
        return True
    required = body.get('minimum_should_match')
    if required is None:  # Elasticsearch: 1 when the bool has only should clauses, else 0
        required = 0 if body.get('must') or body.get('filter') else 1
    return sum(1 for clause in should if matches(clause, fields, nested)) >= int(required)


def matches(query, fields, nested):
    """Whether a document (its fields in this scope and its nested paths) matches a QueryContainer."""
    if not isinstance(query, dict) or len(query) != 1:
        raise Unsupported('a query container holds exactly one query type')
    (kind, body), = query.items()
    if kind == 'match_all':
        return True
    if kind == 'match_none':
        return False
    if kind in ('term', 'match'):
        field, value = _field_query(body, kind)
        return any(_same(stored, value) for stored in fields.get(field, []))
    if kind == 'prefix':
        field, value = _field_query(body, kind)
        return isinstance(value, str) and any(isinstance(stored, str) and stored.startswith(value) for stored in fields.get(field, []))
    if kind == 'exists':
        if not isinstance(body, dict) or not isinstance(body.get('field'), str):
            raise Unsupported('exists takes {"field": "<field>"}')
        return bool(fields.get(body['field']))
    if kind == 'nested':
        if not isinstance(body, dict) or not isinstance(body.get('path'), str) or 'query' not in body:
            raise Unsupported('nested takes {"path": "...", "query": {...}}')
        return any(matches(body['query'], dict(fields, **sub), nested) for sub in nested.get(body['path'], []))
    if kind == 'bool':
        return _bool(body, fields, nested)
    raise Unsupported('query type %r is not supported by the emulator' % kind)
