# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: which extension version an Elasticsearch version can run (pure, unit-tested).

One rule, shared by attaching an extension to a deployment (_deployment_plan) and by the guard that keeps an
extension in use runnable by its deployments (_usage_guard): a plugin is built for one exact Elasticsearch
version; a bundle may name it exactly, or with a wildcard (`*`, `8.*`, `8.15.*`).
"""

from __future__ import annotations

import re

# An Elasticsearch release as a plugin descriptor names it: 8.15.1, or with a qualifier such as 9.0.0-rc1.
EXACT_VERSION = re.compile(r'[0-9]+\.[0-9]+\.[0-9]+(-[A-Za-z0-9.]+)?')


def version_matches(extension_type, wanted, es_version):
    """Plugins: exactly the plan's version. Bundles: exact, `*`, or a prefix ending in `.*` such as `8.*` or `8.15.*`."""
    if wanted is None or es_version is None:
        return False
    if wanted == es_version:
        return True
    if extension_type == 'plugin':
        return False
    wanted_parts, parts = wanted.split('.'), es_version.split('.')
    for index, part in enumerate(wanted_parts):
        if part == '*':
            return index == len(wanted_parts) - 1
        if index >= len(parts) or part != parts[index]:
            return False
    return False


def plugin_version_problem(version):
    """Why `version` cannot be a plugin's version (a plugin is built for one exact release), or None when it can."""
    if version is None or EXACT_VERSION.fullmatch(version):
        return None
    if '*' in version:
        return 'a wildcard'
    return 'not an Elasticsearch version of the form 8.15.1'
