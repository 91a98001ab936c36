# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""only_state: a run of the present items, then one of the absent items and the exclusive deletions."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_set import ExtensionSetReconciler, check_exclusive_list, in_phase
from ansible_collections.ece.platform.plugins.module_utils._extension_set_items import desired_items

from ansible_collections.ece.platform.tests.unit.plugins.module_utils.test_extension_set import StoreApi, ext

LIST = [dict(name='keep', extension_type='bundle', version='8.*'),
        dict(name='new', extension_type='bundle', version='8.*'),
        dict(name='retired', state='absent')]


def run(api, only_state, exclusive=True):
    return ExtensionSetReconciler(api).run(desired_items([dict(item) for item in LIST]), exclusive=exclusive, only_state=only_state)


def test_in_phase_selects_the_items_of_one_state():
    desired = desired_items([dict(item) for item in LIST])
    assert [entry.name for entry in in_phase(desired, None)] == ['keep', 'new', 'retired']
    assert [entry.name for entry in in_phase(desired, 'present')] == ['keep', 'new']
    assert [entry.name for entry in in_phase(desired, 'absent')] == ['retired']


def test_the_present_phase_creates_and_deletes_nothing():
    api = StoreApi(ext('1', 'keep'), ext('2', 'retired'), ext('3', 'unlisted'))
    outcome = run(api, 'present')
    assert [result['name'] for result in outcome['results']] == ['keep', 'new']
    assert api.writes == [('create', 'new')]
    assert outcome['deleted'] == [] and set(api.store) >= {'2', '3'}


def test_the_absent_phase_deletes_absent_and_unlisted_items_and_keeps_the_present_ones():
    api = StoreApi(ext('1', 'keep'), ext('2', 'retired'), ext('3', 'unlisted'), ext('4', 'new'))
    outcome = run(api, 'absent')
    assert [result['name'] for result in outcome['results']] == ['retired', 'unlisted']
    assert sorted(api.writes) == [('delete', '2'), ('delete', '3')]
    assert set(api.store) == {'1', '4'}  # the present items count as listed although this phase skips them


def test_a_failed_absent_item_stops_the_unlisted_deletions():
    api = StoreApi(ext('1', 'keep'), ext('2', 'retired', deployments=['search-prod']), ext('3', 'unlisted'))
    outcome = run(api, 'absent')
    assert outcome['failures'][0]['name'] == 'retired'
    assert api.writes == [] and outcome['unlisted_skipped'] == [{'id': '3', 'name': 'unlisted'}]


def test_a_failed_present_item_reports_the_unlisted_ones_as_skipped():
    api = StoreApi(ext('1', 'keep'), ext('2', 'keep'), ext('3', 'unlisted'))  # two named keep: that item fails
    outcome = run(api, 'present')
    assert outcome['failures'][0]['name'] == 'keep'
    assert outcome['unlisted_skipped'] == [{'id': '3', 'name': 'unlisted'}] and 'unlisted_skipped_reason' in outcome
    assert api.writes == [('create', 'new')]


def test_the_present_phase_still_refuses_an_empty_exclusive_list():
    with pytest.raises(EceError, match='allow_empty'):
        check_exclusive_list(desired_items([], only_state='present'), True, False)


def test_archives_of_the_other_phase_are_not_checked(tmp_path):
    missing = str(tmp_path / 'gone.zip')
    items = [dict(name='a', extension_type='bundle', version='8.*', file=missing), dict(name='b', state='absent')]
    assert [entry.name for entry in desired_items(items, only_state='absent')] == ['a', 'b']
    with pytest.raises(EceError, match=r'extensions\[0\] \(a\)'):
        desired_items(items, only_state='present')
