# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ece.platform.rollout through ansible-runner (the engine of AWX and Automation Platform), the inventory
plugin's file as its inventory; print {status, rc, summary} as JSON.

Usage: run_with_runner.py PRIVATE_DATA_DIR INVENTORY VARS_FILE EXTRA_VARS_JSON
"""

import json
import os
import sys

import ansible_runner


def main():
    private_dir, inventory, vars_file, extra = sys.argv[1:5]
    # ansible-runner starts `ansible-playbook` from PATH: the one next to this Python first.
    env = {'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
           'ANSIBLE_INVENTORY_ENABLED': 'ece.platform.deployments'}
    for name in ('ANSIBLE_COLLECTIONS_PATH', 'HOME'):
        if os.environ.get(name):
            env[name] = os.environ[name]
    # The connection (with the key) comes from a file, so that no key is written into the runner's env/ files.
    result = ansible_runner.run(private_data_dir=private_dir, playbook='ece.platform.rollout', inventory=inventory,
                                cmdline='-e @%s' % vars_file, extravars=json.loads(extra), envvars=env, forks=5, quiet=True,
                                timeout=600)
    summary = None
    for event in result.events:
        if event.get('event') == 'playbook_on_stats':
            summary = (event.get('event_data') or {}).get('artifact_data', {}).get('ece_rollout_summary')
    print(json.dumps({'status': result.status, 'rc': result.rc, 'summary': summary}))


if __name__ == '__main__':
    main()
