# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: whether a local archive must be uploaded, and whether the archive ECE
stores is the one a `download_url` serves, downloading only what the digest cache does not already know.

Rules for option `file` (the first that applies decides):
1. force_upload, or no archive stored yet: upload.
2. A zip file: sizes differ: upload. Same size: compare the SHA-256 of the bytes (the server's from the
   cache, else downloaded; the local one from the cache, else computed).
3. A directory: compare contents (_archive_digests), whatever the sizes, since another zlib gives another
   size for the same tree. The server's content digest comes from the cache, else from a download.
4. The server's copy cannot be read: the size decides (equal: keep, with a warning).

Assumption [O] (register: upload-moves-last-modified-date): every upload gives the stored archive a new
`file_metadata.last_modified_date`, so (id, size, last_modified_date) names one stored archive and a re-upload
made elsewhere is never mistaken for the cached one. The module checks it on each of its own uploads: when
ECE reports the same date after an upload, the host is marked in the cache and its stored archives are no
longer looked up there.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

from ansible_collections.ece.platform.plugins.module_utils._archive_digests import (
    local_file_key, tree_content_digest, tree_key, zip_content_digest)
from ansible_collections.ece.platform.plugins.module_utils._digest_cache import DigestCache, hashed
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import hash_in_background
from ansible_collections.ece.platform.plugins.module_utils._progress import report
from ansible_collections.ece.platform.plugins.module_utils._zip_builder import tree_entries

UNREADABLE_KEPT = ('The archive stored for extension %s could not be read to compare contents (%s); its size equals the '
                   'local file\'s, so it was kept. Use force_upload=true to upload anyway.')


def show_at_vvv(text):
    """A line for -vvv: in-process the action plugin shows `note` events at once; a module process at -vvv keeps them
    (_module.ece_module's NoteCollector) and hands them back in its result, which the action plugin shows when it ends."""
    report('note', text=text)


class UploadDecision:
    """Upload decisions for one module run, through an ExtensionsApi and the digest cache."""

    def __init__(self, api, warn=None, note=None, cache=None):
        self.api = api
        self.warn = warn or (lambda msg: None)
        self.note = note or show_at_vvv
        base_url = getattr(getattr(api, 'client', None), 'base_url', None)
        self.host = hashed(base_url) if isinstance(base_url, str) else None
        if cache is None:
            cache = DigestCache.from_environment(self.note) if self.host else DigestCache(None, self.note)
        self.cache = cache
        self._tree_contents = {}

    # Cache entries of the server's copy

    def _server_key(self, extension):
        meta = extension.get('file_metadata') or {}
        if not (self.host and extension.get('id') and isinstance(meta.get('size'), int) and meta.get('last_modified_date')):
            return None
        if (self.cache.get('host', dict(host=self.host)) or {}).get('last_modified_date') == 'unreliable':
            return None
        return dict(host=self.host, id=str(extension['id']), size=meta['size'], last_modified_date=str(meta['last_modified_date']))

    def _server_digests(self, extension):
        key = self._server_key(extension)
        return (self.cache.get('stored', key) if key else None) or {}

    def _remember_server(self, extension, **digests):
        key = self._server_key(extension)
        if key is not None:
            value = dict(self.cache.get('stored', key) or {})
            value.update((field, digest) for field, digest in digests.items() if digest is not None)
            self.cache.put('stored', key, value)

    # Option file

    def decide(self, current, desired, with_sha256=True):
        """(upload?, the server's file as known, the local file for the diff)."""
        archive = desired.archive
        name = current.get('name')
        needed, known, same_content = self._needed(current, desired, name)
        if same_content == 'source' and with_sha256:
            # The stored archive is this very file: in diff mode its digest is the local one (computed for `after` anyway).
            known['sha256'] = archive.sha256
            same_content = False
        # Same content in other bytes: nothing changes on the server, so the diff shows nothing either.
        after = dict(known) if same_content and not needed else archive.summary(with_sha256=with_sha256)
        return needed, known, after

    def _needed(self, current, desired, name):
        archive = desired.archive
        stored = current.get('file_metadata') or {}
        if 'size' not in stored:
            return True, None, False
        known = {'size': stored['size']}
        if desired.force_upload:
            return True, known, False
        if archive.source_dir is not None:
            return self._tree_needed(current, archive, known, name)
        if stored['size'] != archive.size:
            self.note('extension %s: the stored archive has another size than %s: upload, nothing downloaded' % (name, archive.path))
            return True, known, False
        local_key = local_file_key(archive.path)  # taken before any hashing, so a change meanwhile is not cached
        digests = self._server_digests(current)
        if 'sha256' not in digests and digests.get('source') == _source_of(local_key):
            self.note('extension %s: the stored archive is what this module uploaded from %s, which has not changed since '
                      '(digest cache): nothing downloaded or hashed' % (name, archive.path))
            return False, known, 'source'
        local_from_cache = self._learn_local_sha256(archive, local_key)
        server = digests.get('sha256')
        if server is not None:
            self.note('extension %s: SHA-256 of the stored archive from the digest cache, nothing downloaded' % name)
        else:
            hashing = None if archive.sha256_known else hash_in_background(archive)
            try:
                server = self.api.stored_sha256(current)
            except EceError as exc:
                if hashing is not None:
                    hashing.join()
                self.warn(UNREADABLE_KEPT % (name, exc.msg))
                return False, known, False
            if hashing is not None:
                hashing.join()
            self.note('extension %s: SHA-256 of the stored archive computed by downloading it (not in the digest cache)' % name)
            self._remember_server(current, sha256=server)
        if not local_from_cache:
            self._remember_local_sha256(archive, local_key)
        known['sha256'] = server
        return server != archive.sha256, known, False

    def _learn_local_sha256(self, archive, local_key):
        """True when the local file's digest came from the cache."""
        if archive.sha256_known:
            return False
        cached = self.cache.get('local', local_key)
        if not cached:
            return False
        archive.learn_sha256(cached['sha256'])
        self.note('SHA-256 of %s from the digest cache (path, size, times and inode unchanged)' % archive.path)
        return True

    def _remember_local_sha256(self, archive, local_key):
        """Cache the local file's digest, when the file did not change while it was hashed."""
        if archive.sha256_known and archive.source_dir is None and local_file_key(archive.path) == local_key:
            self.cache.put('local', local_key, dict(sha256=archive.sha256))

    # Bundle directories: contents, not bytes

    def tree_content(self, archive):
        """The content digest of the directory behind `archive` (cached by a signature of its tree)."""
        directory = archive.source_dir
        if directory in self._tree_contents:
            return self._tree_contents[directory]
        entries = tree_entries(directory)
        key = tree_key(directory, entries)
        cached = self.cache.get('tree', key)
        if cached:
            content = cached['content']
            self.note('content digest of directory %s from the digest cache (its tree is unchanged)' % directory)
        else:
            content = tree_content_digest(entries)
            self.cache.put('tree', key, dict(content=content))
        self._tree_contents[directory] = content
        return content

    def _tree_needed(self, current, archive, known, name):
        local = self.tree_content(archive)
        server = self._server_digests(current)
        if 'content' in server:
            self.note('extension %s: content digest of the stored archive from the digest cache, nothing downloaded' % name)
            same = server['content'] == local
            return not same, known, same
        try:
            server_sha256, server_content = self._stored_content(current, archive)
        except EceError as exc:
            if known['size'] == archive.size:
                self.warn(UNREADABLE_KEPT % (name, exc.msg))
                return False, known, False
            self.warn('The archive stored for extension %s could not be read to compare contents (%s); its size differs from '
                      'the zip of directory %s, so the directory was uploaded.' % (name, exc.msg, archive.source_dir))
            return True, known, False
        self.note('extension %s: content digest of the stored archive computed by downloading it (not in the digest cache)' % name)
        self._remember_server(current, sha256=server_sha256, content=server_content)
        known['sha256'] = server_sha256
        same = server_content == local
        return not same, known, same

    def _stored_content(self, current, archive):
        """(SHA-256, content digest or None) of the stored archive, downloaded into a temporary file beside the zip."""
        handle, path = tempfile.mkstemp(prefix='ece-stored-', suffix='.zip', dir=os.path.dirname(archive.path))
        digest = hashlib.sha256()
        try:
            with os.fdopen(handle, 'wb') as out:
                def consume(chunk):
                    digest.update(chunk)
                    out.write(chunk)
                self.api.download_stored(current, consume)
            sha256 = digest.hexdigest()
            if sha256 == archive.sha256:
                return sha256, self.tree_content(archive)  # the very bytes this run would send
            return sha256, zip_content_digest(path)
        finally:
            os.unlink(path)

    # After an upload, the module knows what ECE holds

    @staticmethod
    def before_upload(archive):
        """What the local file looks like before it is sent (its cache key), for record_upload; None for a directory."""
        if archive.source_dir is not None:
            return None
        try:
            return local_file_key(archive.path)
        except OSError:
            return None

    def record_upload(self, before, after, archive, local_key=None):
        """Remember what the stored archive now is, keyed by its new metadata, so the next run downloads nothing.

        A zip file: "the bytes of the local file with key `local_key`" (its key from before_upload, and only
        when the file is still unchanged); hashing what is sent would cost a quarter of a large upload's time.
        A directory: the content digest of the zip that was sent (not of the tree, which may have changed since).
        The upload went through, so nothing here may fail the task; at worst the next run downloads once.
        """
        try:
            self._record_upload(before, after, archive, local_key)
        except (OSError, EceError) as exc:
            self.note('digest cache: what was uploaded was not recorded (%s)' % exc)

    def _record_upload(self, before, after, archive, local_key):
        if getattr(self.api, 'check_mode', False):
            return  # nothing was sent
        meta = after.get('file_metadata') or {}
        if meta.get('size') != archive.size:
            return
        earlier = (before.get('file_metadata') or {}).get('last_modified_date')
        if earlier is not None and meta.get('last_modified_date') == earlier:
            # The date did not move with a new archive: it cannot tell stored archives apart on this host.
            self.note('ECE reported the same last_modified_date after an upload: stored archives of this host are no longer '
                      'looked up in the digest cache')
            if self.host:
                self.cache.put('host', dict(host=self.host), dict(last_modified_date='unreliable'))
            return
        if archive.source_dir is not None:
            self._remember_server(after, content=zip_content_digest(archive.path))
        elif local_key is not None and local_file_key(archive.path) == local_key:
            self._remember_server(after, source=_source_of(local_key))
        # else the file changed while it was sent: what ECE holds is not known, so nothing is remembered

    # Option download_url

    def url_matches_stored(self, current, url):
        """Whether `url` serves the archive ECE stores: sizes, then SHA-256 (URL by conditional GET, stored from cache)."""
        if not self.cache.enabled:
            return self.api.download_matches_stored(current, url)
        name = current.get('name')
        size = (current.get('file_metadata') or {}).get('size')
        served = self._url_digest(url, size, name)
        if served is None or served[0] != size:
            return False
        stored = self._server_digests(current).get('sha256')
        if stored is None:
            stored = self.api.stored_sha256(current)
            self.note('extension %s: SHA-256 of the stored archive computed by downloading it (not in the digest cache)' % name)
            self._remember_server(current, sha256=stored)
        else:
            self.note('extension %s: SHA-256 of the stored archive from the digest cache, nothing downloaded' % name)
        return served[1] == stored

    def _url_digest(self, url, size, name):
        """(size, SHA-256) of what `url` serves, or None when its length already differs from `size`."""
        key = dict(url=hashed(url))
        cached = self.cache.get('url', key)
        if not (cached and isinstance(cached.get('size'), int) and cached.get('sha256')):
            cached = None
        conditions = {}
        if cached and cached.get('etag'):
            conditions['If-None-Match'] = cached['etag']
        if cached and cached.get('last_modified'):
            conditions['If-Modified-Since'] = cached['last_modified']
        digest, received = hashlib.sha256(), [0]
        answer: dict = {}

        def consume(chunk):
            received[0] += len(chunk)
            digest.update(chunk)

        if not self.api.download_url(url, consume, expected_size=size, conditions=conditions, answer=answer):
            return None
        if answer.get('status') == 304 and conditions:
            self.note('extension %s: download_url not modified (HTTP 304): its SHA-256 from the digest cache' % name)
            return cached['size'], cached['sha256']
        headers = answer.get('headers') or {}
        served = (received[0], digest.hexdigest())
        if headers.get('etag') or headers.get('last-modified'):
            self.cache.put('url', key, dict(etag=headers.get('etag'), last_modified=headers.get('last-modified'),
                                            size=served[0], sha256=served[1]))
        self.note('extension %s: download_url read in full to compute its SHA-256' % name)
        return served


def _source_of(local_key):
    """The digest that names a local file's key (path, size, times, inode) in a stored archive's entry."""
    return hashed(json.dumps(local_key, sort_keys=True))
