"""`POST /api/v1/deployments/_search` (`search-deployments`): query, sort, `from`/`size` and cursor paging.

Shapes are the Swagger's [C] (fleet-swagger.json: SearchRequest, DeploymentsSearchResponse); the engine is
FLEET.md 8.3 [I unless noted]:
- `size` defaults to 10 [O]; `from + size` above 10,000 is clamped, or a 400 when the register's switch
  `search_ceiling` says `refuse` or under `strict` [O ceiling, I behaviour].
- `sort`: `["id"]`, `[{"name": {"order": "desc"}}]`, ...; default: last modified, newest first [C rank + date].
- cursor (ECE 3.8 mode, the register's switch `cursor` true): opaque; when sent, every other field is
  ignored [C]; a last, empty page still carries one [O]. ECE 3.7 mode (`cursor: false`): no cursor is
  returned and one sent is ignored.
- `minimal_metadata=a,b`: `deployments: []` and the hits as `{a, b}` objects in `minimal_metadata` [O].
- Hits carry the resources as the deployment GET with `show_plans=true` does, plans without logs, unless
  the `plans_in_hits` switch is off. Assumption [I] (FLEET.md 4.5, open question 4): whether real hits
  carry `current.plan` is unverified, so a client must also work when they do not.
`cursor`, `plans_in_hits` and `search_ceiling` are switches of the register (tests/ece_behaviours.yml, entries
search-hits-carry-plans, search-cursor, search-hit-ceiling): they live in the emulator's Assumptions, so
/_emulator/search, /_emulator/assumptions and `--assumptions flipped` agree, and a reset returns to the reading
the emulator started with. `strict` (what the emulator answers to a query it cannot run) is the test's choice,
and the log of received search bodies, live in `SearchSettings` (control: /_emulator/search).
"""

import base64
import binascii
import json
import threading

from emulator_api import Response, failure
from emulator_assumptions import Assumptions
from emulator_deployments_view import View, deployment_body
from emulator_plan_engine import iso
from emulator_search_query import Unsupported, document, matches

CEILING = 10000
DEFAULT_SIZE = 10
INVALID = 'root.invalid_json_request'  # no error is documented for _search; used only under `strict`
SORTABLE = {'id': 'id', 'name': 'name', 'name.keyword': 'name', 'metadata.last_modified': 'modified'}
ASSUMED = ('cursor', 'plans_in_hits', 'search_ceiling')  # the register's switches, kept in the Assumptions
SWITCHES = ('strict',) + ASSUMED
MAX_LOGGED = 2000
MAX_BODY = 1024 * 1024


class SearchSettings:
    """The search switches and the bodies of the searches received, oldest first.

    `assumptions` is the emulator's Assumptions (the App attaches its own); the register's switches are read
    and written there, so every control endpoint sees one value.
    """

    def __init__(self, assumptions=None):
        self._lock = threading.Lock()
        self.assumptions = assumptions if assumptions is not None else Assumptions()
        self.strict = False
        self.received = []

    @property
    def values(self):
        return dict({name: self.assumptions[name] for name in ASSUMED}, strict=self.strict)

    def update(self, doc):
        """Apply a control body; a ValueError names what is wrong (and nothing is changed then)."""
        if not isinstance(doc, dict) or set(doc) - set(SWITCHES) or not isinstance(doc.get('strict', False), bool):
            raise ValueError('Send {"strict"?: bool, "cursor"?: bool, "plans_in_hits"?: bool, "search_ceiling"?: "clamp"|"refuse"}.')
        with self._lock:
            self.assumptions.update({name: value for name, value in doc.items() if name in ASSUMED})
            self.strict = doc.get('strict', self.strict)
            return self.values

    def record(self, query_string, body):
        with self._lock:
            if len(self.received) < MAX_LOGGED:
                self.received.append({'query': query_string, 'body': body})

    def log(self):
        with self._lock:
            return list(self.received)

    def reset(self):
        """`strict` off and the log emptied; the register's switches are reset with the Assumptions."""
        with self._lock:
            self.strict = False
            self.received = []


def _sort_spec(sort):
    """[(attribute, descending)] from a SearchRequest `sort`, or raise Unsupported."""
    if sort is None:
        return [('modified', True), ('id', False)]
    if not isinstance(sort, list):
        raise Unsupported('sort is a list, like ["id"]')
    spec = []
    for item in sort:
        if isinstance(item, str):
            field, order = item, 'asc'
        elif isinstance(item, dict) and len(item) == 1:
            (field, options), = item.items()
            order = options.get('order', 'asc') if isinstance(options, dict) else options
        else:
            raise Unsupported('a sort item is "field" or {"field": {"order": "asc|desc"}}')
        if field not in SORTABLE or order not in ('asc', 'desc'):
            raise Unsupported('cannot sort on %r (%r)' % (field, order))
        spec.append((SORTABLE[field], order == 'desc'))
    return spec + [('id', False)]  # a unique tie-breaker, so a cursor always knows where it stopped


def _ordered(deployments, spec):
    ordered = list(deployments)
    for attribute, descending in reversed(spec):  # stable sorts, least significant key first
        ordered.sort(key=lambda dep, attr=attribute: getattr(dep, attr), reverse=descending)
    return ordered


def _encode_cursor(state):
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode('utf-8')).decode('ascii')


def _decode_cursor(cursor):
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor.encode('ascii')).decode('utf-8'))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise Unsupported('the cursor is not one this server gave out') from exc
    if not isinstance(state, dict) or not isinstance(state.get('after'), (list, type(None))) or not isinstance(state.get('size'), int):
        raise Unsupported('the cursor is not one this server gave out')
    return state


def _request(doc, values):
    """{query, sort, from, size, after} of a SearchRequest; `after` (a cursor's last sort values) or None."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict) or set(doc) - {'query', 'size', 'from', 'sort', 'cursor'}:
        raise Unsupported('a SearchRequest has query, size, from, sort and cursor')
    if doc.get('cursor') and values['cursor']:
        state = _decode_cursor(doc['cursor'])  # every other field is ignored [C]
        return dict(state, **{'from': 0})
    size, offset = doc.get('size', DEFAULT_SIZE), doc.get('from', 0)
    if not isinstance(size, int) or not isinstance(offset, int) or size < 0 or offset < 0:
        raise Unsupported('size and from are non-negative integers')
    return {'query': doc.get('query'), 'sort': doc.get('sort'), 'from': offset, 'size': size, 'after': None}


def _after(deployment, after, spec):
    """Whether a deployment sorts after the position `after` (the sort values of the last hit sent)."""
    for (attribute, descending), last in zip(spec, after):
        value = getattr(deployment, attribute)
        if value != last:
            return value < last if descending else value > last
    return False


def _hit(deployment, now, values):
    view = View({'show_plans': ['true' if values['plans_in_hits'] else 'false']})
    body = deployment_body(deployment, now, view)
    metadata = {'last_modified': iso(deployment.modified), 'last_resource_plan_modified': iso(deployment.modified)}
    tags = getattr(deployment, 'tags', None)
    if tags:
        metadata['tags'] = [dict(tag) for tag in tags]
    body['metadata'] = metadata
    return body


def _minimal(hit, attributes):
    return {name: hit[name] for name in attributes if name in hit}


def search(call, store, settings):
    """Answer one search; `call` is an authenticated emulator_api.Call, `store` the DeploymentStore."""
    try:
        raw = _optional_json(call.body)
    except ValueError:
        return failure(400, INVALID, 'The search body is not valid JSON.', ['body'])
    settings.record({name: given[-1] for name, given in call.query.items()}, raw)
    values = settings.values
    strict = values['strict']
    try:
        request = _request(raw, values)
        spec = _sort_spec(request['sort'])
    except Unsupported as exc:
        if strict:
            return failure(400, INVALID, str(exc), ['body'])
        request, spec = {'query': {'match_none': {}}, 'sort': None, 'from': 0, 'size': DEFAULT_SIZE, 'after': None}, _sort_spec(None)
    query, offset, size = request['query'], request['from'], request['size']
    if request['after'] is None and offset + size > CEILING:  # a cursor pages past the ceiling; from/size cannot
        if strict or values['search_ceiling'] == 'refuse':
            return failure(400, INVALID, 'from + size may not exceed %d; page with a cursor.' % CEILING, ['body.size'])
        size = max(0, CEILING - offset)
    with store.lock:
        now = store.settle()
        try:
            found = [dep for dep in store.all() if query is None or matches(query, *_parts(document(dep, now)))]
        except Unsupported as exc:
            if strict:
                return failure(400, INVALID, str(exc), ['body.query'])
            found = []
        ordered = _ordered(found, spec)
        if request['after'] is not None:
            ordered = [dep for dep in ordered if _after(dep, request['after'], spec)]
        page = ordered[offset:offset + size]
        hits = [_hit(dep, now, values) for dep in page]
        after = [getattr(page[-1], attribute) for attribute, _desc in spec] if page else request['after']
        headers = _headers(store.all(), now)
    doc = {'return_count': len(hits), 'deployments': hits}
    if query is not None:
        doc['match_count'] = len(found)
    minimal = call.query.get('minimal_metadata', [''])[-1]
    if minimal:
        doc['minimal_metadata'] = [_minimal(hit, [name.strip() for name in minimal.split(',')]) for hit in hits]
        doc['deployments'] = []
    if values['cursor']:
        doc['cursor'] = _encode_cursor({'query': query, 'sort': request['sort'], 'size': size, 'after': after})
    return Response(200, doc, headers)


def _headers(deployments, now):
    """The three x-cloud-resource-* headers the Swagger declares for a search (over every deployment held)."""
    return {'x-cloud-resource-version': str(sum(dep.version for dep in deployments)),
            'x-cloud-resource-created': iso(min((dep.created for dep in deployments), default=now)),
            'x-cloud-resource-last-modified': iso(max((dep.modified for dep in deployments), default=now))}


def _optional_json(body):
    """The JSON of an optional request body; None when no byte arrived."""
    chunks = []
    while True:
        data = body.read()
        if not data:
            break
        chunks.append(data)
        if sum(len(chunk) for chunk in chunks) > MAX_BODY:
            raise ValueError('body too large')
    raw = b''.join(chunks)
    return json.loads(raw.decode('utf-8')) if raw.strip() else None


def _parts(doc):
    return doc['fields'], doc['nested']
