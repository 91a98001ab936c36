# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What validate-modules cannot check: documentation written twice must stay the same.

The failure keys of RETURN stand in every module: a RETURN doc fragment would hold them once, but
ansible-core reads RETURN fragments only from 2.20 on, and the collection supports 2.19. And
extension_set documents `extensions[]` suboptions that its argument spec leaves to a validator of its own.
"""

from __future__ import annotations

import importlib

import pytest
import yaml

from ansible_collections.ece.platform.plugins.module_utils._options import extension_options

MODULES = ('extension', 'extension_info', 'extension_set', 'deployment_extensions')
FAILURE_KEYS = ('status', 'errors', 'method', 'url')


def _docs(name, section):
    module = importlib.import_module('ansible_collections.ece.platform.plugins.modules.' + name)
    return yaml.safe_load(getattr(module, section))


def _without_samples(entry):
    return {key: value for key, value in entry.items() if key != 'sample'}


@pytest.mark.parametrize('name', [name for name in MODULES if name != 'extension'])
def test_the_failure_keys_of_return_are_documented_alike(name):
    reference = _docs('extension', 'RETURN')
    returned = _docs(name, 'RETURN')
    if name == 'extension_set':
        # Its failures are per item (results[].msg); the module fails as a whole only before any request.
        assert not set(FAILURE_KEYS) & set(returned)
        return
    for key in FAILURE_KEYS:
        assert _without_samples(returned[key]) == _without_samples(reference[key]), key


def test_extension_set_documents_exactly_the_item_options_it_validates():
    documented = _docs('extension_set', 'DOCUMENTATION')['options']['extensions']['suboptions']
    spec = extension_options()
    assert set(documented) == set(spec)
    for option, rules in spec.items():
        doc = documented[option]
        assert doc.get('type', 'str') == rules['type'], option
        assert doc.get('choices') == rules.get('choices'), option
        assert doc.get('default') == rules.get('default'), option
