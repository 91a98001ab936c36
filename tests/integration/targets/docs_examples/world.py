"""The world the guide's examples assume: their files, the deployments they name, and what each finds in ECE.

- Files, relative to the directory the examples run from: bundles/synonyms/ (a bundle directory),
  files/analysis-custom-8.15.1.zip, files/analysis-custom-8.16.0.zip and plugins/analysis-custom-8.15.1-fixed.zip
  (plugin zips with a real plugin-descriptor.properties naming their Elasticsearch version, and a jar stand-in).
- The emulator, before each example (unless it continues the one before): reset, then the deployments search-prod
  (tag team: search) and logs-prod (tag team: logs), both on Elasticsearch 8.15.1; stack packs and plan timing as
  the emulator starts (8.15.1 may upgrade to 8.16.0; plans end at once).
- GIVEN: what an example presumes exists before it runs (the faulty build the swap replaces, the bundle in use the
  removal example meets, ...), made with the collection's own modules in a real run before the example.
"""

import json
import os
import ssl
import urllib.request
import zipfile

DEPLOYMENTS = [
    {'name': 'search-prod', 'elasticsearch_version': '8.15.1', 'tags': {'team': 'search'}},
    {'name': 'logs-prod', 'elasticsearch_version': '8.15.1', 'tags': {'team': 'logs'}},
]

PLUGIN_ZIPS = {
    'files/analysis-custom-8.15.1.zip': ('8.15.1', 'build 1'),
    'files/analysis-custom-8.16.0.zip': ('8.16.0', 'build 1'),
    'plugins/analysis-custom-8.15.1-fixed.zip': ('8.15.1', 'build 2, the fix'),
}

# An extension and its attachment, as tasks of the collection (run in the play that gives the connection).
_ANALYSIS_CUSTOM_ATTACHED = '''
- name: "Given: the plugin analysis-custom for 8.15.1"
  ece.platform.extension: {name: analysis-custom, extension_type: plugin, version: 8.15.1, file: files/analysis-custom-8.15.1.zip}
- name: "Given: analysis-custom attached to search-prod"
  ece.platform.deployment_extensions: {deployment: search-prod, extensions: [analysis-custom]}
'''
_R1_ATTACHED_EVERYWHERE = '''
- name: "Given: the builds r1 and r2 of analysis-custom for 8.15.1, each its own extension"
  ece.platform.extension: {name: "{{ item.name }}", extension_type: plugin, version: 8.15.1, file: "{{ item.file }}"}
  loop:
    - {name: analysis-custom-8.15.1-r1, file: files/analysis-custom-8.15.1.zip}
    - {name: analysis-custom-8.15.1-r2, file: plugins/analysis-custom-8.15.1-fixed.zip}
- name: "Given: r1 attached to every deployment"
  ece.platform.deployment_extensions: {deployment: "{{ item }}", extensions: [analysis-custom-8.15.1-r1]}
  loop: [search-prod, logs-prod]
'''

GIVEN = {
    ('guide.rst', '- name: Create the fixed build next to the faulty one'): _ANALYSIS_CUSTOM_ATTACHED,
    ('guide.rst', '- name: Start the change on each deployment'): '''
- name: "Given: the plugin analysis-custom for 8.15.1"
  ece.platform.extension: {name: analysis-custom, extension_type: plugin, version: 8.15.1, file: files/analysis-custom-8.15.1.zip}
''',
    ('guide.rst', '- name: Remove the old bundle unless a deployment still uses it'): '''
- name: "Given: a bundle old-bundle that search-prod still uses"
  ece.platform.extension: {name: old-bundle, extension_type: bundle, version: "8.*", file: bundles/synonyms/}
- name: "Given: old-bundle attached to search-prod"
  ece.platform.deployment_extensions: {deployment: search-prod, extensions: [old-bundle]}
''',
    ('versions.rst', '- name: The 8.16.0 build of the plugin, beside the 8.15.1 one'): '''
- name: "Given: the 8.15.1 build of analysis-custom"
  ece.platform.extension:
    {name: analysis-custom, identity: name_and_version, extension_type: plugin, version: 8.15.1, file: files/analysis-custom-8.15.1.zip}
- name: "Given: the 8.15.1 build attached to search-prod"
  ece.platform.deployment_extensions: {deployment: search-prod, extensions: [analysis-custom]}
''',
    ('fleet.rst', 'plugin: ece.platform.deployments'): _R1_ATTACHED_EVERYWHERE,
    ('fleet.rst', '# rollout.yml'): _R1_ATTACHED_EVERYWHERE,
    ('fleet.rst', 'ece_rollout_hosts: ece_deployments'): '''
- name: "Given: the bundle synonyms and its corrected content synonyms-v2"
  ece.platform.extension: {name: "{{ item }}", extension_type: bundle, version: "8.*", file: bundles/synonyms/}
  loop: [synonyms, synonyms-v2]
- name: "Given: synonyms attached to every deployment"
  ece.platform.deployment_extensions: {deployment: "{{ item }}", extensions: [synonyms]}
  loop: [search-prod, logs-prod]
''',
    ('fleet.rst', 'ece_rollout_version: 8.16.0'): '''
- name: "Given: the build r2 of analysis-custom for 8.15.1, and the build for 8.16.0"
  ece.platform.extension: {name: "{{ item.name }}", extension_type: plugin, version: "{{ item.version }}", file: "{{ item.file }}"}
  loop:
    - {name: analysis-custom-8.15.1-r2, version: 8.15.1, file: plugins/analysis-custom-8.15.1-fixed.zip}
    - {name: analysis-custom-8.16.0, version: 8.16.0, file: files/analysis-custom-8.16.0.zip}
- name: "Given: r2 attached to every deployment"
  ece.platform.deployment_extensions: {deployment: "{{ item }}", extensions: [analysis-custom-8.15.1-r2]}
  loop: [search-prod, logs-prod]
''',
    ('fleet.rst', '- name: Start the change everywhere'): _R1_ATTACHED_EVERYWHERE,
}


def build_files(work):
    """The files the examples name, under `work` (the directory they run from)."""
    bundle = os.path.join(work, 'bundles', 'synonyms', 'dictionaries')
    os.makedirs(bundle)
    with open(os.path.join(bundle, 'synonyms.txt'), 'w', encoding='utf-8') as handle:
        handle.write('laptop, notebook\nphone, mobile, cell\n')
    for relative, (es_version, build) in PLUGIN_ZIPS.items():
        path = os.path.join(work, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = ('description=Custom analysis of the guide\nversion=1.0.0\nname=analysis-custom\n'
                      'classname=org.example.analysis.CustomAnalysisPlugin\njava.version=17\n'
                      'elasticsearch.version=%s\n' % es_version)
        with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
            archive.writestr('plugin-descriptor.properties', descriptor)
            archive.writestr('analysis-custom-1.0.0.jar', 'jar stand-in, %s for %s\n' % (build, es_version))


class Emulator:
    """The suite's emulator: its control endpoints and request log (no credentials needed there)."""

    def __init__(self, url, ca_path):
        self.url = url.rstrip('/')
        self.context = ssl.create_default_context(cafile=ca_path)

    def call(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method='GET' if body is None else 'POST',
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=self.context, timeout=60) as answer:
            return json.load(answer)

    def fresh(self):
        """A reset emulator holding the deployments of DEPLOYMENTS."""
        self.call('/_emulator/reset', {})
        self.call('/_emulator/deployments', DEPLOYMENTS)

    def plans(self, api_key):
        """{deployment name: (Elasticsearch version, sorted names of the plan's user_plugins and user_bundles)} of
        the current plans, read through the API as a client would (the key only in the request's header)."""
        request = urllib.request.Request(self.url + '/api/v1/deployments/_search', data=b'{"size": 100}', method='POST',
                                         headers={'Content-Type': 'application/json', 'Authorization': 'ApiKey ' + api_key})
        with urllib.request.urlopen(request, context=self.context, timeout=60) as answer:
            found = json.load(answer)['deployments']
        plans = {}
        for deployment in found:
            if 'plan' not in deployment['resources']['elasticsearch'][0]['info']['plan_info']['current']:
                request = urllib.request.Request('%s/api/v1/deployments/%s' % (self.url, deployment['id']),
                                                 headers={'Authorization': 'ApiKey ' + api_key})
                with urllib.request.urlopen(request, context=self.context, timeout=60) as answer:
                    deployment = json.load(answer)
            plan = deployment['resources']['elasticsearch'][0]['info']['plan_info']['current']['plan']['elasticsearch']
            names = [entry['name'] for entry in plan.get('user_plugins', []) + plan.get('user_bundles', [])]
            plans[deployment['name']] = (plan['version'], sorted(names))
        return plans

    def requests(self):
        return self.call('/_emulator/requests')
