# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the local archive behind option `file`.

Everything here reads the file in fixed-size chunks, so memory does not depend on the archive's size.
All checks run before the first request, so bad input never leaves a half-made extension behind.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile

from ansible_collections.ece.platform.plugins.module_utils._blocks import CHUNK_SIZE
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._zip_builder import build_zip

# A zip archive starts with a local file header, or is empty and starts with the end-of-directory record.
ZIP_MAGICS = (b'PK\x03\x04', b'PK\x05\x06')


class LocalArchive:
    """A validated local zip file: its path and size, and its SHA-256 computed once, when first needed."""

    def __init__(self, path, size, upload_name=None):
        self.path = path
        self.size = size
        # The file name sent with the upload; a zip built from a directory is named after the directory.
        self.upload_name = upload_name or os.path.basename(path)
        # The directory the zip was built from, when option file named one: its content decides uploads.
        self.source_dir = None
        self._sha256 = None

    @classmethod
    def open_checked(cls, path, option='file', workdir=None):
        """Check that `path` is a readable, non-empty zip file, or zip it when it is a directory.

        Fails naming the option and the fix. A zip built from a directory lies in `workdir`
        (the module's temporary directory, which Ansible removes).
        """
        if os.path.isdir(path):
            built = build_zip(path, workdir=workdir, option=option)
            archive = cls.open_checked(built, option)
            archive.upload_name = os.path.basename(os.path.normpath(path)) + '.zip'
            archive.source_dir = path
            return archive
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise EceError('Option %s: %r does not exist. Give the path of a zip archive on the machine that runs the module.'
                           % (option, path)) from None
        except OSError as exc:
            raise EceError('Option %s: %r cannot be examined: %s.' % (option, path, exc.strerror)) from None
        if not stat.S_ISREG(info.st_mode):
            raise EceError('Option %s: %r is not a regular file. Give the path of a zip archive.' % (option, path))
        if info.st_size == 0:
            raise EceError('Option %s: %r is empty. Give a zip archive with the extension in it.' % (option, path))
        try:
            with open(path, 'rb') as handle:
                magic = handle.read(4)
        except OSError as exc:
            raise EceError('Option %s: %r cannot be read: %s. Check its permissions.' % (option, path, exc.strerror)) from None
        if magic not in ZIP_MAGICS:
            raise EceError('Option %s: %r is not a zip archive (it does not start with a zip header). '
                           'ECE accepts extensions as zip files only.' % (option, path))
        check_central_directory(path, option)
        return cls(path, info.st_size)

    @property
    def sha256(self):
        if self._sha256 is None:
            self._sha256 = sha256_of_file(self.path)
        return self._sha256

    @property
    def sha256_known(self):
        return self._sha256 is not None

    def learn_sha256(self, digest):
        """Take a digest known from elsewhere (the digest cache), so the file need not be read."""
        self._sha256 = digest

    def summary(self, with_sha256=True):
        """What a diff shows of the file; hashing a large archive costs seconds, so callers may skip it."""
        if with_sha256 or self._sha256 is not None:
            return dict(size=self.size, sha256=self.sha256)
        return dict(size=self.size)


def check_central_directory(path, option='file'):
    """Fail unless the zip's central directory is complete and every entry lies inside the file.

    A cut-off download or copy starts with a good header but has lost its end: the central directory
    sits at the end of a zip, so reading it (zipfile seeks there; memory grows with the number of
    entries, not with the archive's size) finds the damage before anything is sent.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            end_of_entries = archive.start_dir
            for entry in archive.infolist():
                if entry.header_offset + entry.compress_size > end_of_entries:
                    raise zipfile.BadZipFile('entry %r reaches beyond the end of the data' % entry.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise EceError('Option %s: %r is not a complete zip archive (%s); it may be truncated. Build or copy it again.'
                       % (option, path, exc)) from None
    except OSError as exc:
        raise EceError('Option %s: %r cannot be read: %s. Check its permissions.' % (option, path, exc.strerror)) from None


def sha256_of_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b''):
            digest.update(chunk)
    return digest.hexdigest()
