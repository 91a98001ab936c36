"""Control endpoints (test hooks, no auth) for the fleet: seeding many deployments, and the search switches.

    POST /_emulator/deployments  also as a bulk form: a list of create bodies, or
                                 {"count": N, "name_prefix": "fleet-", "elasticsearch_version", "tags"?, "template_id"?}
                                 (names <prefix>0001 ... : zero-padded, so name order is creation order);
                                 answers 201 {"deployments": [{"id", "name"}, ...]}
    GET  /_emulator/search       {"settings": {...}, "searches": [{"query", "body"}, ...]}: the switches and every
                                 `_search` body received since the last reset, oldest first
    POST /_emulator/search       {"strict"?, "cursor"?, "plans_in_hits"?, "search_ceiling"?}: set switches (see
                                 emulator_search); all but `strict` are the register's switches, the same ones
                                 POST /_emulator/assumptions sets
"""

import json

from emulator_api import Response, failure

INVALID = 'root.invalid_json_request'
MAX_BULK = 20000  # a bound, so a typo cannot make the emulator build millions of deployments


def is_bulk(doc):
    return isinstance(doc, list) or (isinstance(doc, dict) and 'count' in doc)


def _expand(doc):
    """The list of single create bodies a bulk body stands for, or a message saying what is wrong."""
    if isinstance(doc, list):
        return doc if len(doc) <= MAX_BULK else 'At most %d deployments per request.' % MAX_BULK
    count, prefix = doc.get('count'), doc.get('name_prefix', 'deployment-')
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= MAX_BULK:
        return '"count" is an integer from 1 to %d.' % MAX_BULK
    if not isinstance(prefix, str) or not prefix:
        return '"name_prefix" is a non-empty string.'
    if 'name' in doc or 'id' in doc:
        return 'The bulk form names deployments from "name_prefix"; leave "name" and "id" out.'
    common = {key: value for key, value in doc.items() if key not in ('count', 'name_prefix')}
    width = max(4, len(str(count)))
    return [dict(common, name='%s%0*d' % (prefix, width, number)) for number in range(1, count + 1)]


def create_many(doc, store, create_one):
    """Create every deployment of a bulk body through `create_one(body, store)`; stop at the first refusal."""
    items = _expand(doc)
    if isinstance(items, str):
        return failure(400, INVALID, items, ['body'])
    created = []
    for index, item in enumerate(items):
        response = create_one(item, store)
        if response.status != 201:
            error = json.loads(response.payload)['errors'][0]
            message = 'Item %d: %s (the %d before it were created).' % (index, error['message'], len(created))
            return failure(response.status, error['code'], message, error.get('fields'))
        body = json.loads(response.payload)
        created.append({'id': body['id'], 'name': body['name']})
    return Response(201, {'deployments': created})


def check_extras(doc):
    """A message for a bad `tags` / `template_id` of a create body, or None."""
    tags = doc.get('tags')
    if tags is not None and (not isinstance(tags, dict) or not all(isinstance(k, str) and k and isinstance(v, str) for k, v in tags.items())):
        return '"tags" is a dict of non-empty string keys to string values, like {"team": "search"}.'
    template_id = doc.get('template_id')
    if template_id is not None and (not isinstance(template_id, str) or not template_id):
        return '"template_id" is a non-empty string.'
    return None


def search_control(method, doc, store):
    if method == 'POST':
        try:
            store.search.update(doc)
        except ValueError as exc:
            return failure(400, INVALID, str(exc), ['body'])
    return Response(200, {'settings': dict(store.search.values), 'searches': store.search.log()})
