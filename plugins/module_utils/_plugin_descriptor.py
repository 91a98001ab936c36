# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: check a plugin archive's descriptor before anything is sent.

ECE refuses a plugin whose `elasticsearch.version` differs from the extension's `version`, but only
after the upload (or, worse, when a node starts). Reading the descriptor from the local zip catches
that mistake before the first request.
"""

from __future__ import annotations

import zipfile

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

DESCRIPTOR_NAMES = ('plugin-descriptor.properties', 'stable-plugin-descriptor.properties')
# Older plugin zips keep everything under an `elasticsearch/` folder.
DESCRIPTOR_DIRS = ('', 'elasticsearch/')
MAX_DESCRIPTOR_BYTES = 64 * 1024


def parse_properties(text):
    """The key/value pairs of a Java .properties text (the subset plugin descriptors use).

    Not jproperties: the modules may depend on requests and requests-toolbelt only, and descriptors are plain
    `key=value` lines.
    """
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in '#!':
            continue
        for separator in ('=', ':'):
            if separator in line:
                key, value = line.split(separator, 1)
                values[key.strip()] = value.strip()
                break
    return values


def read_descriptor(archive_path):
    """(name in the zip, properties) of the plugin descriptor, or (None, None) when there is none."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            names = set(archive.namelist())
            for folder in DESCRIPTOR_DIRS:
                for descriptor in DESCRIPTOR_NAMES:
                    name = folder + descriptor
                    if name in names:
                        with archive.open(name) as handle:
                            return name, parse_properties(handle.read(MAX_DESCRIPTOR_BYTES).decode('utf-8', 'replace'))
    except zipfile.BadZipFile as exc:
        raise EceError('Option file: %r is not a readable zip archive (%s).' % (archive_path, exc)) from None
    return None, None


def descriptor_places():
    """Every path in a zip where a plugin descriptor may sit, for messages."""
    return [folder + name for folder in DESCRIPTOR_DIRS for name in DESCRIPTOR_NAMES]


def is_exact_version(version):
    """Plugins are built for one Elasticsearch version (8.15.1); bundles may use wildcards (8.*, *)."""
    return bool(version) and '*' not in version


def check_plugin_archive(archive_path, version, shown_path=None, extension=None, version_from_server=False):
    """Fail unless the zip holds a plugin descriptor whose elasticsearch.version equals `version`.

    `extension` names the existing plugin the archive is for, when the type came from the server;
    `version_from_server` says that `version` is the server's, because the task left it out.
    """
    shown = shown_path or archive_path
    subject = ('extension %s is a plugin on the server' % extension) if extension else 'extension_type is plugin'
    name, properties = read_descriptor(archive_path)
    if name is None:
        raise EceError('Option file: %r holds no plugin descriptor, but %s and ECE rejects a plugin without one. A descriptor '
                       'may sit at %s. Add the descriptor (or, for a bundle, use another extension of type bundle).'
                       % (shown, subject, ', '.join(descriptor_places())))
    found = properties.get('elasticsearch.version')
    if found is None:
        raise EceError('Option file: the plugin descriptor %s in %r has no elasticsearch.version key, which ECE needs to '
                       'know what the plugin is built for. Add elasticsearch.version=<version> to it (a descriptor may sit at '
                       '%s).' % (name, shown, ', '.join(descriptor_places())))
    if version is None or found == version:
        return
    if not is_exact_version(version):
        raise EceError('Option version is %s, a wildcard, but a plugin is built for one exact Elasticsearch version: the '
                       'plugin descriptor %s in %r says elasticsearch.version=%s. Set version to %s.'
                       % (version, name, shown, found, found))
    if version_from_server:
        # The task left version out: the message must not blame an option the user never set.
        raise EceError('Extension %s is a plugin for Elasticsearch %s on the server, but the plugin descriptor %s in %r says '
                       'elasticsearch.version=%s. Build the plugin for %s, or set version to %s to change the extension '
                       '(refused while a deployment on %s uses it), or keep this extension and add the build for %s beside it '
                       'with identity=name_and_version and version=%s.'
                       % (extension, version, name, shown, found, version, found, version, found, found))
    raise EceError('Option version is %s but the plugin descriptor %s in %r says elasticsearch.version=%s; they must be '
                   'equal. Build the plugin for %s, or set version to %s.' % (version, name, shown, found, version, found))
