"""Helpers of runme.sh.

prepare.py CONFIG OUT            the integration config as variables of their own names (main_host, ...)
prepare.py --emulator            the path of the emulator script of the collection under test
prepare.py --api-key CONFIG      the API key of the integration config (for the second emulator)
prepare.py --check-mismatch LOG CODE   the mismatch run failed one host of the two, naming the other
"""

import os
import re
import sys

import yaml


def load(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def write_vars(config_path, out_path):
    config = load(config_path)
    variables = dict(main_host=config['ece_host'], main_api_key=config['ece_api_key'], main_ca_path=config.get('ece_ca_path'),
                     emulator_url=config['ece_emulator_url'])
    if 'ece_in_process' in config:  # the suite's module-process run: the role's modules run that way here too
        variables['ece_in_process'] = config['ece_in_process']
    with open(out_path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(variables, handle)


def emulator_script():
    """The emulator of the collection under test: ansible-test's collection root, else this checkout's."""
    roots = [os.path.join(path, 'ansible_collections', 'ece', 'platform')
             for path in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if path]
    roots.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))
    for root in roots:
        script = os.path.join(root, 'tests', 'emulator', 'ece_emulator.py')
        if os.path.isfile(script):
            return os.path.abspath(script)
    raise SystemExit('the emulator script was not found under %s' % roots)


def check_mismatch(log_path, code):
    with open(log_path, encoding='utf-8') as handle:
        text = handle.read()
    problems = []
    if int(code) == 0:
        problems.append('the run succeeded, though p1 and p2 asked for different lists on one ECE')
    found = re.findall(r'Hosts (p1|p2) and (p1|p2) both use the ECE at', text)
    if len(set(found)) != 1 or found[0][0] == found[0][1]:
        problems.append('expected one host to fail naming the other, found %s' % found)
    if 'converged_the_right_one' not in text:
        problems.append('the check of the server after the run did not pass')
    if problems:
        print(text)
        raise SystemExit('; '.join(problems))
    print('ok: the later host of one ECE failed, naming the first: %s' % (found[0],))


def main(argv):
    if argv[0] == '--emulator':
        print(emulator_script())
    elif argv[0] == '--api-key':
        print(load(argv[1])['ece_api_key'])
    elif argv[0] == '--check-mismatch':
        check_mismatch(argv[1], argv[2])
    else:
        write_vars(argv[0], argv[1])


if __name__ == '__main__':
    main(sys.argv[1:])
