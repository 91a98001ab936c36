# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version rules of an upgrade: parsing, exact and wildcard matches, majors, upgrade paths, built-ins, strategies."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._upgrade_plan import fits
from ansible_collections.ece.platform.plugins.module_utils._upgrade_rules import (
    built_in_names,
    built_in_problems,
    is_major,
    newest_first,
    parse_version,
    path_problems,
    strategy_for,
)

PACK_8151 = {'version': '8.15.1', 'upgradable_to': ['8.15.3', '8.16.0', '8.18.8'], 'elasticsearch': {'plugins': ['analysis-icu']}}
PACK_8160 = {'version': '8.16.0', 'upgradable_to': ['8.18.8'], 'elasticsearch': {'plugins': ['analysis-icu', 'mapper-size']}}
PACK_8188 = {'version': '8.18.8', 'upgradable_to': ['9.1.0'], 'elasticsearch': {'plugins': []}}
PACK_910 = {'version': '9.1.0', 'upgradable_to': [], 'elasticsearch': {'plugins': ['analysis-icu']}}


@pytest.mark.parametrize('text, parsed', [
    ('8.16.0', (8, 16, 0)), ('9.1.0-SNAPSHOT', (9, 1, 0)), (' 7.17.29 ', (7, 17, 29)),
    ('8.16', None), ('8.*', None), ('latest', None), ('', None), (None, None), ('8.16.0.1', None),
])
def test_parse_version(text, parsed):
    assert parse_version(text) == parsed


def test_versions_compare_numerically_not_as_text():
    assert parse_version('8.16.0') > parse_version('8.9.9')
    assert newest_first(['8.9.0', '8.16.0', '7.17.29', '9.1.0']) == ['9.1.0', '8.16.0', '8.9.0', '7.17.29']


@pytest.mark.parametrize('current, target, major', [
    ('8.15.1', '8.16.0', False), ('8.18.8', '9.1.0', True), ('7.17.29', '8.15.0', True), ('9.1.0', '8.18.8', False), ('x', '9.1.0', False),
])
def test_is_major(current, target, major):
    assert is_major(current, target) is major


@pytest.mark.parametrize('extension_type, version, target, fit', [
    ('plugin', '8.16.0', '8.16.0', True),
    ('plugin', '8.15.1', '8.16.0', False),
    ('plugin', '8.*', '8.16.0', False),  # a plugin is built for one exact version
    ('bundle', '8.*', '8.16.0', True),
    ('bundle', '8.16.*', '8.16.0', True),
    ('bundle', '8.15.*', '8.16.0', False),
    ('bundle', '*', '9.1.0', True),
    ('bundle', '8.*', '9.1.0', False),
    ('bundle', '8.16.0', '8.16.0', True),
    ('bundle', '8.1*', '8.16.0', False),  # only a whole part may be a wildcard
])
def test_fits_exact_and_wildcard(extension_type, version, target, fit):
    assert fits({'extension_type': extension_type, 'version': version}, target) is fit


def test_allowed_minor_upgrade_has_no_problem():
    assert path_problems('8.15.1', '8.16.0', PACK_8151, PACK_8160, [], allow_major=False) == []


def test_unavailable_target_lists_the_available_versions_newest_first():
    problems = path_problems('8.15.1', '8.99.0', PACK_8151, None, ['8.15.1', '9.1.0', '8.16.0'], allow_major=False)
    assert len(problems) == 1 and 'available: 9.1.0, 8.16.0, 8.15.1' in problems[0]
    deleted = path_problems('8.15.1', '8.16.0', PACK_8151, dict(PACK_8160, deleted=True), ['8.15.1'], allow_major=False)
    assert 'not available' in deleted[0]


def test_downgrade_is_refused_alone():
    problems = path_problems('8.16.0', '8.15.1', PACK_8160, PACK_8151, [], allow_major=True)
    assert problems == [problems[0]] and 'cannot be downgraded' in problems[0]


def test_a_major_needs_allow_major_and_a_path():
    without = path_problems('8.18.8', '9.1.0', PACK_8188, PACK_910, [], allow_major=False)
    assert len(without) == 1 and 'allow_major: true' in without[0]
    assert path_problems('8.18.8', '9.1.0', PACK_8188, PACK_910, [], allow_major=True) == []
    skipping = path_problems('8.15.1', '9.1.0', PACK_8151, PACK_910, [], allow_major=True)
    assert len(skipping) == 1 and 'upgradable_to: 8.18.8, 8.16.0, 8.15.3' in skipping[0]


def test_a_target_outside_upgradable_to_is_refused():
    problems = path_problems('8.16.0', '8.16.1', PACK_8160, {'version': '8.16.1'}, [], allow_major=False)
    assert len(problems) == 1 and 'does not allow an upgrade from 8.16.0 to 8.16.1' in problems[0]


def test_an_unknown_current_pack_fails_closed():
    problems = path_problems('8.15.2', '8.16.0', None, PACK_8160, [], allow_major=False)
    assert len(problems) == 1 and 'no stack pack for the running version 8.15.2' in problems[0]


def test_bad_versions_are_named():
    assert 'not a Stack version' in path_problems('8.15.1', 'eight', PACK_8151, None, [], allow_major=False)[0]
    assert 'can compare' in path_problems('weird', '8.16.0', None, PACK_8160, [], allow_major=False)[0]


def test_built_ins_are_read_from_both_levels_and_checked_against_the_target():
    plan = {'elasticsearch': {'enabled_built_in_plugins': ['analysis-icu']},
            'cluster_topology': [{'elasticsearch': {'enabled_built_in_plugins': ['mapper-size', 'analysis-icu']}}, {}]}
    assert built_in_names(plan) == ['analysis-icu', 'mapper-size']
    assert built_in_problems(plan, '8.16.0', PACK_8160) == []
    problems = built_in_problems(plan, '9.1.0', PACK_910)
    assert len(problems) == 1 and 'mapper-size' in problems[0] and 'analysis-icu,' not in problems[0]
    assert built_in_problems({'elasticsearch': {}}, '9.1.0', PACK_910) == []


@pytest.mark.parametrize('name, major, sent, noted', [
    (None, True, None, False),
    ('autodetect', True, {'autodetect': {}}, False),
    ('grow_and_shrink', False, {'grow_and_shrink': {}}, False),
    ('rolling', False, {'rolling': {'group_by': '__name__'}}, False),
    ('rolling', True, {'rolling': {'group_by': '__all__'}}, True),
    ('rolling_zone', False, {'rolling': {'group_by': 'logical_zone_name'}}, False),
    ('rolling_zone', True, {'rolling': {'group_by': '__all__'}}, True),
    ('rolling_all', True, {'rolling': {'group_by': '__all__'}}, False),
])
def test_strategy_on_a_major_groups_by_all(name, major, sent, noted):
    doc, note = strategy_for(name, major)
    assert doc == sent and bool(note) is noted


def test_strategy_objects_are_not_shared():
    doc, _note = strategy_for('rolling', True)
    again, _note = strategy_for('rolling', False)
    assert doc['rolling']['group_by'] == '__all__' and again['rolling']['group_by'] == '__name__'
