# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the deployments operations of the ECE API that extensions need.

Reads are always sent, also in check mode. The writes, the plan update and the cancel of a pending
plan, are the write boundary: in check mode they send nothing. Every update carries `?version=` with the resource version of the
read it was computed from, so ECE refuses it (a conflict) instead of overwriting a change made
in between; the caller then reads again and recomputes.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError, named_alike

DEPLOYMENTS_PATH = '/deployments'
DEPLOYMENT_ID = re.compile(r'[0-9a-f]{32}')
VERSION_HEADER = 'x-cloud-resource-version'
# Assumption [I] (register: deployment-version-conflict): ECE documents the ?version= check but no status
# or code for its refusal.
# Any 409 counts as a conflict, and so does this code under any status; any other refusal fails the
# task with ECE's own message, and nothing is overwritten under either reading.
CONFLICT_CODES = ('deployments.version_conflict',)
# Assumption [O] (register: plan-pending-refusal; the code seen in an issue, its status unknown): a plan
# still pending.
PENDING_CODES = ('deployments.resource_plan_state_error',)


def deployment_path(deployment_id):
    return '%s/%s' % (DEPLOYMENTS_PATH, quote(str(deployment_id), safe=''))


def resource_path(deployment_id, ref_id, kind='elasticsearch'):
    return '%s/%s/%s' % (deployment_path(deployment_id), quote(str(kind), safe=''), quote(str(ref_id), safe=''))


def refuse_structured(wanted):
    """Refuse, before any request, a deployment option that was a mapping or a list turned into text.

    Ansible turns a dict or list given to a string option into its text ("{'name': 'prod', ...}"), which
    no deployment is named: say what happened instead of looking for it. The text itself is not repeated:
    a mapping such as a host's variables may hold credentials.
    """
    text = wanted.strip()
    if (text.startswith('{') and text.endswith('}')) or (text.startswith('[') and text.endswith(']')):
        raise EceError('Option deployment takes the id or the name of one deployment, as a string; it got a %s turned '
                       'into text. Give one value, for example deployment: "{{ ece_deployment_id }}" in a play over the '
                       'ece.platform.deployments inventory, or loop over a list.'
                       % ('mapping' if text.startswith('{') else 'list'))


class VersionConflict(EceError):
    """ECE refused an update because the deployment changed since it was read (or a plan became pending)."""

    def __init__(self, exc):
        super().__init__(exc.msg, method=exc.method, url=exc.url, status=exc.status, errors=exc.errors)
        # Refused because a plan change is pending, which the read before may not have shown yet.
        self.plan_pending = any(exc.has_code(code) for code in PENDING_CODES)


def _flag(value):
    return 'true' if value else 'false'


class DeploymentsApi:
    """List and read deployments, read one Elasticsearch resource, and update a deployment's plan."""

    def __init__(self, client, *, check_mode):
        # Required, with no default: a module that forgot it would write in check mode (fail open).
        self.client = client
        self.check_mode = check_mode

    # Reads: always sent, also in check mode.

    def list(self):
        body = self.client.request('GET', DEPLOYMENTS_PATH, operation='Listing deployments')
        return list(body.get('deployments') or [])

    def get(self, deployment_id, history=False, logs=False):
        """(deployment, resource version) with its plans; (None, None) when ECE does not know the id."""
        params = {'show_plans': 'true', 'show_plan_logs': _flag(logs), 'show_plan_history': _flag(history),
                  'clear_transient': 'true'}
        headers: dict[str, str] = {}
        try:
            body = self.client.request('GET', deployment_path(deployment_id), params=params, response_headers=headers,
                                       operation='Reading deployment %s' % deployment_id)
        except EceApiError as exc:
            if exc.status == 404:
                return None, None
            raise
        return body, headers.get(VERSION_HEADER)

    def get_resource(self, deployment_id, ref_id, history=False):
        """One Elasticsearch resource with its plans and their logs (what polls read: less than the whole deployment)."""
        params = {'show_plans': 'true', 'show_plan_logs': 'true', 'show_plan_history': _flag(history)}
        return self.client.request('GET', resource_path(deployment_id, ref_id), params=params,
                                   operation='Reading the plans of deployment %s' % deployment_id)

    def find(self, wanted, history=False):
        """(deployment, resource version) of the deployment with id or exact name `wanted`; fails when none or several."""
        refuse_structured(wanted)
        looks_like_id = bool(DEPLOYMENT_ID.fullmatch(wanted))
        if looks_like_id:
            body, version = self.get(wanted, history=history)
            if body is not None:
                return body, version
        listed = self.list()
        named = [dep for dep in listed if dep.get('name') == wanted]
        if len(named) > 1:
            raise EceError('%s (ids %s); give the id of one as option deployment.'
                           % (named_alike(len(named), 'deployments', wanted), ', '.join(sorted(str(dep.get('id')) for dep in named))))
        if not named:
            raise EceError('No deployment has the %s %s. Give the id (32 hexadecimal characters) or the exact name of a '
                           'deployment; ECE holds %s.' % ('id or name' if looks_like_id else 'name', wanted, _some_names(listed)))
        body, version = self.get(named[0]['id'], history=history)
        if body is None:
            raise EceError('Deployment %s (id %s) was deleted while this task read it.' % (wanted, named[0]['id']))
        return body, version

    # The write: in check mode nothing is sent.

    def update_plan(self, deployment_id, body, version, label=None):
        """PUT the update guarded by `version`; raises VersionConflict when the deployment changed meanwhile.

        `label` names the deployment in messages (`name (id ...)`), when the caller knows it.
        """
        if self.check_mode:
            return None
        params = {'validate_only': 'false'}
        if version is not None:
            params['version'] = version
        try:
            return self.client.request('PUT', deployment_path(deployment_id), json_body=body, params=params,
                                       operation='Updating the plan of deployment %s' % (label or deployment_id))
        except EceApiError as exc:
            if exc.status == 409 or any(exc.has_code(code) for code in CONFLICT_CODES + PENDING_CODES):
                raise VersionConflict(exc) from None
            raise

    def cancel_pending(self, deployment_id, kind, ref_id, label=None):
        """Cancel the pending plan attempt of one resource; in check mode nothing is sent."""
        if self.check_mode:
            return None
        return self.client.request('DELETE', resource_path(deployment_id, ref_id, kind) + '/plan/pending',
                                   params=_cancel_params(),
                                   operation='Cancelling the pending plan of %s %s of deployment %s'
                                   % (kind, ref_id, label or deployment_id))


def _cancel_params():
    # Graceful (force_delete=false), as the ECE UI cancels. ignore_missing: an attempt that ended between our read
    # and this request is not an error (both flags in Elastic's specification [C]); the caller reads its outcome
    # afterwards (register: cancelled-attempt).
    return {'force_delete': 'false', 'ignore_missing': 'true'}


def _some_names(deployments, shown=10):
    names = sorted(str(dep.get('name')) for dep in deployments)
    if not names:
        return 'no deployments'
    text = ', '.join(names[:shown])
    return text + (' and %d more' % (len(names) - shown) if len(names) > shown else '')
