# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the six extension operations of the ECE API.

This is the write boundary. In check mode the writes send nothing and return the object the real
request would most likely have returned, so no module can forget check mode. It also knows how
each operation may be tried again: reads, updates, uploads and deletes are idempotent; a create
is not, so after an unclear failure it looks for the extension before it sends the create again.
"""

from __future__ import annotations

import hashlib
import threading
from urllib.parse import quote

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._retry import RETRYABLE_STATUSES
from ansible_collections.ece.platform.plugins.module_utils._upload_body import upload_body

COLLECTION_PATH = '/deployments/extensions'
NO_USER_ID_HINT = ('The credentials carry no user id (extensions.no_user_id): extensions belong to users, so use the API key '
                   'of a user, or a username and password, not a system or service key.')


def item_path(extension_id):
    return '%s/%s' % (COLLECTION_PATH, quote(str(extension_id), safe=''))


def plan_url(extension):
    """The URL a deployment plan references the extension by: its `url`, which ECE sets to `repo://<id>`."""
    return extension.get('url') or 'repo://%s' % extension.get('id')


def _with_hint(exc):
    """ECE errors whose own text does not say what to do get a sentence that does."""
    if isinstance(exc, EceApiError) and exc.has_code('extensions.no_user_id'):
        return EceApiError('%s %s' % (exc.msg, NO_USER_ID_HINT), exc.method, exc.url, exc.status, exc.errors)
    return exc


class ExtensionsApi:
    """List, get, create, update, upload and delete extensions through one EceClient."""

    def __init__(self, client, *, check_mode):
        # Required, with no default: a module that forgot it would write in check mode (fail open).
        self.client = client
        self.check_mode = check_mode

    # Reads: always sent, also in check mode.

    def list(self):
        try:
            body = self.client.request('GET', COLLECTION_PATH, operation='Listing extensions')
        except EceApiError as exc:
            raise _with_hint(exc) from None
        return list(body.get('extensions') or [])

    def get(self, extension_id, include_deployments=False):
        """The extension, or None when ECE does not know the id."""
        params = {'include_deployments': 'true' if include_deployments else 'false'}
        try:
            return self.client.request('GET', item_path(extension_id), params=params,
                                       operation='Reading extension %s' % extension_id)
        except EceApiError as exc:
            if exc.status == 404 or self._gone(exc, extension_id):
                return None
            raise _with_hint(exc) from None

    def _gone(self, exc, extension_id):
        """Whether a 403 about one extension means that it does not exist.

        Assumption [O] (register: missing-extension-status; seen in terraform-provider-ec's tests): Elastic
        Cloud answers 403, not the 404 of its specification, for an extension that is gone. A 403 can also be
        a real refusal, so it counts as "absent" only when the listing does not show the id either;
        otherwise the 403 stands.
        """
        if exc.status != 403:
            return False
        try:
            listed = self.list()
        except EceApiError:
            return False  # nothing shows that it is gone: the 403 stands
        return not any(str(ext.get('id')) == str(extension_id) for ext in listed)

    def find_by_name(self, name):
        return [ext for ext in self.list() if ext.get('name') == name]

    def download_stored(self, extension, consume):
        """Stream the archive ECE stores from `file_metadata.url` into `consume(chunk)` (never held in memory)."""
        url = (extension.get('file_metadata') or {}).get('url')
        if not url:
            raise EceError('ECE gives no file_metadata.url for extension %s.' % extension.get('id'))
        self.client.download(url, consume)

    def stored_sha256(self, extension):
        """SHA-256 of the archive ECE stores, streamed from `file_metadata.url`."""
        digest = hashlib.sha256()
        self.download_stored(extension, digest.update)
        return digest.hexdigest()

    def download_url(self, url, consume, expected_size=None, conditions=None, answer=None):
        """Stream a download_url as ECE would read it (no credentials, no redirects); see EceClient.download."""
        return self.client.download(url, consume, user_url=True, expected_size=expected_size, conditions=conditions,
                                    answer=answer)

    def download_matches_stored(self, extension, url):
        """Whether `url` (a download_url) serves the archive ECE stores for `extension`: size first, then SHA-256.

        Both are streamed; the URL gets no credentials and no redirect is followed, as ECE follows none.
        """
        size = (extension.get('file_metadata') or {}).get('size')
        digest = hashlib.sha256()
        received = [0]

        def consume(chunk):
            received[0] += len(chunk)
            digest.update(chunk)

        if not self.client.download(url, consume, user_url=True, expected_size=size) or received[0] != size:
            return False
        return digest.hexdigest() == self.stored_sha256(extension)

    # Writes: in check mode they return the predicted object instead.

    def create(self, body, by_version=False):
        """POST the metadata; `by_version`: other builds of the name may exist (identity=name_and_version), so after
        an unclear failure only an extension of this name and version can be the one this create made."""
        if self.check_mode:
            return dict(body, id=None, url=None, deployments=None)
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            try:
                return self.client.request('POST', COLLECTION_PATH, json_body=body, retry=False,
                                           operation='Creating extension %s' % body['name'])
            except EceApiError as exc:
                if exc.has_code('extensions.id_already_exists'):
                    # The server's random id collided; nothing was created, so asking again is safe.
                    adopted = None
                elif exc.timed_out or exc.status == 504:
                    # ECE may still be working on it (our timeout, or a proxy's: 504): a look-up now could
                    # miss it, and a second create could then make a duplicate. Look once after a pause,
                    # and never send it again.
                    return self._after_timeout(exc, body, by_version)
                elif exc.status is None or exc.status in RETRYABLE_STATUSES:
                    # Refused, reset or answered by a proxy: look before sending it again.
                    adopted = self._created_meanwhile(body, by_version)
                else:
                    raise _with_hint(exc) from None
                if adopted is not None:
                    return adopted
                delay = self.client.retry_policy.delay(attempt, waited)
                if delay is None:
                    raise _with_hint(exc) from None
                self.client.sleep(delay)
                waited += delay

    def _after_timeout(self, exc, body, by_version):
        name = body['name']
        self.client.sleep(min(self.client.timeout, self.client.retry_policy.max_total_wait))
        adopted = self._created_meanwhile(body, by_version)
        if adopted is not None:
            return adopted
        raise EceApiError('%s ECE may still be creating extension %s, so the create was not sent again; run the task again '
                          'to pick it up (or create it, if it never came).' % (exc.msg, name),
                          exc.method, exc.url, exc.status, exc.errors, timed_out=True)

    def _created_meanwhile(self, body, by_version=False):
        """The extension an unanswered create made, if any (the caller found none of that name, or build, before)."""
        name = body['name']
        try:
            found = self.find_by_name(name)
            if by_version:
                found = [ext for ext in found if ext.get('version') == body.get('version')]
        except EceApiError as exc:
            # Not knowing whether it exists, a second create could make a duplicate: stop here instead.
            raise EceApiError('Creating extension %s had no clear answer, and looking it up failed too (%s) Run the task again.'
                              % (name, exc.msg), exc.method, exc.url, exc.status, exc.errors) from None
        if len(found) > 1:
            raise EceError('Creating extension %s had no clear answer, and now %d extensions carry that name (ids %s). '
                           'Delete the extra ones, then run again.' % (name, len(found), ', '.join(sorted(e['id'] for e in found))))
        return found[0] if found else None

    def update(self, extension_id, body, current):
        if self.check_mode:
            return dict(current, **body)
        try:
            return self.client.request('POST', item_path(extension_id), json_body=body,
                                       operation='Updating extension %s' % extension_id)
        except EceApiError as exc:
            raise _with_hint(exc) from None

    def upload(self, extension_id, archive, current, mode='multipart'):
        """PUT the archive, `mode` multipart (the API reference's form) or raw (the archive as the body)."""
        if self.check_mode:
            return dict(current, file_metadata=dict((current.get('file_metadata') or {}), size=archive.size))
        filename = archive.upload_name
        with open(archive.path, 'rb') as handle:
            try:
                return self.client.request('PUT', item_path(extension_id),
                                           body_factory=lambda: upload_body(mode, handle, archive.size, filename),
                                           operation='Uploading %s to extension %s' % (filename, extension_id))
            except EceApiError as exc:
                raise _with_hint(exc) from None

    def delete(self, extension_id, read=None):
        """DELETE the extension; ECE refuses one that deployments use (400 extensions.extension_in_use).

        In check mode nothing is sent, but the extension is read with its deployments (or `read` is used,
        the object the caller read so), and one in use raises the refusal ECE would answer.
        """
        if self.check_mode:
            if read is None:
                read = self.get(extension_id, include_deployments=True)
            if read is not None and read.get('deployments'):
                raise predicted_in_use(self.client.url(item_path(extension_id)), extension_id, read['deployments'])
            return
        try:
            self.client.request('DELETE', item_path(extension_id), operation='Deleting extension %s' % extension_id)
        except EceApiError as exc:
            # A retried delete whose first try went through finds nothing left: that is the wanted state.
            if exc.status == 404 or self._gone(exc, extension_id):
                return
            raise _with_hint(exc) from None


def predicted_in_use(url, extension_id, deployments):
    """The refusal ECE answers to a DELETE of an extension in use, for check mode to raise without sending it."""
    message = 'Cannot delete extension [%s]. It is used by deployments [%s].' % (extension_id, ', '.join(str(d) for d in deployments))
    return EceApiError('Deleting extension %s would fail (check mode): ECE refuses it with HTTP 400: %s (extensions.extension_in_use)'
                       % (extension_id, message), 'DELETE', url, status=400,
                       errors=[{'code': 'extensions.extension_in_use', 'message': message, 'fields': []}])


def hash_in_background(archive):
    """Start hashing the local archive while the server's copy downloads; join() before reading archive.sha256."""
    thread = threading.Thread(target=lambda: archive.sha256, daemon=True)
    thread.start()
    return thread
