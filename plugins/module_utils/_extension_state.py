# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: bring one extension to its desired state.

Find it (by id, else by exact name), compare the managed fields, and send only the writes that are
needed: create, update, upload, delete. Options a user leaves out are not managed. The write
boundary (ExtensionsApi) handles check mode; this layer builds the result and the diff.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from ansible_collections.ece.platform.plugins.module_utils._archive import LocalArchive
from ansible_collections.ece.platform.plugins.module_utils._archive_source import ArchiveSource
from ansible_collections.ece.platform.plugins.module_utils._client import without_query
from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_identity import same_build, select
from ansible_collections.ece.platform.plugins.module_utils._plugin_descriptor import check_plugin_archive, read_descriptor
from ansible_collections.ece.platform.plugins.module_utils._upload_decision import UploadDecision
from ansible_collections.ece.platform.plugins.module_utils._usage_guard import UsageGuard, public_view, stale_warning
from ansible_collections.ece.platform.plugins.module_utils._version_rules import plugin_version_problem

NAME_PATTERN = re.compile(r'[A-Za-z0-9_.-]+')
METADATA_FIELDS = ('name', 'extension_type', 'version', 'description', 'download_url')
IDENTITIES = ('name', 'name_and_version')


class DesiredExtension:
    """What the user asked for; None means "not managed"."""

    def __init__(self, name, extension_id=None, state='present', extension_type=None, version=None,
                 description=None, download_url=None, file=None, force_upload=False, identity='name',
                 upload_mode='multipart'):
        self.name = name
        # name: one extension per name (0.2.0). name_and_version: one per build, found by name and exact version.
        self.identity = identity
        self.id = extension_id
        self.state = state
        self.extension_type = extension_type
        self.version = version
        self.description = description
        self.download_url = download_url
        self.file = file
        self.force_upload = force_upload
        self.upload_mode = upload_mode
        self.archive = None

    @classmethod
    def from_params(cls, params):
        return cls(params['name'], extension_id=params.get('id'), state=params.get('state', 'present'),
                   extension_type=params.get('extension_type'), version=params.get('version'),
                   description=params.get('description'), download_url=params.get('download_url'),
                   file=params.get('file'), force_upload=params.get('force_upload', False),
                   identity=params.get('identity') or 'name', upload_mode=params.get('upload_mode') or 'multipart')

    def prepare(self, workdir=None):
        """Check the options and open the local archive, before any request; raises EceError naming the option and the fix.

        More than a validation: when option file is given, `self.archive` becomes the opened and checked archive
        (a directory is zipped into `workdir` first), so that the reconciler uploads what was checked.
        """
        # An id alone finds the extension (name then stays as it is); a name that is given must be valid.
        if self.name is None and self.id is None:
            raise EceError('Give option name (or option id, to act on one extension by its id).')
        if self.name is not None and not self.name.strip():
            raise EceError('Option name must not be empty; give the extension a name of ASCII letters, digits, "_", "." '
                           'and "-", e.g. my-extension.')
        if self.name is not None and not NAME_PATTERN.fullmatch(self.name):
            raise EceError('Option name %r may contain only ASCII letters, digits, "_", "." and "-" (ECE rejects other '
                           'characters); rename it, e.g. %r.' % (self.name, suggested_name(self.name)))
        if self.id is not None and not str(self.id).strip():
            raise EceError('Option id is empty; leave it out to find the extension by name.')
        if self.identity == 'name_and_version' and not (self.version or '').strip():
            raise EceError('Option identity=name_and_version finds the extension by its name and exact version, so option '
                           'version is required with it, e.g. version: 8.15.1 for the build of a plugin for Elasticsearch '
                           '8.15.1. Give version, or use identity=name to find the extension by its name alone.')
        if self.state == 'absent':
            return
        # ece.platform.extension's argument spec refuses this pair already; extension_set's items meet it here only.
        if self.download_url is not None and self.file is not None:
            raise EceError('Options download_url and file are mutually exclusive: give ECE a URL to copy the archive from, '
                           'or a local file to upload, not both.')
        if self.download_url is not None:
            validate_download_url(self.download_url)
        if self.file is not None and self.archive is None:
            self.archive = LocalArchive.open_checked(self.file, workdir=workdir)
            if self.extension_type == 'plugin':
                check_plugin_archive(self.archive.path, self.version, shown_path=self.file)
        problem = plugin_version_problem(self.version) if self.extension_type == 'plugin' else None
        if problem:
            # Without this check ECE stores such a plugin, which no deployment can ever load (issue 17 trial).
            raise EceError('Option version is %r, %s, but a plugin is built for one exact Elasticsearch version: give '
                           'the version its plugin-descriptor.properties names in elasticsearch.version, e.g. 8.15.1. '
                           'Only a bundle may use a wildcard such as 8.*.' % (self.version, problem))

    def metadata(self):
        return {field: getattr(self, field) for field in METADATA_FIELDS if getattr(self, field) is not None}


def suggested_name(name):
    """A name ECE accepts that reads like `name`: accents dropped (synonymes-\u00e9t\u00e9 -> synonymes-ete), other runs become "-"."""
    ascii_text = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode('ascii')
    return re.sub(r'[^A-Za-z0-9_.-]+', '-', ascii_text).strip('-') or 'my-extension'


def as_sentence(msg):
    """`msg` ending like a sentence, so that another one can follow it."""
    msg = msg.rstrip()
    return msg if msg.endswith(('.', '!', '?')) else msg + '.'


def validate_download_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise EceError('Option download_url must be an http:// or https:// URL that ECE can download the archive from, '
                       'not %r. For a local archive use option file instead.' % url)


def metadata_view(extension):
    """The managed metadata of a server object (what diffs show)."""
    return {field: extension.get(field) for field in METADATA_FIELDS if extension.get(field) is not None}


def extension_update_body(current, desired, redownload=False):
    """The full replacement body an update needs: current values, overlaid with the managed ones.

    The type always comes from the server (ECE cannot change it). download_url is sent only when it
    changes or `redownload` says the stored archive is not the URL's, because sending it makes ECE
    download the archive again.
    """
    body = {
        'name': desired.name if desired.name is not None else current.get('name'),
        'version': desired.version if desired.version is not None else current.get('version'),
        'extension_type': current.get('extension_type'),
    }
    description = desired.description if desired.description is not None else current.get('description')
    if description is not None:
        body['description'] = description
    if desired.download_url is not None and (redownload or desired.download_url != current.get('download_url')):
        body['download_url'] = desired.download_url
    return body


def metadata_changes(current, desired):
    """Managed fields whose desired value differs from the server's, as {field: (before, after)}."""
    changes = {}
    for field in ('name', 'version', 'description', 'download_url'):
        wanted = getattr(desired, field)
        if wanted is not None and wanted != (current.get(field) or ('' if field == 'description' else None)):
            changes[field] = (current.get(field), wanted)
    return changes


class ExtensionReconciler:
    """Runs one desired extension against the server through an ExtensionsApi; returns the module result."""

    def __init__(self, api, warn=None, diff=True, usage=None):
        self.api = api
        self.warn = warn or (lambda msg: None)
        # Reads deployments only when a change they could not run, or a new archive, is about to be sent.
        self.usage = usage or UsageGuard(api)
        # Without diff mode nobody reads the local archive's SHA-256 unless the upload decision needs it.
        self.diff = diff
        self.uploads = UploadDecision(api, self.warn)

    def find(self, desired):
        if desired.id is not None:
            return self.api.get(desired.id)
        return select(self.api.find_by_name(desired.name), desired)

    def run(self, desired, current=None, looked_up=False):
        """Converge; `current` may be passed when the caller has already read the server (bulk use).

        `desired` must have been prepared (DesiredExtension.prepare), so bad input has failed before this sends anything.
        """
        if not looked_up:
            current = self.find(desired)
        if desired.state == 'absent':
            return self._absent(desired, current)
        if current is None:
            return self._create(desired)
        return self._converge(desired, current)

    def _absent(self, desired, current):
        if current is None:
            return dict(changed=False, extension={}, diff=dict(before={}, after={}))
        if desired.id is not None and desired.name is not None and current.get('name') != desired.name:
            # With state=present a different name renames; a delete cannot tell a stale id from a wrong name: fail closed.
            raise EceError('Extension id %s is named %s, not %s, so it was not deleted. To delete it, give the id alone or '
                           'with its name; to delete %s, give its id or leave id out.'
                           % (current['id'], current.get('name'), desired.name, desired.name))
        try:
            self.api.delete(current['id'])
        except EceApiError as exc:
            if exc.has_code('extensions.extension_in_use'):
                raise EceApiError('Extension %s (id %s) is in use and was not deleted: %s Detach it from those deployments first '
                                  '(ece.platform.deployment_extensions with state=absent).'
                                  % (current.get('name'), current['id'], exc.ece_messages()),
                                  exc.method, exc.url, exc.status, exc.errors) from None
            raise
        return dict(changed=True, extension=current, diff=dict(before=metadata_view(current), after={}))

    def _create(self, desired):
        if desired.id is not None:
            how = ('leave id out to find or create %s by name.' % desired.name if desired.name is not None
                   else 'give option name instead of id to find or create one by name.')
            raise EceError('No extension has id %s. Ids are assigned by ECE, so an extension cannot be created with a chosen id; '
                           '%s' % (desired.id, how))
        missing = [opt for opt in ('extension_type', 'version') if getattr(desired, opt) is None]
        if missing:
            raise EceError('Extension %s does not exist yet, and creating it needs option%s %s.'
                           % (desired.name, 's' if len(missing) > 1 else '', ' and '.join(missing)))
        body = desired.metadata()
        try:
            # With name_and_version, other builds of the name may exist: after an unclear create, only one of
            # this version can be the one it made.
            extension = (self.api.create(body, by_version=True) if desired.identity == 'name_and_version'
                         else self.api.create(body))
        except EceApiError as exc:
            raise self._download_failure(exc, desired) from None
        after = metadata_view(body)
        if desired.archive is not None:
            extension = self._upload(extension, desired, body, created=True)
            after['file'] = desired.archive.summary(with_sha256=self.diff)
        return dict(changed=True, extension=extension, diff=dict(before={}, after=after))

    def _converge(self, desired, current):
        if desired.extension_type is not None and desired.extension_type != current.get('extension_type'):
            raise EceError('Extension %s (id %s) is a %s, but extension_type=%s was asked for. ECE cannot change the type of an '
                           'extension: delete it and create it again, or create one with another name.'
                           % (current.get('name'), current.get('id'), current.get('extension_type'), desired.extension_type))
        if desired.archive is not None and current.get('extension_type') == 'plugin':
            # The type (and the version, when left out) may come from the server only: check the archive now.
            check_plugin_archive(desired.archive.path, desired.version or current.get('version'), shown_path=desired.file,
                                 extension=current.get('name'), version_from_server=desired.version is None)
        self._refuse_duplicate_rename(desired, current)
        changes = metadata_changes(current, desired)
        source = ArchiveSource(self.api, self.warn, current, desired, matches=self.uploads.url_matches_stored)
        redownload = source.redownload_needed()
        if redownload:
            changes['download_url'] = (None, desired.download_url)
        before, after = source.view(metadata_view(current)), source.view(metadata_view(current))
        for field, (_old, new) in changes.items():
            after[field] = new
        upload_needed = False
        if desired.archive is not None:
            upload_needed, before['file'], after['file'] = self.uploads.decide(current, desired, with_sha256=self.diff)
        # Before any write: refuse what a deployment using it could not run, and learn who runs a stale copy next.
        in_use_by = self._guard(current, desired, changes, upload_needed)
        # Only now: a change the guard refuses must not first be told to go ahead with a new archive (trial).
        self._warn_version_without_archive(desired, current, changes)
        extension = current
        if changes:
            try:
                extension = self.api.update(current['id'], extension_update_body(current, desired, redownload), current)
            except EceApiError as exc:
                raise self._download_failure(exc, desired) from None
            if redownload:
                source.confirm_redownload(extension)
        if upload_needed:
            extension = self._upload(extension, desired, current, created=bool(changes))
        result = dict(changed=bool(changes) or upload_needed, extension=source.reported_extension(extension),
                      diff=dict(before=before, after=after))
        if in_use_by is not None:
            result['in_use_by'] = public_view(in_use_by)
            if in_use_by:
                self.warn(stale_warning(current, in_use_by, check_mode=bool(getattr(self.api, 'check_mode', False))))
        return result

    def _guard(self, current, desired, changes, upload_needed):
        """The safety rule, before any write; returns the deployments using the extension when a new archive goes out.

        Deployments are read only when the version or the archive is about to change: a no-op run, or one that changes
        only the description, costs no request more.
        """
        new_archive = upload_needed or 'download_url' in changes
        if 'version' not in changes and not new_archive:
            return None
        users = None
        if 'version' in changes:
            users = self.usage.check_version(current, changes['version'][1])
        if upload_needed and current.get('extension_type') == 'plugin':
            descriptor, properties = read_descriptor(desired.archive.path)
            users = self.usage.check_archive(current, desired.file, descriptor, (properties or {}).get('elasticsearch.version'))
        if not new_archive:
            return None
        return users if users is not None else self.usage.users(current)

    def _refuse_duplicate_rename(self, desired, current):
        """A rename by id must not create a second extension of a name: look-ups by that name would then fail."""
        if desired.id is None or desired.name is None or desired.name == current.get('name'):
            return
        others = [ext for ext in self.api.find_by_name(desired.name) if str(ext.get('id')) != str(current.get('id'))]
        if desired.identity == 'name_and_version':
            # Builds of one name may coexist; only another of the same version would make look-ups ambiguous.
            others = same_build(others, desired.version or current.get('version'))
        if others:
            raise EceError('Extension %s (id %s) was not renamed to %s: extension id %s already carries that name, and names must '
                           'stay unique for look-ups by name. Choose another name, or rename or delete the other one first.'
                           % (current.get('name'), current.get('id'), desired.name, ', '.join(sorted(str(e.get('id')) for e in others))))

    def _warn_version_without_archive(self, desired, current, changes):
        if current.get('extension_type') != 'plugin' or 'version' not in changes:
            return
        if desired.archive is not None or 'download_url' in changes or not current.get('file_metadata'):
            return
        self.warn('Extension %s changes version from %s to %s without a new archive, but its stored archive was built for %s; '
                  'ECE needs a plugin built for the version the extension names. Give option file or download_url with the '
                  'plugin built for %s.' % (current.get('name'), current.get('version'), desired.version,
                                            current.get('version'), desired.version))

    def _upload(self, extension, desired, current, created=False):
        """Upload the archive; `created` says a write already went through, so a failure still changed the server."""
        before = dict(current, **extension)
        local_key = self.uploads.before_upload(desired.archive)
        try:
            uploaded = self.api.upload(extension.get('id'), desired.archive, before, mode=desired.upload_mode)
            self.uploads.record_upload(before, uploaded, desired.archive, local_key)
            return uploaded
        except EceApiError as exc:
            failure = EceApiError('%s The metadata of extension %s is in place; run again to upload the archive.'
                                  % (as_sentence(exc.msg), desired.name or extension.get('name')), exc.method, exc.url,
                                  exc.status, exc.errors)
            if created:
                failure.details.update(changed=True, extension=extension)
            raise failure from None

    def _download_failure(self, exc, desired):
        if not exc.has_code('extensions.request_execution_failed') or desired.download_url is None:
            return exc
        msg = ('ECE could not download the archive from download_url %s: %s Make sure the URL is reachable from ECE '
               'without redirects or authentication.' % (without_query(desired.download_url), exc.ece_messages()))
        try:
            leftovers = [ext for ext in self.api.find_by_name(desired.name) if not ext.get('file_metadata')]
            if desired.identity == 'name_and_version':
                leftovers = same_build(leftovers, desired.version)
        except EceApiError:
            leftovers = []
        if leftovers:
            msg += (' Extension %s now exists without an archive (id %s); running again with a reachable URL repairs it.'
                    % (desired.name, ', '.join(str(e.get('id')) for e in leftovers)))
        return EceApiError(msg, exc.method, exc.url, exc.status, exc.errors)
