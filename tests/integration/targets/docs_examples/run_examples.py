"""Run the guide's YAML examples as printed: `--check --diff`, then for real, then again (no change).

    python run_examples.py CONFIG COLLECTION_ROOT WORK [ansible-playbook arguments such as -vvvv]

See runme.sh for the rules (what is substituted, what is asserted). Prints one line per example at the end.
"""

import os
import re
import subprocess
import sys

import yaml

import extract_examples
import world

# The only text of an example that is changed: the ECE address, the CA and the user (pointed at the emulator).
# The vault_* variables the examples use are defined in a variables file holding the suite's credentials.
EXAMPLE_HOSTS = ('https://ece.example.com:12443', 'https://ece-staging.example.com:12443')
EXAMPLE_CAS = ('/etc/pki/ece-ca.pem', '/etc/pki/ece-staging-ca.pem')
EXAMPLE_USER = re.compile(r'(?m)^(\s*username:) ansible$')

# Per example, by (rst file, first line): what the runner expects beyond success and idempotence.
#   check_skips     the --check run must skip at least this many tasks
#   continues       runs on the state the example before it left (no reset, no GIVEN)
#   inventory       'chapter': the chapter's inventory example (fleet.rst) as deployments.ece.yml;
#                   default for examples that need one: every deployment (plugin, host and CA only)
#   real_changes    the real run must change at least this many tasks (default 1: a run that changes nothing
#                   proves nothing)
#   refused         each real run sends this many writes that ECE refuses (4xx: nothing changes)
#   plans           {deployment: (Elasticsearch version, names of its plan's plugins and bundles)} after the
#                   real run and after the second one
#   graph_has / graph_lacks   for the inventory example: text its --graph output must (not) show
SETTINGS = {
    # F1: check mode of "create, then attach" on an ECE without the bundle passes, skipping the attach.
    ('guide.rst', '- name: Make sure the synonyms bundle exists'): {
        'check_skips': 1, 'plans': {'search-prod': ('8.15.1', ['synonyms']), 'logs-prod': ('8.15.1', [])}},
    # F1 again: the fixed build does not exist yet, so check mode skips the swap.
    ('guide.rst', '- name: Create the fixed build next to the faulty one'): {
        'check_skips': 1, 'plans': {'search-prod': ('8.15.1', ['analysis-custom-fixed'])}},
    ('guide.rst', '- name: Start the change on each deployment'): {
        'plans': {'search-prod': ('8.15.1', ['analysis-custom']), 'logs-prod': ('8.15.1', ['analysis-custom'])}},
    # Its point: the delete is refused (the bundle is in use), and the playbook goes on. Every run sends the DELETE
    # and ECE refuses it (400 extensions.extension_in_use), so nothing changes; check mode predicts the refusal.
    ('guide.rst', '- name: Remove the old bundle unless a deployment still uses it'): {
        'refused': 1, 'real_changes': 0, 'plans': {'search-prod': ('8.15.1', ['old-bundle'])}},
    ('versions.rst', '- name: Upgrade search-prod to 8.16.0, the plugin carried across'): {
        'continues': True, 'plans': {'search-prod': ('8.16.0', ['analysis-custom']), 'logs-prod': ('8.15.1', [])}},
    ('fleet.rst', 'plugin: ece.platform.deployments'): {
        'graph_has': ['@ece_deployments:', '|--search-prod', '@es_8_15_1:'], 'graph_lacks': ['logs-prod']},
    # The inventory above selects search-prod only (tags, extensions); it runs on what that example found.
    ('fleet.rst', '# rollout.yml'): {
        'inventory': 'chapter', 'continues': True,
        'plans': {'search-prod': ('8.15.1', ['analysis-custom-8.15.1-r2']), 'logs-prod': ('8.15.1', ['analysis-custom-8.15.1-r1'])}},
    ('fleet.rst', 'ece_rollout_hosts: ece_deployments'): {
        'plans': {'search-prod': ('8.15.1', ['synonyms-v2']), 'logs-prod': ('8.15.1', ['synonyms-v2'])}},
    ('fleet.rst', 'ece_rollout_version: 8.16.0'): {
        'plans': {'search-prod': ('8.16.0', ['analysis-custom-8.16.0']), 'logs-prod': ('8.16.0', ['analysis-custom-8.16.0'])}},
    ('fleet.rst', '- name: Start the change everywhere'): {
        'plans': {'search-prod': ('8.15.1', ['analysis-custom-8.15.1-r2']),
                  'logs-prod': ('8.15.1', ['analysis-custom-8.15.1-r2'])}},
}

ROLLOUT_COMMAND = ['ece.platform.rollout', '-e', '@rollout.yml', '-f', '20']  # fleet.rst, after the variables
RECAP = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', re.M)


class Failed(Exception):
    pass


def substitute(text, conn):
    for host in EXAMPLE_HOSTS:
        text = text.replace(host, conn['host'])
    for ca_path in EXAMPLE_CAS:
        text = text.replace(ca_path, conn['ca_path'])
    text = EXAMPLE_USER.sub(lambda match: '%s %s' % (match.group(1), conn['username']), text)
    if 'example.com' in text.replace('artifacts.example.com', ''):
        raise Failed('an example names a host the runner does not point at the emulator: %s' % text)
    return text


# The end of a GIVEN play: where the example's requests begin in the emulator's log (see Runner.playbook).
GIVEN_MARK = '''
- name: "Given: the length of the request log, where the example's own requests begin"
  ansible.builtin.copy:
    dest: "{{ playbook_dir }}/given.mark"
    content: "{{ lookup('ansible.builtin.url', docex_host ~ '/_emulator/requests', ca_path=docex_ca_path, split_lines=false) | from_json | length }}"
    mode: "0644"
'''


def wrap_tasks(title, text, keywords=''):
    """A task list in a play on localhost whose module_defaults give the connection (as the guide's plays do)."""
    head = ('- name: "%s"\n  hosts: localhost\n  gather_facts: false\n%s'
            '  module_defaults:\n    group/ece.platform.ece:\n      host: "{{ docex_host }}"\n'
            '      api_key: "{{ vault_ece_api_key }}"\n      ca_path: "{{ docex_ca_path }}"\n  tasks:\n' % (title, keywords))
    return head + ''.join('    ' + line + '\n' if line else '\n' for line in text.rstrip('\n').split('\n'))


def writes_since(emulator, mark):
    """The requests since `mark` that may change something, as (accepted, refused) lists: POST, PUT and DELETE,
    except the searches (POST .../_search reads) and the validate_only PUT that deployment_upgrade's check mode sends
    (ECE checks the plan and changes nothing). Refused: ECE answered 4xx or 5xx, so nothing changed."""
    accepted, refused = [], []
    for entry in emulator.requests()[mark:]:
        if entry['method'] not in ('POST', 'PUT', 'DELETE') or entry['path'].endswith('/_search'):
            continue
        if entry['method'] == 'PUT' and 'validate_only' in str(entry.get('query')) and 'true' in str(entry.get('query')):
            continue
        (refused if entry['status'] >= 400 else accepted).append('%s %s -> %s' % (entry['method'], entry['path'], entry['status']))
    return accepted, refused


class Runner:
    def __init__(self, config, root, work, ansible_args):
        self.config, self.root, self.work, self.ansible_args = config, root, work, ansible_args
        self.conn = dict(host=config['ece_host'], ca_path=config['ece_ca_path'], username=config['ece_username'])
        self.emulator = world.Emulator(config['ece_emulator_url'], config['ece_ca_path'])
        self.summary = []
        self.extra = ['-e', '@secrets.yml', '-e', 'docex_host=%s' % config['ece_host'], '-e', 'docex_ca_path=%s' % config['ece_ca_path']]
        # The suite's module-process run (ece_in_process: false) reaches the examples through the environment, so that
        # the GIVEN plays can stay in-process (a play variable wins over ECE_IN_PROCESS; an extra variable would not).
        self.in_process = config.get('ece_in_process') is not False

    def env(self, fleet):
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(self.work, 'xdg-cache'), ANSIBLE_NOCOLOR='1',
                   ANSIBLE_FORCE_COLOR='0', ECE_IN_PROCESS='true' if self.in_process else 'false')
        if fleet:  # the inventory plugin and the fleet's plays take the key (and more) from the environment
            env.update(ECE_HOST=self.config['ece_host'], ECE_API_KEY=self.config['ece_api_key'],
                       ECE_CA_PATH=self.config['ece_ca_path'])
        return env

    def command(self, argv, fleet, what):
        """Run argv in the work directory; its output is printed (the suite scans it for credentials)."""
        print('---- %s: %s' % (what, ' '.join(argv)), flush=True)
        done = subprocess.run(argv, cwd=self.work, env=self.env(fleet), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        print(done.stdout, flush=True)
        if done.returncode != 0:
            raise Failed('%s failed (exit code %d)' % (what, done.returncode))
        return done.stdout

    def playbook(self, argv, fleet, what, mode, given=False):
        """One ansible-playbook run of argv; `given`: given.yml runs first, for real (check_mode: false), and the
        example's requests are those after the mark it leaves. Returns the counts of the run (see writes_since)."""
        local = [] if fleet else ['-i', 'localhost,', '-c', 'local', '-e', 'ansible_python_interpreter={{ ansible_playbook_python }}']
        flags = ['--check', '--diff'] if mode == 'check' else []
        mark = len(self.emulator.requests())
        if given:  # before the example's playbook: the positional arguments of ansible-playbook must stand together
            if os.path.exists(os.path.join(self.work, 'given.mark')):
                os.remove(os.path.join(self.work, 'given.mark'))  # never the mark of an earlier example
            first = next(index for index, arg in enumerate(argv) if not arg.startswith('-') and argv[index - 1] != '-i')
            argv = argv[:first] + ['given.yml'] + argv[first:]
        output = self.command(['ansible-playbook'] + local + argv + self.extra + flags
                              + self.ansible_args, fleet, '%s (%s)' % (what, mode))
        if given:
            with open(os.path.join(self.work, 'given.mark'), encoding='utf-8') as handle:
                mark = int(handle.read())
        recap = RECAP.findall(output)
        # A fleet run whose inventory no longer selects anything (its filter matched the old state) runs no task.
        if not recap and not (fleet and 'skipping: no hosts matched' in output):
            raise Failed('%s (%s): no play recap in the output' % (what, mode))
        changed = sum(int(row[2]) for row in recap)
        skipped = sum(int(row[5]) for row in recap)
        accepted, refused = writes_since(self.emulator, mark)
        if mode == 'check' and (accepted or refused):
            raise Failed('%s: --check sent writes: %s' % (what, accepted + refused))
        if mode == 'again' and (changed or accepted):
            raise Failed('%s: the second run changed %d task(s) and sent %s; expected no change' % (what, changed, accepted))
        return dict(changed=changed, skipped=skipped, writes=len(accepted), refused=len(refused))

    def expect_plans(self, title, mode, setting):
        if 'plans' not in setting:
            return
        plans = self.emulator.plans(self.config['ece_api_key'])
        wrong = {name: plans.get(name) for name, want in setting['plans'].items() if plans.get(name) != tuple(want)}
        if wrong:
            raise Failed('%s (%s): the deployments\' plans are %s; expected %s' % (title, mode, wrong, setting['plans']))

    def inventory_file(self, setting, examples):
        if setting.get('inventory') == 'chapter':
            chapter = next(entry for entry in examples if entry['kind'] == 'inventory')
            text = substitute(chapter['text'], self.conn)
        else:
            text = yaml.safe_dump({'plugin': 'ece.platform.deployments', 'host': self.conn['host'], 'ca_path': self.conn['ca_path']})
        with open(os.path.join(self.work, 'deployments.ece.yml'), 'w', encoding='utf-8') as handle:
            handle.write(text)

    def given(self, key, title):
        """Write given.yml, the real run of what the example presumes (world.GIVEN); False when it presumes nothing."""
        tasks = world.GIVEN.get(key)
        if tasks:
            keywords = '  check_mode: false\n  vars:\n    ece_in_process: true  # setup, not under test\n'
            self.write('given.yml', wrap_tasks('Given for ' + title, tasks.strip('\n') + GIVEN_MARK, keywords))
        return bool(tasks)

    def write(self, name, text):
        with open(os.path.join(self.work, name), 'w', encoding='utf-8') as handle:
            handle.write(text)

    def run(self, entry, examples):
        key = (entry['file'], entry['first_line'])
        title = '%s:%d' % (entry['file'], entry['line'])
        setting = SETTINGS.get(key, {})
        given = False
        if not setting.get('continues'):
            self.emulator.fresh()
            given = self.given(key, title)
        text = substitute(entry['text'], self.conn)
        fleet = entry['kind'] in ('inventory', 'rollout_vars') or any(
            play.get('hosts') != 'localhost' for play in yaml.safe_load(text) if entry['kind'] == 'plays')
        if given and fleet:  # a run of its own: ansible-playbook reads the inventory before its first play
            self.playbook(['given.yml'], False, 'given for ' + title, 'real')
            given = False
        if entry['kind'] == 'inventory':
            self.write('deployments.ece.yml', text)
            mark = len(self.emulator.requests())
            graph = self.command(['ansible-inventory', '-i', 'deployments.ece.yml', '--graph'], True, title + ' (graph)')
            missing = [want for want in setting.get('graph_has', []) if want not in graph]
            unwanted = [want for want in setting.get('graph_lacks', []) if want in graph]
            writes = sum(writes_since(self.emulator, mark), [])
            if missing or unwanted or writes:
                raise Failed('%s: the graph lacks %s, shows %s, writes %s' % (title, missing, unwanted, writes))
            self.summary.append('%s inventory: --graph shows %s' % (title, setting.get('graph_has')))
            return
        if fleet:
            self.inventory_file(setting, examples)
        if entry['kind'] == 'rollout_vars':
            self.write('rollout.yml', text)
            argv = ['-i', 'deployments.ece.yml'] + ROLLOUT_COMMAND
        else:
            self.write('example.yml', wrap_tasks(title + ', as printed in the guide', text) if entry['kind'] == 'tasks' else text)
            argv = (['-i', 'deployments.ece.yml'] if fleet else []) + ['example.yml']
        check = self.playbook(argv, fleet, title, 'check', given)
        if check['skipped'] < setting.get('check_skips', 0):
            raise Failed('%s: --check skipped %d task(s), expected at least %d' % (title, check['skipped'], setting['check_skips']))
        real = self.playbook(argv, fleet, title, 'real')
        self.expect_plans(title, 'real', setting)
        again = self.playbook(argv, fleet, title, 'again')
        self.expect_plans(title, 'again', setting)
        if real['changed'] < setting.get('real_changes', 1):
            raise Failed('%s: the real run changed nothing; expected a change (is the world the example assumes there?)' % title)
        for mode, counts in (('real', real), ('again', again)):
            if counts['refused'] != setting.get('refused', 0):
                raise Failed('%s (%s): ECE refused %d write(s), expected %d' % (title, mode, counts['refused'], setting.get('refused', 0)))
        self.summary.append('%s %s: check (and given) changed=%d skipped=%d; real changed=%d writes=%d; again changed=%d writes=%d refused=%d'
                            % (title, entry['kind'], check['changed'], check['skipped'], real['changed'], real['writes'],
                               again['changed'], again['writes'], again['refused']))


def main(argv):
    config_path, root, work = argv[:3]
    with open(config_path, encoding='utf-8') as handle:
        config = yaml.safe_load(handle)
    docs = os.path.join(root, 'docs', 'docsite')
    try:
        examples = extract_examples.examples(os.path.join(docs, 'rst'), extract_examples.docs_order(docs))
    except extract_examples.UnclassifiedBlock as error:
        raise SystemExit('FAILED: %s' % error) from None
    world.build_files(work)
    with open(os.path.join(work, 'secrets.yml'), 'w', encoding='utf-8') as handle:
        os.chmod(handle.name, 0o600)
        yaml.safe_dump({'vault_ece_api_key': config['ece_api_key'], 'vault_ece_staging_password': config['ece_password']}, handle)
    runner = Runner(config, root, work, argv[3:])
    only = os.environ.get('DOCEX_ONLY')  # a developer's filter: file:line of the examples to run
    try:
        for entry in examples:
            if entry['kind'] == 'not_run':
                runner.summary.append('%s:%d not run: %s' % (entry['file'], entry['line'], entry['reason']))
            elif not only or '%s:%d' % (entry['file'], entry['line']) in only.split():
                runner.run(entry, examples)
    except Failed as error:
        print('\n'.join(runner.summary))
        raise SystemExit('FAILED: %s' % error)
    print('\n==== the guide\'s examples ====\n' + '\n'.join(runner.summary))


if __name__ == '__main__':
    main(sys.argv[1:])
