"""Validation of the emulator's real replies against Elastic's Swagger files in the research folder.

The Swagger files are not part of the repository: they live in `shared/ece-api/` beside the checkout,
which may sit at <root>/main or <root>/wt/<branch>, so the folder is searched for upwards. Schemas are
resolved against the whole document, as Swagger's `#/definitions/...` references require, and
`date-time` / `uri` formats are really checked.

Without the file, the tests skip with a message that says which file is missing and where it was
looked for; under CI (the environment variable CI set, as .ci/run is run) they fail instead, so a
run that checked nothing against Elastic's Swagger can never pass for one that did.
"""

import datetime
import json
import os
import urllib.parse

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def shared_file(name):
    """The path of shared/ece-api/<name> in the nearest folder above this one that has it, else None."""
    folder = HERE
    while True:
        candidate = os.path.join(folder, 'shared', 'ece-api', name)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def missing(what):
    """Skip a test that needs `what` (a sentence naming it); under CI fail instead, loudly."""
    if os.environ.get('CI'):
        pytest.fail('CI is set, so this contract test may not skip: %s' % what, pytrace=False)
    pytest.skip(what)


def require_shared_file(name):
    """The path of shared/ece-api/<name>, or a skip (a failure under CI) naming the file and where it was looked for."""
    path = shared_file(name)
    if path is None:
        missing('the Swagger file shared/ece-api/%s is absent: it lives in the research folder shared/ next to the checkout, '
                'looked for in every folder above %s' % (name, HERE))
    return path


def load_contract(name, normalize=None):
    """A Contract for shared/ece-api/<name>, or a skip (a failure under CI) saying why there is none."""
    with open(require_shared_file(name), encoding='utf-8') as handle:
        return Contract(json.load(handle), 'urn:ece-swagger:' + name, normalize)


class Contract:
    """Looks up the declared response of an operation and validates a real reply against it."""

    def __init__(self, doc, base_uri, normalize=None):
        try:
            import jsonschema  # pylint: disable=import-outside-toplevel
            import referencing  # pylint: disable=import-outside-toplevel
        except ImportError as exc:
            missing('jsonschema and referencing are needed to validate against the Swagger (%s); install requirements-dev.txt' % exc)
        from referencing.jsonschema import DRAFT4  # pylint: disable=import-outside-toplevel,used-before-assignment
        self.doc, self.base_uri = doc, base_uri
        self.normalize = normalize or (lambda body: body)
        self._registry = referencing.Registry().with_resource(base_uri, referencing.Resource(contents=doc, specification=DRAFT4))
        self._checker = jsonschema.FormatChecker()
        self._checker.checks('date-time', raises=ValueError)(lambda value: not isinstance(value, str) or datetime.datetime.fromisoformat(value))
        self._checker.checks('uri')(lambda value: not isinstance(value, str) or bool(urllib.parse.urlsplit(value).scheme))
        self._validator_class = jsonschema.Draft4Validator  # Swagger 2.0 schemas are JSON Schema draft 4

    def validate(self, instance, schema):
        """Validate against a Swagger schema; local `#/...` refs point into the whole document."""
        if '$ref' in schema and schema['$ref'].startswith('#'):
            schema = dict(schema, **{'$ref': self.base_uri + schema['$ref']})
        self._validator_class(schema, registry=self._registry, format_checker=self._checker).validate(instance)

    @staticmethod
    def definition(name):
        return {'$ref': '#/definitions/' + name}

    def check(self, path, method, reply, undeclared=False):
        """Validate `reply` as the response of (path, method); return its JSON body.

        `undeclared=True` marks a reply the Swagger does not list (status or error code), such as the
        documented 400 `extensions.extension_in_use`: it must still be a well-formed BasicFailedReply.
        """
        operation = self.doc['paths'][path][method.lower()]
        declared = operation['responses'].get(str(reply.status_code))
        body = reply.json()
        assert reply.headers['Content-Type'] in operation['produces']
        if declared is None:
            assert undeclared and reply.status_code >= 400, 'status %s is not declared for %s %s' % (reply.status_code, method, path)
            schema = self.definition('BasicFailedReply')
        else:
            schema = declared['schema']
        self.validate(self.normalize(body), schema)
        for header, spec in (declared or {}).get('headers', {}).items():
            assert header in reply.headers, header
            if 'enum' in spec and not undeclared:
                assert reply.headers[header] in spec['enum'], (header, reply.headers[header])
        if reply.status_code >= 400:
            assert reply.headers['x-cloud-error-codes'] == ','.join(sorted({error['code'] for error in body['errors']}))
        return body
