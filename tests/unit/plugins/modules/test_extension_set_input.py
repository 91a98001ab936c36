# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""extension_set's argument spec lets an item that is not a dict through to the collection's own check, which names it.

With `elements: dict`, ansible-core refused a bare name (`extensions: [synonyms]`) itself, with "unable to convert
to dict" and neither the item's index nor what an item must look like. The module runs here as the action plugin
runs it on the controller (the same argument spec and main()); no client is made, so nothing can be sent.
"""

from __future__ import annotations

import pytest

from ansible_collections.ece.platform.plugins.module_utils._module_class import module_class_set
from ansible_collections.ece.platform.plugins.modules import extension_set
from ansible_collections.ece.platform.plugins.plugin_utils._controller_module import ControllerModule, ModuleExit


def run_extension_set(extensions):
    args = {'host': 'https://ece.example.com:12443', 'api_key': 'not-sent', 'extensions': extensions}
    cls = ControllerModule.for_task(name='ece.platform.extension_set', args=args)
    with module_class_set(cls), pytest.raises(ModuleExit) as info:
        extension_set.main()
    return info.value.result


@pytest.mark.parametrize('extensions, index, shown', [
    (['synonyms'], 0, "the str 'synonyms'"),
    ([{'name': 'stopwords', 'extension_type': 'bundle', 'version': '8.*'}, 'synonyms'], 1, "the str 'synonyms'"),
    ([42], 0, 'the int 42'),
])
def test_an_item_that_is_not_a_dict_is_named_with_what_an_item_looks_like(extensions, index, shown):
    result = run_extension_set(extensions)
    assert result['failed'] is True
    assert result['msg'].startswith('extensions[%d]: must be a dict of extension options with at least name (or id)' % index)
    assert shown in result['msg']
    assert '{name: synonyms, extension_type: bundle, version: "8.*"}' in result['msg']
    assert result['msg'].endswith('Nothing was sent to ECE.')
    assert 'unable to convert to dict' not in result['msg']
    assert [bad['index'] for bad in result['invalid']] == [index]


def test_every_item_that_is_not_a_dict_is_named_at_once():
    result = run_extension_set(['synonyms', {'name': 'ok'}, 'stopwords'])
    assert result['msg'].startswith('2 items of extensions are invalid: extensions[0]: must be a dict')
    assert "extensions[2]: must be a dict" in result['msg']
