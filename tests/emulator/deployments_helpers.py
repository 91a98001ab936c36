"""Helpers for the deployments tests: a client for /api/v1/deployments and the emulator's plan hooks."""

import copy
import time

import requests

from conftest import API_KEY

REF_ID = 'main-elasticsearch'


class Deployments:
    """Calls the deployments API of one emulator (API key auth unless told otherwise) and its control hooks."""

    def __init__(self, emulator, auth_header='ApiKey ' + API_KEY):
        self.emulator = emulator
        self.session = requests.Session()
        if auth_header:
            self.session.headers['Authorization'] = auth_header

    def call(self, method, path='', **kwargs):
        kwargs.setdefault('timeout', 30)
        return self.session.request(method, self.emulator.url + '/api/v1/deployments' + path, **kwargs)

    def create(self, name='demo', elasticsearch_version='8.15.1', **extra):
        reply = requests.post(self.emulator.control('/deployments'), json=dict(extra, name=name, elasticsearch_version=elasticsearch_version), timeout=10)
        assert reply.status_code == 201, reply.text
        return reply.json()

    def plans(self, **settings):
        reply = requests.post(self.emulator.control('/plans'), json=settings, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def loaded(self, dep_id):
        reply = requests.get(self.emulator.control('/deployments/%s/loaded' % dep_id), timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def get(self, dep_id, **params):
        return self.call('GET', '/' + dep_id, params=params)

    def plan_info(self, dep_id, **params):
        reply = self.get(dep_id, show_plan_logs='true', show_plan_history='true', **params)
        assert reply.status_code == 200, reply.text
        return resource(reply.json())['info']['plan_info']

    def put(self, dep_id, body, **params):
        return self.call('PUT', '/' + dep_id, json=body, params=params)

    def wait_settled(self, dep_id, timeout=120):  # bounds a hang; a busy machine may need many seconds
        """Poll until no plan is pending; return the last plan_info."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.plan_info(dep_id)
            if 'pending' not in info:
                return info
            assert time.monotonic() < deadline, 'plan still pending after %ss' % timeout
            time.sleep(0.05)

    def close(self):
        self.session.close()


def resource(body):
    """The (only) Elasticsearch resource of a deployment GET body."""
    return body['resources']['elasticsearch'][0]


def current_plan(body):
    return resource(body)['info']['plan_info']['current']['plan']


def entry(extension, elasticsearch_version=None):
    """A user_bundles / user_plugins item for an extension as the API returned it."""
    return {'name': extension['name'], 'url': extension['url'], 'elasticsearch_version': elasticsearch_version or extension['version']}


def update_body(get_body, bundles=None, plugins=None, **plan_changes):
    """A DeploymentUpdateRequest: the whole current plan, with the given extension lists (None: as they are)."""
    plan = copy.deepcopy(current_plan(get_body))
    plan.pop('transient', None)
    for key, items in (('user_bundles', bundles), ('user_plugins', plugins)):
        if items is not None:
            plan['elasticsearch'][key] = items
    plan.update(plan_changes)
    return {'prune_orphans': False, 'resources': {'elasticsearch': [{'ref_id': REF_ID, 'region': 'ece-region', 'plan': plan}]}}


def codes(reply):
    """The error codes of a BasicFailedReply, after checking that x-cloud-error-codes names them."""
    found = [error['code'] for error in reply.json()['errors']]
    assert sorted(reply.headers['x-cloud-error-codes'].split(',')) == sorted(set(found))
    return found
