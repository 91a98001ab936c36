# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: which server extension a task means, by its identity.

ECE lets several extensions share a name. With identity=name (the default, as in 0.2.0) a name must be unique, and
several of it fail, listing their ids and versions. With identity=name_and_version an extension is one build, found
by its name and exact version, so builds of one plugin for several Elasticsearch versions coexist.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError, named_alike


def builds(found):
    """'id 3 (version 8.15.1), id 7 (version 8.16.0)': which extensions of a name there are, for messages."""
    return ', '.join('id %s (version %s)' % (e.get('id'), e.get('version')) for e in sorted(found, key=lambda e: str(e.get('id'))))


def only_match(found, name):
    """The one extension of `found` (all named `name`), None for none; names are not unique in ECE, so more fail."""
    if len(found) > 1:
        raise EceError('%s: %s. Give option id to choose one, or identity=name_and_version with option version to find the '
                       'build for one Elasticsearch version.' % (named_alike(len(found), 'extensions', name), builds(found)))
    return found[0] if found else None


def same_build(found, version):
    """The extensions of `found` whose version is exactly `version`."""
    return [ext for ext in found if ext.get('version') == version]


def select(found, desired):
    """The extension `desired` means among `found` (all carrying its name), by its identity; None for none; several fail."""
    if desired.identity != 'name_and_version':
        return only_match(found, desired.name)
    matching = same_build(found, desired.version)
    if len(matching) > 1:
        raise EceError('%s with version %s: %s. Give option id to choose one, and delete the others.'
                       % (named_alike(len(matching), 'extensions', desired.name), desired.version, builds(matching)))
    return matching[0] if matching else None
