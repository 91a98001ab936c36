# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: a deployment's Elasticsearch resource and the version rules (pure logic).

- which Elasticsearch resource, and which of its plans the nodes run;
- the version rules: a plugin's version equals the plan's, a bundle's may be a wildcard like `8.*`.

The merge is in _plan_merge.py, the attempts and their outcome in _plan_attempts.py.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._plan_attempts import plans_of, running_attempt
# Moved to _version_rules (shared with _usage_guard); imported back for this file's callers.
from ansible_collections.ece.platform.plugins.module_utils._version_rules import plugin_version_problem, version_matches

ARRAY_OF_TYPE = {'bundle': 'user_bundles', 'plugin': 'user_plugins'}


# The resource and its plans

def es_resource(deployment, ref_id=None):
    """The Elasticsearch resource named `ref_id`, or the only one; fails naming the ref_ids to choose from."""
    resources = (deployment.get('resources') or {}).get('elasticsearch') or []
    ref_ids = [res.get('ref_id') for res in resources]
    label = deployment_label(deployment)
    if ref_id is not None:
        for res in resources:
            if res.get('ref_id') == ref_id:
                return res
        raise EceError('Deployment %s has no Elasticsearch resource with ref_id %s; it has %s.'
                       % (label, ref_id, ', '.join(ref_ids) or 'none'))
    if len(resources) == 1:
        return resources[0]
    if not resources:
        raise EceError('Deployment %s has no Elasticsearch resource, so no extension can be attached to it.' % label)
    raise EceError('Deployment %s has %d Elasticsearch resources (ref_id %s); give option ref_id to choose one.'
                   % (label, len(resources), ', '.join(ref_ids)))


def deployment_label(deployment):
    return '%s (id %s)' % (deployment.get('name'), deployment.get('id'))


def running_plan(deployment, resource):
    attempt = running_attempt(plans_of(resource))
    if not attempt or not attempt.get('plan'):
        raise EceError('Deployment %s has no running plan for Elasticsearch resource %s, so extensions cannot be changed '
                       'on it yet. Wait until it has been created.' % (deployment_label(deployment), resource.get('ref_id')))
    return attempt['plan']


def plan_version(plan):
    version = (plan.get('elasticsearch') or {}).get('version')
    if not version:
        for element in plan.get('cluster_topology') or []:
            version = (element.get('elasticsearch') or {}).get('version') or version
    return version


# The version rules

def check_attachable(ext, es_version, deployment):
    """Fail before anything is sent when the plan could not load `ext`; the message names both versions and the fix."""
    label = deployment_label(deployment)
    if ext.extension_type not in ARRAY_OF_TYPE:
        raise EceError('Extension %s (id %s) has the unknown type %r; only plugins and bundles can be attached.'
                       % (ext.name, ext.id, ext.extension_type))
    if not ext.file_metadata:
        raise EceError('The %s has no archive (no file_metadata), so deployment %s could not load it. Upload one first '
                       '(ece.platform.extension with option file or download_url), then run again.' % (ext.label(), label))
    if ext.extension_type == 'plugin' and ext.explicit_version and ext.version != es_version:
        # Whatever the plan entry says, the archive holds a build for the extension's own version.
        raise EceError('The %s cannot be attached to deployment %s: its version %s differs from the Elasticsearch version %s the '
                       'deployment runs, and a plugin must match it exactly, whatever elasticsearch_version says. %s'
                       % (ext.label(), label, ext.version, es_version, plugin_fix(ext, es_version)))
    if version_matches(ext.extension_type, ext.elasticsearch_version, es_version):
        return
    source = 'elasticsearch_version %s given for it' % ext.elasticsearch_version if ext.explicit_version \
        else 'its version %s' % ext.elasticsearch_version
    if ext.extension_type == 'plugin':
        raise EceError('The %s cannot be attached to deployment %s: %s differs from the Elasticsearch version %s the deployment '
                       'runs, and a plugin must match it exactly. %s'
                       % (ext.label(), label, source, es_version, plugin_fix(ext, es_version)))
    raise EceError('The %s cannot be attached to deployment %s: %s does not match the Elasticsearch version %s the deployment '
                   'runs. Give an elasticsearch_version that matches it (for example %s or %s.*), or use a bundle made for it.'
                   % (ext.label(), label, source, es_version, es_version, es_version.split('.')[0]))


def plugin_fix(ext, es_version):
    """What to do about a plugin that does not fit the plan's version (issue 17 trial).

    "Change the deployment's version first" (0.2.0) sent people into a dead end: an upgrade that keeps the old build in
    the plan makes the nodes load a plugin built for another version, so the way to run this build is an upgrade that
    swaps the plugin in the same plan change.
    """
    if ext.explicit_version and ext.version == es_version:
        return 'Leave elasticsearch_version out: it defaults to the plugin\'s own version %s, which fits.' % ext.version
    fix = ('Attach the build of the plugin for %s instead (an extension with version %s; create it with '
           'ece.platform.extension and identity=name_and_version when it does not exist yet).' % (es_version, es_version))
    if ext.version and plugin_version_problem(ext.version) is None:
        fix += (' To run this build, move the deployment to Elasticsearch %s with ece.platform.deployment_upgrade, '
                'which upgrades it and swaps the plugin in one plan change.' % ext.version)
    return fix
