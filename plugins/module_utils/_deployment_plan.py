# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: pure logic on deployment plans (no I/O, unit-tested).

- which Elasticsearch resource, and which of its plans the nodes run;
- the merge that changes only `user_bundles`/`user_plugins` (matched by `url`) and keeps every
  other field and every entry added another way;
- the version rules: a plugin's version equals the plan's, a bundle's may be a wildcard like `8.*`;
- which attached extensions are stale (archive stored after the running plan started);
- how a plan attempt ended, following the robust rule: its own `healthy`, `error` and last log step.
"""

from __future__ import annotations

import copy
import datetime
import re

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

ARRAYS = ('user_bundles', 'user_plugins')
ARRAY_OF_TYPE = {'bundle': 'user_bundles', 'plugin': 'user_plugins'}
ENTRY_FIELDS = ('name', 'url', 'elasticsearch_version')
_TIMESTAMP = re.compile(r'(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$')


class Attachable:
    """An extension as a plan references it: looked up through the extensions API, with the version to use."""

    def __init__(self, extension, elasticsearch_version=None):
        self.id = str(extension.get('id'))
        self.name = extension.get('name')
        self.extension_type = extension.get('extension_type')
        self.url = extension.get('url') or 'repo://%s' % self.id
        self.version = extension.get('version')
        self.explicit_version = elasticsearch_version is not None
        self.elasticsearch_version = elasticsearch_version if elasticsearch_version is not None else self.version
        self.file_metadata = extension.get('file_metadata') or {}

    @property
    def array(self):
        return ARRAY_OF_TYPE[self.extension_type]

    def entry(self):
        return {'name': self.name, 'url': self.url, 'elasticsearch_version': self.elasticsearch_version}

    def label(self):
        return '%s %s (id %s)' % (self.extension_type, self.name, self.id)


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


def plans_of(resource):
    return ((resource.get('info') or {}).get('plan_info')) or {}


def attempt_failed(attempt):
    """The rule of DEPLOYMENTS.md 3.5: unhealthy, or an error, or a last step `plan-completed` with status error."""
    if attempt.get('healthy') is False or attempt.get('error'):
        return True
    log = attempt.get('plan_attempt_log') or []
    return bool(log) and log[-1].get('step_id') == 'plan-completed' and log[-1].get('status') == 'error'


def running_attempt(plan_info):
    """The attempt whose plan the nodes run: `current`, unless that is a failed attempt (ECE may put one there);
    then the newest successful one in history. None when no attempt ever succeeded."""
    current = plan_info.get('current')
    if current and not attempt_failed(current):
        return current
    for attempt in reversed(plan_info.get('history') or []):
        if not attempt_failed(attempt) and attempt.get('plan'):
            return attempt
    return current


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

def version_matches(extension_type, wanted, es_version):
    """Plugins: exactly the plan's version. Bundles: exact, `*`, or a prefix ending in `.*` such as `8.*` or `8.15.*`."""
    if wanted is None or es_version is None:
        return False
    if wanted == es_version:
        return True
    if extension_type == 'plugin':
        return False
    wanted_parts, parts = wanted.split('.'), es_version.split('.')
    for index, part in enumerate(wanted_parts):
        if part == '*':
            return index == len(wanted_parts) - 1
        if index >= len(parts) or part != parts[index]:
            return False
    return False


def check_attachable(ext, es_version, deployment):
    """Fail before anything is sent when the plan could not load `ext`; the message names both versions and the fix."""
    label = deployment_label(deployment)
    if ext.extension_type not in ARRAY_OF_TYPE:
        raise EceError('Extension %s (id %s) has the unknown type %r; only plugins and bundles can be attached.'
                       % (ext.name, ext.id, ext.extension_type))
    if not ext.file_metadata:
        raise EceError('The %s has no archive (no file_metadata), so deployment %s could not load it. Upload one first '
                       '(ece.platform.extension with option file or download_url), then run again.' % (ext.label(), label))
    if version_matches(ext.extension_type, ext.elasticsearch_version, es_version):
        return
    source = 'elasticsearch_version %s given for it' % ext.elasticsearch_version if ext.explicit_version \
        else 'its version %s' % ext.elasticsearch_version
    if ext.extension_type == 'plugin':
        raise EceError('The %s cannot be attached to deployment %s: %s differs from the Elasticsearch version %s the deployment '
                       'runs, and a plugin must match it exactly. Attach a build of the plugin for %s (an extension with '
                       'version %s), or change the deployment\'s version first.'
                       % (ext.label(), label, source, es_version, es_version, es_version))
    raise EceError('The %s cannot be attached to deployment %s: %s does not match the Elasticsearch version %s the deployment '
                   'runs. Give an elasticsearch_version that matches it (for example %s or %s.*), or use a bundle made for it.'
                   % (ext.label(), label, source, es_version, es_version, es_version.split('.')[0]))


# The merge

def extension_lists(plan):
    """The plan-level lists, each entry reduced to name, url and elasticsearch_version (what diffs and results show)."""
    es = plan.get('elasticsearch') or {}
    return {array: [{field: entry.get(field) for field in ENTRY_FIELDS} for entry in es.get(array) or []] for array in ARRAYS}


def _configurations(plan):
    """Every place a plan can list extensions: the plan level first, then each topology element."""
    yield plan.setdefault('elasticsearch', {})
    for element in plan.get('cluster_topology') or []:
        if isinstance(element.get('elasticsearch'), dict):
            yield element['elasticsearch']


def entry_names(plan):
    """url -> the name label of its first entry, wherever the plan lists it."""
    names: dict[str, str] = {}
    for config in _configurations(copy.deepcopy(plan)):
        for array in ARRAYS:
            for entry in config.get(array) or []:
                names.setdefault(entry.get('url'), entry.get('name'))
    return names


def attachment_changes(before, after):
    """(attached, detached): the names of the extensions `after` references and `before` does not, and the reverse."""
    old, new = entry_names(before), entry_names(after)
    return [new[url] for url in new if url not in old], [old[url] for url in old if url not in new]


def attached_urls(plan):
    """url -> array of every entry, at plan level or in any topology element (the UI may store them there)."""
    found: dict[str, str] = {}
    for config in _configurations(copy.deepcopy(plan)):
        for array in ARRAYS:
            for entry in config.get(array) or []:
                found.setdefault(entry.get('url'), array)
    return found


def merge(plan, wanted, state='present', exclusive=False, es_version=None):
    """The plan to send: a copy of `plan` where only the extension lists differ, and only as asked.

    present: add each wanted extension not attached yet (at plan level); an entry already there is
    left as it is unless an explicit elasticsearch_version differs, or its own version no longer
    matches the plan. Other entries stay, unless `exclusive`. absent: remove the wanted extensions'
    entries wherever they are. `transient` is dropped (an update must not repeat one-off settings).
    """
    new = copy.deepcopy(plan)
    new.pop('transient', None)
    wanted_urls = {ext.url for ext in wanted}
    configs = list(_configurations(new))
    for config in configs:
        for array in ARRAYS:
            if array not in config:
                continue
            entries = config[array] or []
            if state == 'absent':
                kept = [entry for entry in entries if entry.get('url') not in wanted_urls]
            elif exclusive:
                kept = [entry for entry in entries if entry.get('url') in wanted_urls]
            else:
                kept = entries
            if kept != entries:
                config[array] = kept
    if state == 'present':
        top = configs[0]
        for ext in wanted:
            if not would_write(new, ext, es_version):
                continue
            entries = list(top.get(ext.array) or [])
            index = next((i for i, entry in enumerate(entries) if entry.get('url') == ext.url), None)
            if index is None:
                entries.append(ext.entry())
            else:
                entries[index] = dict(entries[index], elasticsearch_version=ext.elasticsearch_version)
            top[ext.array] = entries
    return new


def would_write(plan, ext, es_version):
    """Whether attaching `ext` needs its plan-level entry written: it is not attached anywhere yet, or an explicit
    elasticsearch_version differs from its entry's, or its entry's version no longer matches the plan's."""
    es = plan.get('elasticsearch') or {}
    entry = next((e for e in es.get(ext.array) or [] if e.get('url') == ext.url), None)
    if entry is None:
        return ext.url not in attached_urls(plan)
    if ext.explicit_version and entry.get('elasticsearch_version') != ext.elasticsearch_version:
        return True
    return not version_matches(ext.extension_type, entry.get('elasticsearch_version'), es_version)


def referenced_urls(deployment):
    """The url of every extension the deployment's Elasticsearch resources use: in the running, current or pending plan."""
    urls = set()
    for resource in (deployment.get('resources') or {}).get('elasticsearch') or []:
        plan_info = plans_of(resource)
        for attempt in (running_attempt(plan_info), plan_info.get('current'), plan_info.get('pending')):
            urls.update(attached_urls((attempt or {}).get('plan') or {}))
    return urls


def update_body(resource, plan):
    """The PUT body that changes this Elasticsearch resource only: other resources stay as they are."""
    return {
        'prune_orphans': False,
        'resources': {'elasticsearch': [{'ref_id': resource.get('ref_id'), 'region': resource.get('region'), 'plan': plan}]},
    }


# Staleness and attempts

def parse_time(text):
    """An ECE timestamp (ISO 8601, e.g. 2026-11-28T12:41:16.138Z) as an aware datetime, or None."""
    match = _TIMESTAMP.match(str(text or '').strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or '0')[:6].ljust(6, '0'))
    offset = datetime.timedelta(0)
    if zone and zone != 'Z':
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == '-' else offset
    moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro,
                               tzinfo=datetime.timezone.utc)
    return moment - offset


def stale_names(plan, running, extensions_by_url, still_attached=None):
    """Names of extensions attached in `plan` (and in `still_attached`, when given) whose archive was stored after
    the running plan's attempt started. Nodes download extensions when they start, so they run an older copy.
    """
    started = parse_time((running or {}).get('attempt_start_time'))
    if started is None:
        return []
    names = []
    for url in attached_urls(plan):
        if still_attached is not None and url not in still_attached:
            continue
        ext = extensions_by_url.get(url)
        stored = parse_time(((ext or {}).get('file_metadata') or {}).get('last_modified_date'))
        if stored is not None and stored > started and ext.get('name') not in names:
            names.append(ext.get('name'))
    return names


def attempt_key(attempt):
    return (attempt or {}).get('plan_attempt_id') or (attempt or {}).get('attempt_start_time')


def known_attempts(plan_info):
    """Keys of every attempt ECE reports now: an attempt started later is not among them."""
    attempts = [plan_info.get('current'), plan_info.get('pending')] + list(plan_info.get('history') or [])
    return {attempt_key(a) for a in attempts if attempt_key(a)}


def find_ended(plan_info, select):
    """The newest ended attempt (in `current` or history) that `select` accepts, or None."""
    candidates = [a for a in [plan_info.get('current')] + list(plan_info.get('history') or []) if a and select(a)]
    if not candidates:
        return None
    return max(candidates, key=lambda a: parse_time(a.get('attempt_start_time')) or datetime.datetime.min.replace(
        tzinfo=datetime.timezone.utc))


def outcome(attempt, plan_info):
    """{attempt_id, status, duration_seconds} of an ended attempt, with message and failure_type when it failed."""
    failed = attempt_failed(attempt)
    if not failed and attempt is plan_info.get('current') and plan_info.get('healthy') is False:
        # ECE says the last attempt failed; when ours is current and looks fine otherwise, trust that.
        failed = True
    result = {'attempt_id': attempt.get('plan_attempt_id'), 'status': 'error' if failed else 'success',
              'duration_seconds': duration(attempt)}
    if failed:
        result['message'], result['failure_type'] = failure_details(attempt)
    return result


def failure_details(attempt):
    """The plan's own last message and failure_type (from the last step's log, else from `error`)."""
    message = failure_type = None
    log = attempt.get('plan_attempt_log') or []
    if log:
        info_log = log[-1].get('info_log') or []
        if info_log:
            message = info_log[-1].get('message')
            failure_type = info_log[-1].get('failure_type')
    error = attempt.get('error') or {}
    message = message or error.get('message') or 'the plan failed for a reason ECE did not report'
    failure_type = failure_type or error.get('failure_type')
    return message, failure_type


def duration(attempt):
    start = parse_time(attempt.get('attempt_start_time'))
    end = parse_time(attempt.get('attempt_end_time') or attempt.get('plan_end_time'))
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 3)
