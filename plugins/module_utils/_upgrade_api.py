# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the writes of an upgrade, at one boundary.

A real run sends the guarded update through DeploymentsApi (which sends nothing in check mode). Check
mode sends the same body with `validate_only=true` instead: ECE checks it and changes nothing
(Elastic's specification of the update [C]). That is the only request check mode sends besides reads.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._deployments_api import deployment_path


class UpgradeWriter:
    """`send(deployment_id, body, version)`: the real update, or in check mode its validation only."""

    def __init__(self, deployments):
        self.deployments = deployments
        self.check_mode = deployments.check_mode

    def validate(self, deployment_id, body, version):
        """ECE's answer to the update sent with validate_only=true (its `diagnostics`, when any)."""
        params = {'validate_only': 'true'}
        if version is not None:
            params['version'] = version
        return self.deployments.client.request('PUT', deployment_path(deployment_id), json_body=body, params=params,
                                               operation='Validating the upgrade of deployment %s' % deployment_id)

    def send(self, deployment_id, body, version):
        if self.check_mode:
            return self.validate(deployment_id, body, version)
        return self.deployments.update_plan(deployment_id, body, version)
