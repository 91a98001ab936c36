# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lets plain `pytest tests/unit` import the collection as `ansible_collections.ece.platform`.

ansible-test runs the tests from a physical `ansible_collections/ece/platform` tree and sets up the
imports itself: there this file does nothing. Anywhere else (the git checkout), a temporary directory
holding `ansible_collections/ece/platform -> <repo>` goes first on sys.path and is removed at exit.
Nothing is written into the repository.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _inside_collection_tree(root):
    parents = os.path.normpath(root).split(os.sep)
    return len(parents) >= 3 and parents[-3] == 'ansible_collections'


def _add_collection_to_path(root):
    top = tempfile.mkdtemp(prefix='ece-platform-units-')
    atexit.register(shutil.rmtree, top, True)
    namespace = os.path.join(top, 'ansible_collections', 'ece')
    os.makedirs(namespace)
    os.symlink(root, os.path.join(namespace, 'platform'))
    sys.path.insert(0, top)


if not _inside_collection_tree(REPO):
    _add_collection_to_path(REPO)


# Fixtures several test files use (imported here, after the collection became importable above).
import pytest  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.ece.platform.tests.unit.fakes import zip_bytes  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def archive_file(tmp_path):
    """(path, bytes) of a small real zip archive, synonyms.zip."""
    content = zip_bytes()
    path = tmp_path / 'synonyms.zip'
    path.write_bytes(content)
    return str(path), content


@pytest.fixture(autouse=True)
def _private_digest_cache(tmp_path, monkeypatch):
    """No test reads or writes the digest cache of the account that runs the tests (~/.cache/ece.platform)."""
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg-cache'))
