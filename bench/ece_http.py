"""The harness's own small HTTP client for the emulator (stdlib only; one concern: preparing state).

The benchmarks measure Ansible; everything around a measurement (emptying the emulator, making an
extension to PUT into, finding the URL of a stored archive) goes through here, unmeasured.
"""

import http.client
import json
import statistics
import time
import urllib.parse
import urllib.request

EXTENSIONS = '/api/v1/deployments/extensions'


class Emulator:
    def __init__(self, host, api_key):
        self.host = host.rstrip('/')
        self.api_key = api_key
        self.headers = {'Authorization': 'ApiKey ' + api_key}

    def _call(self, method, path, doc=None, auth=True):
        data = None if doc is None else json.dumps(doc).encode()
        headers = dict(self.headers) if auth else {}
        if data is not None:
            headers['Content-Type'] = 'application/json'
        request = urllib.request.Request(self.host + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def reset(self):
        self._call('POST', '/_emulator/reset', {}, auth=False)

    def create(self, name, extension_type='bundle', version='8.*', description=None):
        doc = {'name': name, 'extension_type': extension_type, 'version': version}
        if description is not None:
            doc['description'] = description
        return self._call('POST', EXTENSIONS, doc)

    def list(self):
        return self._call('GET', EXTENSIONS)['extensions']

    def find(self, name):
        found = [ext for ext in self.list() if ext['name'] == name]
        if len(found) != 1:
            raise RuntimeError('expected one extension named %s on the emulator, found %d' % (name, len(found)))
        return found[0]

    def delete(self, extension_id):
        self._call('DELETE', '%s/%s' % (EXTENSIONS, extension_id))

    def item_url(self, extension_id):
        return '%s%s/%s' % (self.host, EXTENSIONS, extension_id)


def keepalive_latency(host, api_key, requests=20):
    """Median seconds of one GET on a reused (keep-alive) connection, after a first request opened it."""
    parts = urllib.parse.urlsplit(host)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {'Authorization': 'ApiKey ' + api_key}
    samples = []
    try:
        for index in range(requests + 1):
            start = time.perf_counter()
            connection.request('GET', EXTENSIONS, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError('GET %s answered %d' % (EXTENSIONS, response.status))
            if index:
                samples.append(time.perf_counter() - start)
    finally:
        connection.close()
    return statistics.median(samples)
