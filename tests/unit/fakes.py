# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unit tests' stand-in for ExtensionsApi, and helpers to fill it.

What it does where ECE's behaviour is not confirmed comes from the register tests/ece_behaviours.yml
(through ece_register.reading), the same file the emulator reads, so the two cannot drift apart.
"""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile

from ansible_collections.ece.platform.tests.unit.ece_register import reading

WRITES = ('create', 'update', 'upload', 'delete')


class FakeExtensionsApi:
    """ExtensionsApi's interface over a dict; records every call, and raises what `failures` holds."""

    def __init__(self, *extensions, which='default'):
        # The reading of each assumed behaviour the fake plays, from the register the emulator reads too.
        self.readings = {name: reading(name, which) for name in ('omitted_description', 'download_url_after_upload')}
        self.store = {ext['id']: copy.deepcopy(ext) for ext in extensions}
        self.stored_bytes = {}
        self.calls = []
        self.failures = {}
        self.upload_modes = []
        self._next_id = 1000

    def _call(self, name, *args):
        self.calls.append((name,) + args)
        if name in self.failures:
            raise self.failures[name]

    @property
    def writes(self):
        return [call for call in self.calls if call[0] in WRITES]

    def list(self):
        self._call('list')
        return [copy.deepcopy(ext) for ext in self.store.values()]

    def get(self, extension_id, include_deployments=False):
        self._call('get', extension_id)
        ext = self.store.get(extension_id)
        return copy.deepcopy(ext) if ext is not None else None

    def find_by_name(self, name):
        return [ext for ext in self.list() if ext.get('name') == name]

    def create(self, body):
        self._call('create', copy.deepcopy(body))
        self._next_id += 1
        ext = dict(body, id=str(self._next_id), url='repo://%d' % self._next_id, deployments=None)
        self.store[ext['id']] = ext
        return copy.deepcopy(ext)

    def update(self, extension_id, body, current):
        """What the emulator does, by the same register (tests/ece_behaviours.yml): an omitted download_url stays."""
        self._call('update', extension_id, copy.deepcopy(body))
        old = self.store[extension_id]
        new = dict(body, id=extension_id, url=old.get('url'), deployments=None)
        if 'download_url' not in body and old.get('download_url') is not None:
            new['download_url'] = old['download_url']  # a metadata-only update need not send it [D]
        if 'description' not in body and old.get('description') is not None and self.readings['omitted_description'] == 'kept':
            new['description'] = old['description']
        if 'file_metadata' in old:
            new['file_metadata'] = old['file_metadata']
        self.store[extension_id] = new
        return copy.deepcopy(new)

    def upload(self, extension_id, archive, current, mode='multipart'):
        self._call('upload', extension_id, archive.path)
        self.upload_modes.append(mode)
        with open(archive.path, 'rb') as handle:
            self.stored_bytes[extension_id] = handle.read()
        self.store[extension_id]['file_metadata'] = {'size': archive.size, 'url': 'https://files/%s.zip' % extension_id}
        if self.readings['download_url_after_upload'] == 'cleared':
            self.store[extension_id].pop('download_url', None)
        return copy.deepcopy(self.store[extension_id])

    def delete(self, extension_id):
        self._call('delete', extension_id)
        del self.store[extension_id]

    def stored_sha256(self, extension):
        self._call('stored_sha256', extension['id'])
        return hashlib.sha256(self.stored_bytes[extension['id']]).hexdigest()

    def download_stored(self, extension, consume):
        self._call('download_stored', extension['id'])
        consume(self.stored_bytes[extension['id']])


def zip_bytes(content=b'synonyms'):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as archive:
        archive.writestr('dict.txt', content)
    return buf.getvalue()


def extension(ext_id='1', name='analysis-custom', extension_type='bundle', version='8.*', **fields):
    return dict(id=ext_id, name=name, extension_type=extension_type, version=version,
                url='repo://%s' % ext_id, deployments=None, **fields)


def with_stored_file(api, ext_id, content):
    api.stored_bytes[ext_id] = content
    api.store[ext_id]['file_metadata'] = {'size': len(content), 'url': 'https://files/%s.zip' % ext_id}
