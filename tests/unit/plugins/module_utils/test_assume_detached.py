# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""check_mode_detached: check mode of "detach, then delete" predicts the delete the real run makes."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._assume_detached import AssumeDetached, parse_pairs
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extensions_api import predicted_in_use
from ansible_collections.ece.platform.plugins.module_utils._extension_set import ExtensionSetReconciler
from ansible_collections.ece.platform.plugins.module_utils._extension_set_items import desired_items
from ansible_collections.ece.platform.tests.unit.plugins.module_utils.test_extension_set import StoreApi, ext


class CheckModeApi(StoreApi):
    """Check mode as ExtensionsApi does it: a delete judges the object read with its deployments (`read`)."""

    def __init__(self, *extensions):
        super().__init__(*extensions, check_mode=True)

    def delete(self, extension_id, read=None):
        if read is None:
            read = self.get(extension_id, include_deployments=True)
        if read is not None and read.get('deployments'):
            raise predicted_in_use('https://ece/x', extension_id, read['deployments'])


def run(api, pairs, items, exclusive=False):
    warnings = []
    reconciler = ExtensionSetReconciler(AssumeDetached(api, parse_pairs(pairs), warnings.append))
    outcome = reconciler.run(desired_items(items), exclusive=exclusive)
    return outcome, warnings


def test_a_delete_in_use_by_a_detached_deployment_is_predicted_to_succeed():
    api = CheckModeApi(ext('7', 'geo', deployments=['dep-1']))
    outcome, warnings = run(api, [{'extension': 'geo', 'deployment': 'dep-1'}], [dict(name='geo', state='absent')])
    assert outcome['failures'] == [] and outcome['results'][0]['action'] == 'deleted'
    assert 'geo (id 7) is in use by deployment dep-1 now; predicted as detached' in warnings[0]
    assert '7' in api.store  # check mode: nothing deleted


def test_another_deployment_still_using_it_keeps_the_predicted_failure():
    api = CheckModeApi(ext('7', 'geo', deployments=['dep-1', 'dep-2']))
    outcome, _warnings = run(api, [{'extension': '7', 'deployment': 'dep-1'}], [dict(name='geo', state='absent')])
    assert outcome['results'][0]['action'] == 'failed' and 'dep-2' in outcome['results'][0]['msg']


def test_an_unlisted_extension_detached_earlier_is_predicted_deleted():
    api = CheckModeApi(ext('1', 'keep'), ext('7', 'geo', deployments=['dep-1']))
    outcome, _warnings = run(api, [{'extension': 'geo', 'deployment': 'dep-1'}], [dict(name='keep')], exclusive=True)
    assert outcome['deleted'] == [{'id': '7', 'name': 'geo'}] and outcome['kept_in_use'] == []


@pytest.mark.parametrize('pairs', [['geo'], [{'extension': 'geo'}], [{'extension': 'geo', 'deployment': ''}],
                                   [{'extension': 'geo', 'deployment': 'd', 'other': 1}]])
def test_bad_entries_are_refused_naming_them(pairs):
    with pytest.raises(EceError, match=r'check_mode_detached\[0\]'):
        parse_pairs(pairs)
