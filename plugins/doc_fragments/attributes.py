# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Descriptions of the attributes every ece.platform module declares; each module states its own support."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
attributes:
  check_mode:
    description: Can run in check mode and predict the result without sending any write to ECE.
  diff_mode:
    description: Returns C(before) and C(after) of what changes (or would change in check mode) in diff mode.
  idempotent:
    description:
      - When run twice in a row with the same options, the second run reports no change and sends no write.
  action_group:
    description: Belongs to an action group, so C(module_defaults) can set its options once for many tasks.
    support: full
    membership:
      - ece.platform.ece
'''
