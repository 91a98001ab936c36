"""The six `/api/v1/deployments/extensions` operations, with ECE's status codes, bodies and headers.

Texts and codes come from Elastic's Swagger and guides (the research notes in ../shared/ece-api/ next
to the repository). Where ECE's behaviour is undocumented (request validation), the choice is marked
as the emulator's own.
"""

import json
import re

from emulator_fetch import fetch
from emulator_upload import MultipartError, boundary_of, copy_field

NAME_RE = re.compile(r'^[A-Za-z0-9_.-]+$')
TYPES = ('plugin', 'bundle')
# The real code for a malformed or invalid request body is not documented for this resource; ECE uses
# `root.invalid_json_request` for invalid JSON bodies on other endpoints, so every validation error uses it.
INVALID = 'root.invalid_json_request'
FAILED = 'extensions.request_execution_failed'
NOT_FOUND = 'extensions.not_found'
MSG_REQUESTED_MISSING = 'The extension requested does not exist.'
MSG_WANTED_MISSING = 'The extension you want does not exist.'
MSG_DOWNLOAD_FAILED = 'Could not download the extension from the specified URL.'
MSG_UPLOAD_FAILED = 'Could not accept the extensions file.'
MAX_JSON = 1024 * 1024  # metadata bodies are tiny; anything bigger is refused rather than buffered
# The flipped reading of the register's `missing-extension-status`: Elastic Cloud was seen answering 403
# for an extension that is gone. Its code is not known; this one is the emulator's choice, one the
# collection cannot recognise, so it must tell a gone extension from a real refusal by other means.
FORBIDDEN = 'root.forbidden'
MSG_FORBIDDEN = 'You are not allowed to access the requested resource.'


class Response:  # pylint: disable=too-few-public-methods
    """A reply to send: JSON bytes in `payload`, or an open binary `stream` of `length` bytes."""

    def __init__(self, status, doc=None, headers=None, *, stream=None, length=0, content_type='application/json'):
        self.status = status
        self.headers = dict(headers or {})
        self.headers['Content-Type'] = content_type
        self.stream = stream
        self.payload = b'' if doc is None else json.dumps(doc).encode('utf-8')
        self.length = length if stream is not None else len(self.payload)


def failure(status, code, message, fields=None, headers=None):
    """A BasicFailedReply with one error, and `x-cloud-error-codes` naming it (as ECE does on every error)."""
    element = {'code': code, 'message': message}
    if fields:
        element['fields'] = list(fields)
    return Response(status, {'errors': [element]}, dict(headers or {}, **{'x-cloud-error-codes': code}))


class Call:  # pylint: disable=too-few-public-methods
    """One API request as the operations see it (already authenticated)."""

    def __init__(self, method, parts, query, headers, body, base_url, store):  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self.method, self.parts, self.query, self.headers = method, parts, query, headers
        self.body, self.base_url, self.store = body, base_url, store

    def flag(self, name):
        return self.query.get(name, ['false'])[-1].strip().lower() == 'true'


def read_json(body):
    chunks, total = [], 0
    while True:
        data = body.read()
        if not data:
            break
        total += len(data)
        if total > MAX_JSON:
            raise ValueError('body too large')
        chunks.append(data)
    return json.loads(b''.join(chunks).decode('utf-8'))


def _problems(doc):
    """(field, message) pairs for everything wrong with a create/update body; [] when it is valid."""
    if not isinstance(doc, dict):
        return [('body', 'The request body must be a JSON object.')]
    found = []
    for key in ('name', 'version', 'extension_type'):
        if doc.get(key) is None:
            found.append(('body.' + key, 'The field [%s] is required.' % key))
    for key in ('name', 'version', 'extension_type', 'description', 'download_url'):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            found.append(('body.' + key, 'The field [%s] must be a string.' % key))
    if isinstance(doc.get('name'), str) and not NAME_RE.match(doc['name']):
        found.append(('body.name', 'The field [name] may only contain ASCII alphanumeric and [_.-] characters.'))
    if isinstance(doc.get('version'), str) and not doc['version'].strip():
        found.append(('body.version', 'The field [version] must not be empty.'))
    if isinstance(doc.get('extension_type'), str) and doc['extension_type'] not in TYPES:
        found.append(('body.extension_type', 'The field [extension_type] must be one of [plugin, bundle].'))
    return found


def _metadata(call):
    """(fields, None) for a valid body, or (None, 400 Response) naming every bad field."""
    try:
        doc = read_json(call.body)
    except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
        return None, failure(400, INVALID, 'The request body is not valid JSON.', ['body'])
    problems = _problems(doc)
    if problems:
        elements = [{'code': INVALID, 'message': message, 'fields': [field]} for field, message in problems]
        return None, Response(400, {'errors': elements}, {'x-cloud-error-codes': INVALID})
    # null is treated as "not sent"; unknown keys are ignored, as the Go SDK's models would.
    return {key: doc[key] for key in ('name', 'version', 'extension_type', 'description', 'download_url') if doc.get(key) is not None}, None


def missing(call, message):
    """The reply for an extension id the store does not hold: 404 (the Swagger), or 403 when that switch is flipped."""
    if call.store.assumptions['missing_extension_status'] == 403:
        return failure(403, FORBIDDEN, MSG_FORBIDDEN)
    return failure(404, NOT_FOUND, message)


def list_extensions(call):
    """GET collection: every extension (no resource headers, as in the Swagger)."""
    # `include_deployments` was removed from list in the current spec but older clients send it: honour it.
    return Response(200, {'extensions': call.store.list(call.base_url, call.flag('include_deployments'))})


def create_extension(call):
    fields, error = _metadata(call)
    if error:
        return error
    if 'download_url' not in fields:
        return Response(201, *call.store.create(fields, None, call.base_url))
    with call.store.new_archive() as archive:
        if not fetch(fields['download_url'], archive):
            return failure(400, FAILED, MSG_DOWNLOAD_FAILED)  # nothing is created
        return Response(201, *call.store.create(fields, archive, call.base_url))


def get_extension(call):
    found = call.store.get(call.parts[2], call.base_url, call.flag('include_deployments'))
    return Response(200, *found) if found else missing(call, MSG_REQUESTED_MISSING)


def update_extension(call):
    ext_id = call.parts[2]
    if not call.store.exists(ext_id):
        return missing(call, MSG_WANTED_MISSING)
    fields, error = _metadata(call)
    if error:
        return error
    same_url = fields.get('download_url') is not None and fields['download_url'] == call.store.download_url_of(ext_id)
    if 'download_url' not in fields or (same_url and not call.store.assumptions['same_url_redownloads']):
        # The flipped reading of `same-url-redownloads`: the URL ECE already has is not downloaded again.
        updated = call.store.update(ext_id, fields, None, call.base_url)
    else:
        with call.store.new_archive() as archive:
            # Sending download_url re-downloads; on failure nothing (metadata included) changes.
            if not fetch(fields['download_url'], archive):
                return failure(400, FAILED, MSG_DOWNLOAD_FAILED)
            updated = call.store.update(ext_id, fields, archive, call.base_url)
    return Response(200, *updated) if updated else missing(call, MSG_WANTED_MISSING)


def _receive_archive(call, archive):
    """Copy the upload (multipart part `file`, or else the raw body) into `archive`; True when it is a zip."""
    try:
        boundary = boundary_of(call.headers.get('Content-Type'))
        if boundary is not None:
            if not copy_field(call.body.read, boundary, 'file', archive.write):
                return False
        else:
            while True:
                data = call.body.read()
                if not data:
                    break
                archive.write(data)
    except MultipartError:
        return False  # the handler drains whatever is left of the body before replying
    archive.close()
    return archive.size > 0 and archive.is_zip()


def upload_extension(call):
    ext_id = call.parts[2]
    # Checked before the body is read: with `Expect: 100-continue` the client then sends no body at all.
    if not call.store.exists(ext_id):
        return missing(call, MSG_WANTED_MISSING)
    with call.store.new_archive() as archive:
        if not _receive_archive(call, archive):
            return failure(400, FAILED, MSG_UPLOAD_FAILED)  # the previous file, if any, stays
        updated = call.store.attach_file(ext_id, archive, call.base_url)
    return Response(200, *updated) if updated else missing(call, MSG_WANTED_MISSING)


def delete_extension(call):
    ext_id = call.parts[2]
    outcome, detail = call.store.delete(ext_id)
    if outcome == 'missing':
        return missing(call, MSG_REQUESTED_MISSING)
    if outcome == 'in_use':
        message = 'Cannot delete extension [%s]. It is used by deployments [%s].' % (ext_id, ', '.join(detail))
        return failure(400, 'extensions.extension_in_use', message)
    return Response(200, {}, detail)


COLLECTION = {'GET': list_extensions, 'POST': create_extension}
ITEM = {'GET': get_extension, 'POST': update_extension, 'PUT': upload_extension, 'DELETE': delete_extension}


def handle(call):
    """Route an authenticated /api/v1 request; `call.parts` are the path segments after /api/v1."""
    parts = call.parts
    if parts[:2] != ['deployments', 'extensions'] or len(parts) > 3 or (len(parts) == 3 and not parts[2]):
        return failure(404, 'root.resource_not_found', 'The requested resource could not be found.')
    operations = COLLECTION if len(parts) == 2 else ITEM
    operation = operations.get(call.method)
    if operation is None:
        allowed = ', '.join(sorted(operations))
        return failure(405, 'root.method_not_allowed', 'The method [%s] is not allowed here; use one of [%s].' % (call.method, allowed),
                       headers={'Allow': allowed})
    return operation(call)
