# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs ece.platform.deployment_upgrade in-process when the task runs on the controller (see plugin_utils/_module_action.py)."""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.plugin_utils._module_action import EceModuleAction


class ActionModule(EceModuleAction):
    pass
