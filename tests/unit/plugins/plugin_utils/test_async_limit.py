# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A wait for a plan change is kept below the task's async limit, with a warning that says so."""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.plugin_utils._async_limit import capped_wait_timeout


def test_the_default_wait_timeout_is_capped_below_a_short_async_limit():
    capped, warning = capped_wait_timeout('ece.platform.deployment_extensions', {}, 60)
    assert capped == 54
    assert 'wait_timeout (default 1800) is not below the async limit of this task (60 seconds)' in warning


def test_a_given_wait_timeout_is_named_and_tiny_limits_keep_a_second():
    capped, warning = capped_wait_timeout('deployment_extensions', {'wait_timeout': '30'}, 4)
    assert capped == 2 and warning.startswith('wait_timeout=30 ')
    assert capped_wait_timeout('deployment_extensions', {}, 2)[0] == 1


@pytest.mark.parametrize('name, args, async_seconds', [
    ('ece.platform.deployment_extensions', {}, 0),                       # not async
    ('ece.platform.deployment_extensions', {'wait_timeout': 30}, 60),    # fits
    ('ece.platform.deployment_extensions', {'wait': 'no'}, 60),          # does not wait
    ('ece.platform.extension_set', {}, 60),                               # no plan to wait for
    ('ece.platform.deployment_extensions', {'wait_timeout': 'x'}, 60),   # the module refuses it itself
])
def test_nothing_changes_when_the_wait_fits_or_there_is_none(name, args, async_seconds):
    assert capped_wait_timeout(name, args, async_seconds) == (None, None)
