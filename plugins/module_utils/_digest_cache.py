# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: a cache of archive digests on the host where the modules run.

ECE exposes no checksum of a stored archive, so without this cache every idempotent run downloads the
server's copy to hash it. An entry maps a key that changes whenever the bytes may have changed (for the
server's copy: ECE host, extension id, size and last_modified_date) to the digests computed for it.

Safety rules, because a wrong entry would keep an outdated archive on the server:
- An entry is trusted only when it parses, names exactly the key that was asked for, and holds well-formed
  digests; anything else is ignored (and overwritten by the next write), never trusted.
- Every entry is its own file, written to a temporary file and moved into place with os.replace, so
  concurrent runs (forks, several playbooks) never see half an entry, and the last writer wins.
- A directory this user does not own, that others may write to, or that cannot be created means no cache.
- No credential is stored: the ECE host is hashed, a URL (which may carry a token) too.
- `ECE_DIGEST_CACHE=false` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile

CACHE_ENV = 'ECE_DIGEST_CACHE'
FORMAT = 'v1'  # a new layout gets a new sub-directory, so old entries are never misread
DIGEST = re.compile(r'[0-9a-f]{64}')
FALSE_WORDS = ('0', 'false', 'no', 'off', 'n', 'f')


def cache_directory(environ=None):
    """`$XDG_CACHE_HOME/ece.platform`, or `~/.cache/ece.platform` (XDG: a relative XDG_CACHE_HOME is ignored)."""
    environ = os.environ if environ is None else environ
    base = environ.get('XDG_CACHE_HOME') or ''
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'ece.platform')


def cache_enabled(environ=None):
    environ = os.environ if environ is None else environ
    return (environ.get(CACHE_ENV) or 'true').strip().lower() not in FALSE_WORDS


def hashed(text):
    """A stand-in for a value that must not be stored as it is (a host, a URL with a token)."""
    return hashlib.sha256(text.encode('utf-8', 'surrogateescape')).hexdigest()


def _key_name(kind, key):
    canonical = json.dumps([kind, key], sort_keys=True, separators=(',', ':'), ensure_ascii=True)
    return hashed(canonical)


def _owned_and_private(path):
    """True when `path` is a real directory of this user that no one else can write to."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, 'getuid') or info.st_uid == os.getuid()


class DigestCache:
    """get()/put() of small JSON values by (kind, key dict); a disabled cache answers None and stores nothing.

    `note(text)` receives one line per thing worth saying at -vvv (why the cache is off, a broken entry).
    """

    def __init__(self, directory=None, note=None):
        self.note = note or (lambda text: None)
        self.directory = None
        self.reason = None
        if directory is None:
            self.reason = 'turned off'
            return
        self.directory = os.path.join(directory, FORMAT)

    @classmethod
    def from_environment(cls, note=None, environ=None):
        environ = os.environ if environ is None else environ
        if not cache_enabled(environ):
            cache = cls(None, note)
            cache.reason = 'turned off by %s' % CACHE_ENV
            return cache
        return cls(cache_directory(environ), note)

    @property
    def enabled(self):
        return self.directory is not None

    def _usable_directory(self, create):
        """The entries' directory when it may be trusted (made private when missing and `create`), else None."""
        if self.directory is None:
            return None
        if not os.path.isdir(self.directory):
            if not create:
                return None
            try:
                # Both levels private (makedirs would give the upper one the umask's mode).
                os.makedirs(os.path.dirname(self.directory), mode=0o700, exist_ok=True)
                os.makedirs(self.directory, mode=0o700, exist_ok=True)
            except OSError as exc:
                self._disable('its directory %s cannot be created (%s)' % (self.directory, exc.strerror))
                return None
        if not (_owned_and_private(self.directory) and _owned_and_private(os.path.dirname(self.directory))):
            self._disable('its directory %s belongs to another user or others may write to it' % self.directory)
            return None
        return self.directory

    def _disable(self, why):
        self.note('digest cache not used: %s' % why)
        self.reason = why
        self.directory = None

    def get(self, kind, key):
        """The value stored for exactly (kind, key), or None (missing, broken, or the cache is off)."""
        directory = self._usable_directory(create=False)
        if directory is None:
            return None
        path = os.path.join(directory, _key_name(kind, key) + '.json')
        try:
            with open(path, 'rb') as handle:
                entry = json.loads(handle.read(64 * 1024).decode('utf-8'))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self.note('digest cache: ignored the unreadable entry %s (%s)' % (path, exc))
            return None
        if not (isinstance(entry, dict) and entry.get('kind') == kind and entry.get('key') == key
                and isinstance(entry.get('value'), dict) and _well_formed(entry['value'])):
            self.note('digest cache: ignored the entry %s, which does not hold what its name says' % path)
            return None
        return entry['value']

    def put(self, kind, key, value):
        """Store `value` for (kind, key); a failure to write costs nothing but the next run's download."""
        if not _well_formed(value):
            return
        directory = self._usable_directory(create=True)
        if directory is None:
            return
        path = os.path.join(directory, _key_name(kind, key) + '.json')
        data = json.dumps(dict(kind=kind, key=key, value=value), sort_keys=True).encode('utf-8')
        try:
            handle, temporary = tempfile.mkstemp(prefix='.entry-', suffix='.tmp', dir=directory)
        except OSError as exc:
            self._disable('its directory %s is not writable (%s)' % (directory, exc.strerror))
            return
        try:
            with os.fdopen(handle, 'wb') as out:
                out.write(data)
            os.replace(temporary, path)  # atomic: a reader sees the old entry or the new one, never half of one
        except OSError as exc:
            self.note('digest cache: could not write %s (%s)' % (path, exc.strerror))
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _well_formed(value):
    """Every digest field (`sha256`, `content`, `source`) a 64-digit hex digest; other fields plain JSON scalars."""
    for field, item in value.items():
        if field in ('sha256', 'content', 'source'):
            if not (isinstance(item, str) and DIGEST.fullmatch(item)):
                return False
        elif not (item is None or isinstance(item, (str, int))):
            return False
    return True
