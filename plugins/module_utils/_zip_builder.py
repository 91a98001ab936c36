# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: a zip archive built from a directory, the same bytes every time.

Bundles are easiest to keep as plain files in git. When option `file` names a directory the module
zips it itself; entries are sorted and carry a fixed timestamp and fixed permissions, so an
unchanged tree gives byte-identical archives and the upload check finds nothing to do.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import zipfile

from ansible_collections.ece.platform.plugins.module_utils._blocks import CHUNK_SIZE
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
FILE_MODE = 0o644
DIR_MODE = 0o755
COMPRESS_LEVEL = 6


def _entries(root, option='file'):
    """(archive name, path, is_dir) for everything under root, sorted by archive name.

    Symbolic links are followed only while they stay inside root: a link to elsewhere would upload files
    the directory does not hold (a secret, say), so it fails, as do dangling links and loops.
    """
    real_root = os.path.realpath(root)
    found = []
    pending: list[tuple[str, str, tuple[str, ...]]] = [(root, '', (real_root,))]
    while pending:
        directory, prefix, ancestors = pending.pop()
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            archive_name = prefix + name
            if os.path.islink(path):
                target = _link_target(root, real_root, path, archive_name, option)
                if os.path.isdir(target) and target in ancestors:
                    raise EceError('Option %s: directory %r holds the symbolic link %s, which points back to %s, a loop. '
                                   'Remove the link.' % (option, root, _printable(archive_name), _printable(target)))
            is_dir = os.path.isdir(path)
            if is_dir:
                found.append((archive_name + '/', path, True))
                pending.append((path, archive_name + '/', ancestors + (os.path.realpath(path),)))
            else:
                found.append((archive_name, path, False))
    return sorted(found)


def tree_entries(directory, option='file'):
    """What a zip of `directory` holds: (archive name, path, is_dir), sorted; the same checks as build_zip."""
    entries = _entries(directory, option)
    _check_names(directory, entries, option)
    return entries


def _link_target(root, real_root, path, archive_name, option):
    """The real path a symbolic link in the bundle directory leads to; fails unless it exists inside the directory."""
    where = 'Option %s: directory %r holds the symbolic link %s' % (option, root, _printable(archive_name))
    try:
        os.stat(path)
    except FileNotFoundError:
        raise EceError('%s, which points to %s, which does not exist. Remove or fix the link.'
                       % (where, _printable(os.readlink(path)))) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise EceError('%s, which never ends in a file (a loop of links). Remove the link.' % where) from None
        raise EceError('%s, which cannot be followed: %s.' % (where, exc.strerror)) from None
    target = os.path.realpath(path)
    if os.path.commonpath([real_root, target]) != real_root:
        raise EceError('%s, which leads outside the directory (to %s). Links are followed only inside the directory, so '
                       'that no file from elsewhere is uploaded: copy what it points to into the directory instead.'
                       % (where, _printable(target)))
    return target


def _info(name, mode):
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.create_system = 3  # Unix, so the permission bits below are honoured
    info.external_attr = mode << 16
    return info


def _check_names(directory, entries, option):
    """Zip entry names must be UTF-8; a file name with other bytes reaches Python with surrogate escapes."""
    for name, _path, _is_dir in entries:
        try:
            name.encode('utf-8')
        except UnicodeEncodeError:
            # Quote the raw bytes: the text itself cannot be encoded into a result either.
            raise EceError('Option %s: directory %s holds %s, whose name is not valid UTF-8; zip archives need UTF-8 '
                           'names, so rename it.' % (option, _printable(directory), _printable(name))) from None


def _printable(text):
    return repr(text.encode('utf-8', 'surrogateescape')).lstrip('b')


def build_zip(directory, workdir=None, option='file'):
    """Zip `directory` into a new file under `workdir`; returns its path. The caller removes it."""
    entries = _entries(directory, option)
    _check_names(directory, entries, option)
    if not any(not is_dir for _name, _path, is_dir in entries):
        raise EceError('Option %s: directory %r holds no files; put the extension\'s files in it.' % (option, directory))
    handle, path = tempfile.mkstemp(prefix='ece-extension-', suffix='.zip', dir=workdir)
    os.close(handle)
    try:
        with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
            for name, source, is_dir in entries:
                if is_dir:
                    archive.writestr(_info(name, stat.S_IFDIR | DIR_MODE), b'')
                    continue
                info = _info(name, stat.S_IFREG | FILE_MODE)
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(source, 'rb') as src, archive.open(info, 'w', force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, CHUNK_SIZE)
    except OSError as exc:
        os.unlink(path)
        raise EceError('Option %s: building a zip archive from directory %r failed: %s.' % (option, directory, exc)) from None
    return path
