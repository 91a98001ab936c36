"""The emulator's state: extensions in memory, their archives as files in the data directory.

One lock guards all of it. Slow work (receiving an upload, downloading a `download_url`) happens outside
the lock into a private temp file; only the final rename and the metadata change happen under it, so
concurrent clients never see a half-written archive and never lose or duplicate an extension.
"""

import datetime
import hashlib
import os
import secrets
import tempfile
import threading

from emulator_assumptions import Assumptions

ZIP_MAGICS = (b'PK\x03\x04', b'PK\x05\x06')  # a local file header, or the end record of an empty archive


def now_iso():
    """The current UTC time as ECE writes it: ISO 8601 with milliseconds and a `Z`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (now.microsecond // 1000)


class ArchiveWriter:
    """A temp file that receives an archive chunk by chunk and remembers its size and first bytes."""

    def __init__(self, tmp_dir):
        fd, self.path = tempfile.mkstemp(dir=tmp_dir, suffix='.part')
        self._handle = os.fdopen(fd, 'wb')
        self.size = 0
        self.sha256 = hashlib.sha256()  # deployments record which archive revision their nodes loaded
        self._head = b''
        self.committed = False

    def write(self, data):
        if len(self._head) < 4:
            self._head += bytes(data[:4 - len(self._head)])
        self._handle.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def close(self):
        if not self._handle.closed:
            self._handle.close()

    def is_zip(self):
        return self._head in ZIP_MAGICS

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        # Whatever went wrong (bad archive, client gone), an uncommitted temp file must not pile up.
        self.close()
        if not self.committed:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass


class Record:  # pylint: disable=too-many-instance-attributes
    """One extension as the server keeps it (plus what only the emulator knows: file path, deployments)."""

    def __init__(self, ext_id, fields):
        self.id = ext_id
        self.name = self.version = self.description = self.download_url = None
        self.extension_type = fields['extension_type']
        self.apply(fields)
        self.created = self.modified = now_iso()
        self.revision = 1
        self.deployments = []
        self.file = None  # dict(path, size, last_modified_date, token) once an archive exists

    def apply(self, fields, omitted_description='cleared'):
        """Replace the metadata an update may change; `extension_type` is fixed at creation, as on ECE.

        An update without download_url keeps the stored one (and its archive): Elastic's guide says a
        metadata-only change need not send it. An omitted description is cleared (full replacement), or
        kept: the register's switch `omitted_description` (an assumption, see tests/ece_behaviours.yml).
        """
        for key in ('name', 'version', 'description'):
            if key == 'description' and 'description' not in fields and omitted_description == 'kept':
                continue
            setattr(self, key, fields.get(key))
        if fields.get('download_url') is not None:
            self.download_url = fields['download_url']

    def touch(self):
        self.modified = now_iso()
        self.revision += 1

    def headers(self):
        return {
            'x-cloud-resource-version': str(self.revision),
            'x-cloud-resource-created': self.created,
            'x-cloud-resource-last-modified': self.modified,
        }

    def to_json(self, base_url, include_deployments, users=()):
        doc = {'id': self.id, 'name': self.name, 'version': self.version, 'extension_type': self.extension_type}
        for key in ('description', 'download_url'):
            if getattr(self, key) is not None:
                doc[key] = getattr(self, key)
        doc['url'] = 'repo://' + self.id
        # ECE sends `deployments: null` unless the caller asked for them.
        doc['deployments'] = list(self.deployments) + [dep_id for dep_id, _name in users] if include_deployments else None
        if self.file:
            doc['file_metadata'] = {
                'last_modified_date': self.file['last_modified_date'],
                'size': self.file['size'],
                'url': '%s/_emulator/files/%s/%s.zip' % (base_url, self.id, self.file['token']),
            }
        return doc


class Store:
    """All extensions, guarded by one lock; methods return JSON-ready copies, never live records."""

    def __init__(self, data_dir):
        # Re-entrant: the deployments store shares this lock (one lock, so no lock-order deadlock), and
        # its in-use hooks run while a method here already holds it.
        self.lock = threading.RLock()
        self._items = {}
        # Hooks the deployments store installs (called with the lock held):
        # users(ext_id) -> [(deployment id, name)] whose plans reference the extension;
        # before_archive_change() settles plan attempts that ended before the archive is replaced.
        self.users = lambda ext_id: []
        self.before_archive_change = lambda: None
        # The switches of the assumed ECE behaviours, in the register's default reading until the App
        # replaces them with the reading the emulator was started in.
        self.assumptions = Assumptions()
        self._files_dir = os.path.join(data_dir, 'files')
        self._tmp_dir = os.path.join(data_dir, 'tmp')
        os.makedirs(self._files_dir, exist_ok=True)
        os.makedirs(self._tmp_dir, exist_ok=True)

    def new_archive(self):
        return ArchiveWriter(self._tmp_dir)

    def _new_id(self):
        # Ten random digits like ECE's ids; redraw on the (unlikely) clash instead of returning a 409.
        while True:
            ext_id = str(secrets.randbelow(9 * 10 ** 9) + 10 ** 9)
            if ext_id not in self._items:
                return ext_id

    def _attach(self, record, archive):
        """Move a finished archive into place (atomic rename) and describe it; caller holds the lock."""
        archive.close()
        self.before_archive_change()
        path = os.path.join(self._files_dir, record.id + '.zip')
        os.replace(archive.path, path)
        archive.committed = True
        # A new token per upload: the previous temporary URL stops working, as a pre-signed URL would.
        modified = record.file['last_modified_date'] if record.file and self.assumptions['keep_last_modified_date'] else now_iso()
        record.file = {'path': path, 'size': archive.size, 'last_modified_date': modified, 'token': secrets.token_hex(16),
                       'sha256': archive.sha256.hexdigest()}

    def create(self, fields, archive, base_url):
        with self.lock:
            record = Record(self._new_id(), fields)
            if archive is not None:
                self._attach(record, archive)
            self._items[record.id] = record
            return record.to_json(base_url, False), record.headers()

    def get(self, ext_id, base_url, include_deployments):
        with self.lock:
            record = self._items.get(ext_id)
            return (record.to_json(base_url, include_deployments, self.users(ext_id)), record.headers()) if record else None

    def exists(self, ext_id):
        with self.lock:
            return ext_id in self._items

    def list(self, base_url, include_deployments):
        with self.lock:
            return [record.to_json(base_url, include_deployments, self.users(record.id)) for record in self._items.values()]

    def update(self, ext_id, fields, archive, base_url):
        with self.lock:
            record = self._items.get(ext_id)
            if record is None:
                return None
            record.apply(fields, self.assumptions['omitted_description'])
            if archive is not None:
                self._attach(record, archive)
            record.touch()
            return record.to_json(base_url, False), record.headers()

    def attach_file(self, ext_id, archive, base_url):
        with self.lock:
            record = self._items.get(ext_id)
            if record is None:
                return None  # deleted (or reset) while the upload was in flight
            self._attach(record, archive)
            if self.assumptions['download_url_after_upload'] == 'cleared':
                record.download_url = None
            record.touch()
            return record.to_json(base_url, False), record.headers()

    def download_url_of(self, ext_id):
        """The download_url an extension reports now (None when it has none or does not exist)."""
        with self.lock:
            record = self._items.get(ext_id)
            return record.download_url if record else None

    def delete(self, ext_id):
        """('deleted', headers), ('missing', None) or ('in_use', [deployment names])."""
        with self.lock:
            record = self._items.get(ext_id)
            if record is None:
                return 'missing', None
            users = list(record.deployments) + [name for _dep_id, name in self.users(ext_id)]
            if users:
                return 'in_use', users
            del self._items[ext_id]
            self._remove_file(record)
            record.touch()
            return 'deleted', record.headers()

    def set_deployments(self, ext_id, deployments):
        with self.lock:
            record = self._items.get(ext_id)
            if record is None:
                return False
            record.deployments = list(deployments)
            return True

    def archive_info(self, ext_id):
        """What a plan needs to know about an extension: {name, version, extension_type, sha256}; None when unknown.

        `sha256` is that of the stored archive, or None when no archive was ever stored.
        """
        with self.lock:
            record = self._items.get(ext_id)
            if record is None:
                return None
            return {'name': record.name, 'version': record.version, 'extension_type': record.extension_type,
                    'sha256': record.file['sha256'] if record.file else None}

    def open_file(self, ext_id, token):
        """(open binary file, size, sha256, last_modified_date) for a current temporary URL, else None.

        The file is opened under the lock, so a concurrent re-upload (rename) cannot swap the bytes
        mid-download: the open handle keeps the old inode readable.
        """
        with self.lock:
            record = self._items.get(ext_id)
            if record is None or record.file is None or not secrets.compare_digest(record.file['token'].encode(), token.encode()):
                return None
            return (open(record.file['path'], 'rb'),  # pylint: disable=consider-using-with
                    record.file['size'], record.file['sha256'], record.file['last_modified_date'])

    @staticmethod
    def _remove_file(record):
        if record.file:
            try:
                os.unlink(record.file['path'])
            except FileNotFoundError:
                pass

    def reset(self):
        with self.lock:
            for record in self._items.values():
                self._remove_file(record)
            self._items.clear()
