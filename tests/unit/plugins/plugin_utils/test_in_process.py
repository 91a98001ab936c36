# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module's main() run in-process: its own validation and result, and nothing left behind in the process."""

from __future__ import annotations

import json
import locale
import os
import sys
import warnings

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.ece.platform.plugins.plugin_utils._in_process import run_main

SPEC = dict(
    host=dict(type='str', required=True, fallback=(env_fallback, ['ECE_HOST'])),
    api_key=dict(type='str', no_log=True),
    retries=dict(type='int', default=4),
)


def messages(events):
    """The texts of warnings or deprecations as a module prints them (ansible-core 2.19+: event objects)."""
    return [e['event']['msg'] if isinstance(e, dict) and 'event' in e else e.get('msg', e) if isinstance(e, dict) else e
            for e in events]


def result_of(output):
    return json.loads(output['stdout'])


def echo_main():
    module = AnsibleModule(argument_spec=SPEC, supports_check_mode=True)
    module.exit_json(changed=False, params=module.params, check_mode=module.check_mode)


def test_the_module_validates_and_coerces_its_own_arguments():
    output = run_main(echo_main, {'host': 'https://ece', 'retries': '7', '_ansible_check_mode': True}, {})
    assert output['rc'] == 0
    result = result_of(output)
    assert result['params']['retries'] == 7
    assert result['check_mode'] is True


def test_argument_errors_are_the_module_s_own():
    output = run_main(echo_main, {'retries': 'many'}, {})
    assert output['rc'] == 1
    result = result_of(output)
    assert result['failed'] is True
    assert 'host' in result['msg'] and 'required' in result['msg']


def test_secrets_are_masked_in_results_and_invocation():
    def main():
        module = AnsibleModule(argument_spec=SPEC)
        module.exit_json(changed=False, said='the key is %s' % module.params['api_key'])

    args = {'host': 'h', 'api_key': 'k-secret-1'}
    if 'inject_invocation' in PASS_VARS:  # ansible-core 2.21 adds invocation on request; 2.19 always does
        args['_ansible_inject_invocation'] = True
    output = run_main(main, args, {})
    assert 'k-secret-1' not in output['stdout']
    result = result_of(output)
    assert result['said'] == 'the key is ********'
    assert result['invocation']['module_args']['api_key'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_the_task_environment_applies_during_the_run_only(monkeypatch):
    monkeypatch.delenv('ECE_HOST', raising=False)
    before = dict(os.environ)
    output = run_main(echo_main, {}, {'ECE_HOST': 'https://from-env', 'OTHER': 3})
    assert result_of(output)['params']['host'] == 'https://from-env'
    assert dict(os.environ) == before


def test_changes_to_the_process_are_undone(tmp_path):
    cwd, stdout, stderr = os.getcwd(), sys.stdout, sys.stderr
    saved_locale = locale.setlocale(locale.LC_ALL)
    filters = list(warnings.filters)

    def main():
        module = AnsibleModule(argument_spec=SPEC)
        os.chdir(str(tmp_path))
        os.environ['LEFT_BEHIND'] = '1'
        warnings.simplefilter('ignore')
        module.exit_json(changed=False)

    run_main(main, {'host': 'h'}, {})
    assert os.getcwd() == cwd
    assert sys.stdout is stdout and sys.stderr is stderr
    assert locale.setlocale(locale.LC_ALL) == saved_locale
    assert warnings.filters == filters
    assert 'LEFT_BEHIND' not in os.environ
    assert basic._ANSIBLE_ARGS is None  # pylint: disable=protected-access


def test_warnings_go_into_the_result_and_not_into_the_next_run():
    def warning_main():
        module = AnsibleModule(argument_spec=SPEC)
        module.warn('validate_certs=false is for testing only')
        module.deprecate('old option', version='9.0.0', collection_name='ece.platform')
        module.exit_json(changed=False)

    first = result_of(run_main(warning_main, {'host': 'h'}, {}))
    assert messages(first['warnings']) == ['validate_certs=false is for testing only']
    assert messages(first['deprecations']) == ['old option']
    second = result_of(run_main(echo_main, {'host': 'h'}, {}))
    assert 'warnings' not in second and 'deprecations' not in second
    assert not module_warnings.get_warnings()


def test_the_module_tmpdir_is_removed_when_the_module_ends(tmp_path):
    seen = {}

    def main():
        module = AnsibleModule(argument_spec=SPEC)
        seen['tmpdir'] = module.tmpdir
        with open(os.path.join(module.tmpdir, 'scratch'), 'w', encoding='utf-8') as handle:
            handle.write('x')
        module.exit_json(changed=False)

    run_main(main, {'host': 'h', '_ansible_remote_tmp': str(tmp_path)}, {})
    assert seen['tmpdir'].startswith(str(tmp_path))
    assert not os.path.exists(seen['tmpdir'])


def test_a_crash_is_reported_as_a_module_process_reports_it():
    # The AnsiballZ wrapper of a module process turns the exception into a failure result.
    def main():
        raise RuntimeError('bug in the module')

    output = run_main(main, {'host': 'h'}, {})
    assert output['rc'] == 1
    result = result_of(output)
    assert result['failed'] is True
    assert 'bug in the module' in json.dumps(result['exception'])


def test_arguments_that_cannot_be_decoded_fail_as_in_a_module_process():
    # A surrogate escape (a non-UTF-8 file name): AnsibleModule refuses the arguments.
    output = run_main(echo_main, {'host': 'h', 'file': 'non-utf8-\udcff.zip'}, {})
    assert output['rc'] == 1
    assert 'surrogates not allowed' in json.dumps(result_of(output)['exception'])


def test_a_main_that_does_not_exit_fails_as_in_a_module_process():
    output = run_main(lambda: None, {'host': 'h'}, {})
    assert output['rc'] == 1
    assert 'did not handle its own exit' in json.dumps(result_of(output)['exception'])
