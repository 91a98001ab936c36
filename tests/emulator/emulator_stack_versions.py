"""Stack versions (stack packs): `GET /stack/versions`, `GET /stack/versions/{version}` and their control endpoint.

Facts: FLEET.md sections 2 and 8 in the research notes next to the repository. The packs are a plain list
of {version, upgradable_to, plugins, deleted}; the StackVersionConfig bodies are built from them with the
fields a client uses (FLEET.md 2.3) and the required ones of Elastic's Swagger.

    POST /_emulator/stack_versions  {"versions": [{"version", "upgradable_to": [...], "plugins": [...], "deleted"?}]}
                                    replaces the packs (GET shows them in that form)
"""

import re

from emulator_api import Response, failure

NOT_FOUND = 'stackpack.version_not_found'
INVALID = 'root.invalid_json_request'
VERSION_RE = re.compile(r'^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$')
BUILT_IN = ('analysis-icu', 'analysis-kuromoji', 'mapper-size', 'repository-s3')
DEFAULT_VERSIONS = ('7.17.29', '8.15.0', '8.15.1', '8.15.3', '8.16.0', '8.18.8', '9.1.0')
MAJOR_BRIDGES = {'8.18.8': ('9.1.0',)}  # a reduced map: real 7.17 packs can also go to 8.x


def parse(version):
    """(major, minor, patch) of a version like 8.15.1 (a pre-release suffix is ignored), or None."""
    match = VERSION_RE.match(version or '') if isinstance(version, str) else None
    return tuple(int(part) for part in match.groups()) if match else None


def default_packs():
    """The packs after start and after reset: each upgradable to every later one of its major (and the bridges)."""
    packs = []
    for version in DEFAULT_VERSIONS:
        later = [other for other in DEFAULT_VERSIONS if parse(other)[0] == parse(version)[0] and parse(other) > parse(version)]
        packs.append({'version': version, 'upgradable_to': later + list(MAJOR_BRIDGES.get(version, ())),
                      'plugins': list(BUILT_IN), 'deleted': False})
    return packs


class StackVersions:
    """The packs of this ECE; the deployments store holds one (and resets it)."""

    def __init__(self):
        self.packs = default_packs()

    def reset(self):
        self.packs = default_packs()

    def find(self, version):
        """The pack of `version` (deleted ones too), or None."""
        return next((pack for pack in self.packs if pack['version'] == version), None)

    def usable(self, version):
        """The pack of `version` when a plan may use it (present and not deleted), else None."""
        pack = self.find(version)
        return pack if pack is not None and not pack['deleted'] else None

    def latest(self):
        usable = [pack['version'] for pack in self.packs if not pack['deleted'] and parse(pack['version'])]
        return max(usable, key=parse) if usable else None

    def replace(self, doc):
        """Validate the control body fully, then replace the packs; raises ValueError naming what is wrong."""
        versions = doc.get('versions') if isinstance(doc, dict) and set(doc) == {'versions'} else None
        if not isinstance(versions, list):
            raise ValueError('Send {"versions": [{"version": "8.16.0", "upgradable_to": [...], "plugins": [...], "deleted": false}]}.')
        packs, seen = [], set()
        for index, item in enumerate(versions):
            where = 'versions[%d]' % index
            if not isinstance(item, dict) or set(item) - {'version', 'upgradable_to', 'plugins', 'deleted'}:
                raise ValueError('%s must be an object with version, upgradable_to, plugins and optionally deleted.' % where)
            if parse(item.get('version')) is None or item['version'] in seen:
                raise ValueError('%s.version must be a version like 8.16.0, given once.' % where)
            for key in ('upgradable_to', 'plugins'):
                value = item.get(key, [])
                if not isinstance(value, list) or not all(isinstance(part, str) and part for part in value):
                    raise ValueError('%s.%s must be a list of strings.' % (where, key))
            if not isinstance(item.get('deleted', False), bool):
                raise ValueError('%s.deleted must be true or false.' % where)
            seen.add(item['version'])
            packs.append({'version': item['version'], 'upgradable_to': list(item.get('upgradable_to', [])),
                          'plugins': list(item.get('plugins', [])), 'deleted': item.get('deleted', False)})
        self.packs = packs


def _floor(version):
    """The oldest version that can roll to `version`: the last minor of the major before (as Elastic's packs say)."""
    major = parse(version)[0]
    return {9: '8.18.0', 8: '7.17.0', 7: '6.8.0'}.get(major, '%d.0.0' % major)


def config(pack):
    """A StackVersionConfig: the required fields of the Swagger and those a client reads (FLEET.md 2.3)."""
    version = pack['version']
    doc = {
        'version': version,
        'upgradable_to': list(pack['upgradable_to']),
        'deleted': pack['deleted'],
        'elasticsearch': {'docker_image': 'docker.elastic.co/cloud-assets/elasticsearch:%s-0' % version,
                          'plugins': list(pack['plugins']), 'default_plugins': [], 'blacklist': []},
        'kibana': {'version': version, 'docker_image': 'docker.elastic.co/cloud-assets/kibana:%s-0' % version, 'blacklist': []},
        'template': {'template_version': '%s-0' % version, 'hashes': []},
        'metadata': {'pre_release': False, 'min_platform_version': '3.0.0',
                     'min_wire_compatibility_version': _floor(version),
                     'min_index_compatibility_version': _floor(version)},
    }
    return doc


def handle(call, store):
    """`GET /stack/versions[/{version}]` (call.parts start with 'stack'); `store` is the deployments store."""
    parts = call.parts
    if parts[:2] != ['stack', 'versions'] or len(parts) > 3 or (len(parts) == 3 and not parts[2]):
        return failure(404, 'root.resource_not_found', 'The requested resource could not be found.')
    if call.method != 'GET':
        return failure(405, 'root.method_not_allowed', 'The method [%s] is not allowed here; use one of [GET].' % call.method,
                       headers={'Allow': 'GET'})
    with store.lock:
        stacks = store.stacks
        if len(parts) == 3:
            pack = stacks.find(parts[2])
            if pack is None:
                return failure(404, NOT_FOUND, 'The stack version [%s] could not be found.' % parts[2])
            return Response(200, config(pack))
        shown = [pack for pack in stacks.packs if call.flag('show_deleted') or not pack['deleted']]
        shown.sort(key=lambda pack: parse(pack['version']), reverse=True)  # newest first, as Elastic's SDK shows them
        return Response(200, {'stacks': [config(pack) for pack in shown]})


def control(method, read_doc, store):
    """GET or POST /_emulator/stack_versions."""
    with store.lock:
        if method == 'POST':
            try:
                store.stacks.replace(read_doc())
            except ValueError as exc:
                return failure(400, INVALID, str(exc), ['body'])
        return Response(200, {'versions': [dict(pack) for pack in store.stacks.packs]})
