# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the names this file held before it was split by job.

The argument specs are in _options.py, the connection rules and the client factory in _connection.py,
the AnsibleModule factory and the exit in _module.py. New code imports from those; this file only
keeps imports of the old names working.
"""

from __future__ import annotations

# pylint: disable=unused-import
from ansible_collections.ece.platform.plugins.module_utils._connection import check_connection_rules, client_from_module  # noqa: F401
from ansible_collections.ece.platform.plugins.module_utils._module import ece_module, run_or_fail  # noqa: F401
from ansible_collections.ece.platform.plugins.module_utils._options import (  # noqa: F401
    CONNECTION_ENV,
    EXTENSION_RULES,
    connection_argument_spec,
    extension_options,
)
