# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule look-alike: the module's own validation and result, by exception, nothing left behind."""

from __future__ import annotations

import os

import pytest

from ansible.module_utils.basic import env_fallback

from ansible_collections.ece.platform.plugins.module_utils import _argspec
from ansible_collections.ece.platform.plugins.module_utils._module_class import module_class, module_class_set
from ansible_collections.ece.platform.plugins.plugin_utils._controller_module import ControllerModule, ModuleExit

SPEC = dict(
    host=dict(type='str', required=True, fallback=(env_fallback, ['ECE_HOST'])),
    api_key=dict(type='str', no_log=True),
    retries=dict(type='int', default=4),
    items=dict(type='list', elements='dict', options=dict(token=dict(type='str', no_log=True), name=dict(type='str'))),
)


def module_for(args, supports_check_mode=True, **settings):
    settings.setdefault('name', 'ece.platform.test')
    cls = ControllerModule.for_task(args=args, **settings)
    return cls(argument_spec=SPEC, supports_check_mode=supports_check_mode)


def exit_of(call):
    with pytest.raises(ModuleExit) as info:
        call()
    return info.value.result


def test_arguments_are_validated_and_coerced_with_the_module_spec():
    module = module_for({'host': 'https://ece', 'retries': '7'}, check_mode=True, diff=True)
    assert module.params['retries'] == 7
    assert module.params['api_key'] is None
    assert module.check_mode is True and module._diff is True  # pylint: disable=protected-access


def test_arguments_that_are_not_utf8_are_refused_before_the_module_runs():
    # A surrogate escape (a non-UTF-8 file name): ansible-core refuses to send it to a module process.
    with pytest.raises(UnicodeEncodeError, match='surrogates not allowed'):
        module_for({'host': 'h', 'file': 'non-utf8-\udcff.zip'})


def test_fallbacks_read_the_environment(monkeypatch):
    monkeypatch.setenv('ECE_HOST', 'https://from-env')
    assert module_for({}).params['host'] == 'https://from-env'


@pytest.mark.parametrize('args, words', [
    ({'retries': 'many'}, 'host'),
    ({'host': 'h', 'retries': 'many'}, 'retries'),
    ({'host': 'h', 'fiel': 'x'}, 'Unsupported parameters for (ece.platform.test) module: fiel'),
])
def test_bad_arguments_fail_before_the_module_runs(args, words):
    result = exit_of(lambda: module_for(args))
    assert result['failed'] is True
    assert words in result['msg']


def test_secrets_are_masked_in_results_and_invocation():
    args = {'host': 'h', 'api_key': 'k-secret-1', 'items': [{'name': 'a', 'token': 't-secret-2'}]}
    module = module_for(args)
    result = exit_of(lambda: module.exit_json(changed=False, said='key %s token %s' % (module.params['api_key'], 't-secret-2')))
    assert 'secret' not in repr(result)
    assert result['said'] == 'key ******** token ********'
    assert result['invocation']['module_args']['api_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_the_result_is_json_data_as_from_a_module_process():
    module = module_for({'host': 'h'}, invocation=False)
    nested = {'list': [1]}
    result = exit_of(lambda: module.exit_json(changed=False, pair=(1, 2), names={'b', 'a'}, raw=b'x', nested=nested))
    assert result == {'changed': False, 'pair': [1, 2], 'names': ['a', 'b'], 'raw': 'x', 'nested': {'list': [1]}}
    assert result['nested'] is not nested


def test_invocation_only_when_asked_for():
    module = module_for({'host': 'h'}, invocation=False)
    assert 'invocation' not in exit_of(lambda: module.exit_json(changed=False))


def test_warnings_go_into_the_result():
    module = module_for({'host': 'h'})
    module.warn('validate_certs=false is for testing only')
    result = exit_of(lambda: module.fail_json(msg='no', exception='Traceback ...', status=401))
    assert result['warnings'] == ['validate_certs=false is for testing only']
    assert result['failed'] is True and result['msg'] == 'no' and result['status'] == 401
    assert 'exception' not in result
    with pytest.raises(TypeError):
        module.warn(['not', 'a', 'string'])


def test_check_mode_without_support_skips():
    result = exit_of(lambda: module_for({'host': 'h'}, check_mode=True, supports_check_mode=False))
    assert result['skipped'] is True


def test_the_tmpdir_is_made_on_first_use_and_removed_by_cleanup():
    module = module_for({'host': 'h'})
    path = module.tmpdir
    with open(os.path.join(path, 'scratch'), 'w', encoding='utf-8') as handle:
        handle.write('x')
    assert module.tmpdir == path
    module.cleanup()
    assert not os.path.exists(path)
    assert type(module).instances == [module]


def test_module_exit_is_not_caught_by_except_exception():
    # As SystemExit in a module process: an `except Exception` in module code does not swallow the exit.
    module = module_for({'host': 'h'})
    with pytest.raises(ModuleExit):
        try:
            module.exit_json(changed=False)
        except Exception:  # pylint: disable=broad-except
            pytest.fail('ModuleExit was caught as an Exception')


def test_ece_module_builds_the_look_alike_only_inside_the_block():
    cls = ControllerModule.for_task(name='ece.platform.extension_info', args={'host': 'https://ece'})
    with module_class_set(cls):
        assert module_class() is cls
        # The connection rules of the collection run on it as on AnsibleModule: no credentials fails at once.
        result = exit_of(lambda: _argspec.ece_module(argument_spec={}, supports_check_mode=True))
    assert 'No credentials' in result['msg']
    assert module_class() is not cls
