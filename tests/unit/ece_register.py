# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The register of ECE behaviours (tests/ece_behaviours.yml), as the unit tests' fakes read it.

The emulator reads the same file (tests/emulator/emulator_assumptions.py), so the fakes here and the
emulator cannot drift apart: a fake asks `reading(switch)` what ECE does instead of deciding it itself,
and tests of the collection's own handling run under `both(switch)`, the default and the flipped reading.
"""

from __future__ import annotations

import os

import yaml

REGISTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'ece_behaviours.yml')


def _switches():
    with open(REGISTER, encoding='utf-8') as handle:
        entries = yaml.safe_load(handle)['behaviours']
    return {name: readings for entry in entries for name, readings in (entry.get('switches') or {}).items()}


SWITCHES = _switches()


def reading(switch, which='default'):
    """The value of `switch` in the `which` reading ('default' or 'flipped')."""
    return SWITCHES[switch][which]


def both(switch):
    """[default value, flipped value] of `switch`, for pytest.mark.parametrize."""
    return [SWITCHES[switch]['default'], SWITCHES[switch]['flipped']]
