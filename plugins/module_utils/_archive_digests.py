# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: what identifies an archive's bytes, and an archive's content.

Two ways to call two archives "the same":
- bytes: the SHA-256 of the file. Used for a zip the user gives with option `file`: its bytes are the
  artefact the user chose (entry permissions such as an executable `bin/` script of a plugin, comments,
  extra fields all travel with it), so anything but identical bytes is uploaded.
- content: a digest over the sorted file entries' names and the SHA-256 of what each entry holds, leaving
  out compression, timestamps, permissions, entry order and directory entries. Used for a bundle
  directory, which the module zips itself: the deflate stream depends on the zlib build of the Python
  that zips it, so another controller gives other bytes for the same tree, and comparing bytes would
  upload the unchanged tree again (and, through the role, restart deployments).

Keys for the digest cache also live here: they change whenever the thing they describe may have changed.
"""

from __future__ import annotations

import hashlib
import os
import zipfile

from ansible_collections.ece.platform.plugins.module_utils._blocks import CHUNK_SIZE


def local_file_key(path):
    """Cache key of a local file: any rewrite changes size, mtime, ctime or inode (ctime cannot be set back)."""
    info = os.stat(path)
    return dict(path=os.path.abspath(path), size=info.st_size, mtime_ns=info.st_mtime_ns, ctime_ns=info.st_ctime_ns,
                inode=info.st_ino, device=info.st_dev)


def tree_key(directory, entries):
    """Cache key of a directory: a signature over every entry's name and the stat fields a change would move.

    `entries` are the zip builder's (archive name, path, is_dir), links already resolved inside the tree.
    """
    signature = hashlib.sha256()
    for name, path, is_dir in entries:
        info = os.stat(path)
        signature.update(('%s\0%d\0%d\0%d\0%d\0%d\0%d\n' % (
            name, is_dir, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)).encode('utf-8', 'surrogateescape'))
    return dict(path=os.path.abspath(directory), tree=signature.hexdigest())


def _content_digest(named_digests):
    """One digest over (name, SHA-256) pairs, in name order, so that entry order does not matter."""
    digest = hashlib.sha256(b'ece.platform content v1\n')
    for name, entry_sha256 in sorted(named_digests):
        digest.update(name.encode('utf-8', 'surrogateescape') + b'\0' + entry_sha256.encode('ascii') + b'\n')
    return digest.hexdigest()


def _sha256_of_stream(handle):
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK_SIZE), b''):
        digest.update(chunk)
    return digest.hexdigest()


def tree_content_digest(entries):
    """The content digest of the files a directory's zip would hold (read from the files themselves)."""
    pairs = []
    for name, path, is_dir in entries:
        if not is_dir:
            with open(path, 'rb') as handle:
                pairs.append((name, _sha256_of_stream(handle)))
    return _content_digest(pairs)


def zip_content_digest(path):
    """The content digest of a zip file, or None when it cannot be read as one (then it counts as different).

    Entries are decompressed one at a time in chunks, so memory does not grow with their size; zipfile
    checks each entry's CRC, so a damaged copy never passes for the same content.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            pairs = []
            for entry in archive.infolist():
                if entry.is_dir():
                    continue
                with archive.open(entry) as member:
                    pairs.append((entry.filename, _sha256_of_stream(member)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, RuntimeError):
        # RuntimeError: an encrypted entry; NotImplementedError: a compression method Python lacks.
        return None
    return _content_digest(pairs)
