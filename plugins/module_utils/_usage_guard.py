# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: never change an extension in use into something its deployments cannot run.

A plugin is built for one exact Elasticsearch version. Changing the `version` (or the archive) of a plugin that a
deployment uses makes that deployment's next plan change or restart load a plugin its nodes refuse, and every later
plan change of that deployment is then refused too. So before such a write the deployments that use
the extension are read, and the write is refused when one of them could not run the result. The operator's way
instead is a separate extension per build (identity=name_and_version) and a swap in the deployments' plans.

The same read serves a warning: a new archive for an extension in use reaches the nodes only with
their next plan change, so those deployments now run a stale copy and are named with how to reload them.

Reads cost requests, so they happen only when such a write is about to be sent: a run that changes nothing, or
changes only a description, reads nothing more. The rules themselves are pure functions (unit-tested); the class
at the end does the reads.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._deployment_plan import plan_version
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import plans_of, running_attempt
from ansible_collections.ece.platform.plugins.module_utils._plan_merge import attached_urls
from ansible_collections.ece.platform.plugins.module_utils._deployments_api import DEPLOYMENT_ID, DeploymentsApi
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import plan_url
from ansible_collections.ece.platform.plugins.module_utils._version_rules import version_matches

RELOAD_HOW = ('ece.platform.deployment_extensions with reload=stale (or the role ece.platform.extensions with those '
              'deployments in ece_deployment_extensions)')


# Pure rules

def versions_using(deployment, url):
    """The Elasticsearch versions `deployment` runs or is about to run with the extension at `url`, running plan first.

    Only plans that reference `url` (plan level or any topology element) count. When none does (the extension was
    reported in use, yet no plan we can read lists it), every plan counts: the guard must not pass for want of a
    reference it could not find.
    """
    referencing, every = [], []
    for resource in (deployment.get('resources') or {}).get('elasticsearch') or []:
        plan_info = plans_of(resource)
        for attempt in (running_attempt(plan_info), plan_info.get('pending')):
            plan = (attempt or {}).get('plan') or {}
            version = plan_version(plan) if plan else None
            if version is None:
                continue
            every.append(version)
            if url in attached_urls(plan):
                referencing.append(version)
    return _unique(referencing or every)


def _unique(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def user(deployment_id, name, versions, unreadable=None):
    """A deployment that uses the extension: id, name, the version its nodes run (first of `versions`), all of them.

    `unreadable` says why the deployment could not be read; its versions are then unknown.
    """
    record = dict(id=deployment_id, name=name, elasticsearch_version=versions[0] if versions else None,
                  elasticsearch_versions=list(versions))
    if unreadable:
        record['unreadable'] = unreadable
    return record


def public_view(users):
    """What results return as in_use_by: id, name and elasticsearch_version of each deployment."""
    return [dict(id=u['id'], name=u['name'], elasticsearch_version=u['elasticsearch_version']) for u in users]


def cannot_run(extension_type, version, users):
    """The users that could not run an extension of `extension_type` at `version`: any of their versions does not match,
    or their version is unknown (a guard that protects a running deployment fails closed)."""
    return [u for u in users
            if not u['elasticsearch_versions']
            or not all(version_matches(extension_type, version, es) for es in u['elasticsearch_versions'])]


def describe(users):
    """'search-prod (id 0a12..., Elasticsearch 8.15.1), ...' for messages."""
    parts = []
    for u in users:
        if u.get('unreadable'):
            what = 'its Elasticsearch version could not be read: %s' % u['unreadable']
        else:
            what = 'Elasticsearch %s' % ' and '.join(u['elasticsearch_versions'])
        parts.append('%s (id %s, %s)' % (u['name'] or 'a deployment', u['id'] or 'unknown', what))
    return ', '.join(parts)


def instead(name, new_version):
    """How to get a new build to the deployments without breaking them."""
    return ('Keep this extension as it is and create a separate one for the new build: name %s with identity=name_and_version '
            'and version=%s. Then move the deployments to it with ece.platform.deployment_upgrade, which upgrades '
            'Elasticsearch and swaps the two builds in one plan change. (ece.platform.deployment_extensions with replaces '
            'swaps them without an upgrade, so only on a deployment whose Elasticsearch version the new build already '
            'fits; the deployments named here run a version it does not fit.) Nothing was changed.' % (name, new_version))


def version_refusal(extension, new_version, blocked):
    """The message refusing to change `extension` (in use by `blocked`, who could not run it) to `new_version`."""
    kind = extension.get('extension_type')
    rule = ('a plugin is built for one exact Elasticsearch version' if kind == 'plugin'
            else 'a bundle\'s version must match the Elasticsearch version of every deployment that uses it')
    return ('Extension %s (id %s) was not changed from version %s to %s: it is used by deployments that could not run a %s '
            'for %s: %s. As %s, changing it in place would break them at their next plan change or restart. %s'
            % (extension.get('name'), extension.get('id'), extension.get('version'), new_version, kind, new_version,
               describe(blocked), rule, instead(extension.get('name'), new_version)))


def archive_refusal(extension, shown_file, descriptor, es_version, blocked):
    """The message refusing to upload to plugin `extension` an archive built for `es_version` that `blocked` cannot run."""
    return ('The archive %r was not uploaded to extension %s (id %s): its plugin descriptor %s says '
            'elasticsearch.version=%s, but the extension is used by deployments that run another Elasticsearch version: %s. '
            'A plugin is built for one exact Elasticsearch version, so this archive would break them at their next plan '
            'change or restart. %s'
            % (shown_file, extension.get('name'), extension.get('id'), descriptor, es_version, describe(blocked),
               instead(extension.get('name'), es_version)))


def stale_warning(extension, users, check_mode=False):
    """The warning for a new archive of an extension that `users` run: they keep the old copy until a plan change."""
    return ('Extension %s (id %s) %s a new archive, but the deployments that use it keep running the old copy until '
            'their next plan change: %s. Reload them with %s.'
            % (extension.get('name'), extension.get('id'), 'would get (check mode)' if check_mode else 'got',
               describe(users), RELOAD_HOW))


# The reads

class UsageGuard:
    """Reads which deployments use an extension, and what Elasticsearch they run, only when asked (then once per extension)."""

    def __init__(self, extensions_api, deployments_api=None):
        self.extensions = extensions_api
        self._deployments = deployments_api
        self._users = {}
        self._listed = None

    @property
    def deployments(self):
        if self._deployments is None:
            # The same client as the extensions API: every request goes through it.
            self._deployments = DeploymentsApi(self.extensions.client, check_mode=self.extensions.check_mode)
        return self._deployments

    def users(self, extension):
        """The deployments that use `extension` (see user()), read with include_deployments, then each deployment."""
        ext_id = str(extension.get('id'))
        if ext_id not in self._users:
            read = self.extensions.get(ext_id, include_deployments=True) or {}
            url = read.get('url') or plan_url(extension)
            self._users[ext_id] = [self._read(str(ref), url) for ref in read.get('deployments') or []]
        return self._users[ext_id]

    def _read(self, ref, url):
        # include_deployments lists deployment ids (register: deployments-are-ids). ECE's in-use error names
        # deployments by name in Elastic's guide [D], so an entry that is not a readable id is looked up as a name
        # (a unit test exercises that path).
        is_id = bool(DEPLOYMENT_ID.fullmatch(ref))
        unknown: tuple[str | None, str | None] = (ref, None) if is_id else (None, ref)  # (id, name) of one not read
        try:
            if is_id:
                body, _version = self.deployments.get(ref)
                if body is not None:
                    return user(str(body.get('id') or ref), body.get('name'), versions_using(body, url))
            named = [dep for dep in self._listed_deployments() if dep.get('name') == ref]
            if len(named) != 1:
                why = 'no deployment has that id or name' if not named else '%d deployments carry that name' % len(named)
                return user(*unknown, [], unreadable=why)
            body, _version = self.deployments.get(named[0]['id'])
            if body is None:
                return user(str(named[0]['id']), ref, [], unreadable='it was deleted while being read')
            return user(str(body.get('id')), body.get('name'), versions_using(body, url))
        except EceApiError as exc:
            return user(*unknown, [], unreadable='HTTP %s' % exc.status if exc.status else exc.msg)

    def _listed_deployments(self):
        if self._listed is None:
            self._listed = self.deployments.list()
        return self._listed

    def check_version(self, extension, new_version):
        """Refuse (EceError) `new_version` for `extension` when a deployment using it could not run it; else its users."""
        users = self.users(extension)
        blocked = cannot_run(extension.get('extension_type'), new_version, users)
        if blocked:
            raise EceError(version_refusal(extension, new_version, blocked), in_use_by=public_view(users))
        return users

    def check_archive(self, extension, shown_file, descriptor, es_version):
        """Refuse an archive for plugin `extension` built for `es_version` when a deployment using it runs another one."""
        users = self.users(extension)
        blocked = cannot_run('plugin', es_version, users)
        if blocked:
            raise EceError(archive_refusal(extension, shown_file, descriptor, es_version, blocked), in_use_by=public_view(users))
        return users
