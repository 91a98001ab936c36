"""Run generated playbooks against the emulator and return the time of every play (one concern: Ansible).

A benchmark playbook holds one measured thing per play; bench/callback_plugins/bench_timer.py writes each
play's wall time (time.perf_counter, in the ansible-playbook process), so ansible-playbook's own start-up,
the same for both sides of a comparison, is not part of any measurement. Plays whose name starts with
`setup` (resetting the emulator, warming caches) are run but not reported as measurements.
"""

import json
import os
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(REPO, 'tools'))

# tools/collection_tree.py
import collection_tree  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOKS = os.path.join(BENCH, 'playbooks')


def collections_path():
    """The symlink farm `.cache/collections/ansible_collections/ece/platform -> repo` that `make demo` uses too.

    $BENCH_COLLECTIONS_PATH benchmarks another copy instead (say, a patched one under /tmp).
    """
    return os.environ.get('BENCH_COLLECTIONS_PATH') or collection_tree.source_collections_path()


class PlaybookError(RuntimeError):
    """ansible-playbook failed, or a play did not do what the measurement needs."""


def play(name, tasks=None, roles=None, play_vars=None):
    """One play on localhost without fact gathering (facts would be measured too)."""
    doc = {'name': name, 'hosts': 'localhost', 'gather_facts': False}
    if play_vars:
        doc['vars'] = play_vars
    if roles:
        doc['roles'] = roles
    doc['tasks'] = tasks or []
    return doc


def reset_play(name='setup: reset the emulator'):
    """A play that empties the emulator (its control endpoint), so the next play starts from nothing."""
    return play(name, [{'name': 'Reset the emulator', 'ansible.builtin.uri': {
        'url': "{{ lookup('ansible.builtin.env', 'ECE_HOST') }}/_emulator/reset", 'method': 'POST'}}])


def import_tasks(filename):
    return {'ansible.builtin.import_tasks': os.path.join(PLAYBOOKS, filename)}


class Runner:
    """Runs playbooks with the collection on ANSIBLE_COLLECTIONS_PATH and the connection in ECE_* variables."""

    def __init__(self, host, api_key, workdir, python=sys.executable):
        self.host = host
        self.workdir = workdir
        self.python = python
        self.count = 0
        self.inventory = os.path.join(workdir, 'inventory.ini')
        with open(self.inventory, 'w', encoding='utf-8') as handle:
            handle.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % python)
        self.env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=collections_path(),
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(BENCH, 'callback_plugins'),
            ANSIBLE_CALLBACKS_ENABLED='bench_timer',
            ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
            ANSIBLE_NOCOLOR='1',
            ANSIBLE_RETRY_FILES_ENABLED='false',
            # Module temp files in the run's own temp dir: removed with it, and apart from other Ansible runs.
            ANSIBLE_REMOTE_TMP=os.path.join(workdir, 'ansible-remote'),
            ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'ansible-local'),
            ECE_HOST=host,
            ECE_API_KEY=api_key,
            # Rows 1 to 5 measure the modules in their own process, as before the in-process path; the
            # plays of row 6 (scenarios_in_process.py) set ece_in_process: true, which wins over this.
            ECE_IN_PROCESS='false',
            # The modules' digest cache in the run's temp dir, never the ~/.cache of the account that runs the bench.
            XDG_CACHE_HOME=os.path.join(workdir, 'xdg-cache'),
        )
        for name in ('ANSIBLE_KEEP_REMOTE_FILES', 'ANSIBLE_DEBUG', 'ANSIBLE_CONFIG'):
            self.env.pop(name, None)

    def run(self, plays, label):
        """Run `plays` as one playbook; return [{name, seconds, changed}] for the measured (non-setup) plays."""
        self.count += 1
        base = os.path.join(self.workdir, '%02d-%s' % (self.count, label))
        playbook, timings, log = base + '.yml', base + '.timings.json', base + '.log'
        with open(playbook, 'w', encoding='utf-8') as handle:
            json.dump(plays, handle, indent=1)  # JSON is YAML
        env = dict(self.env, BENCH_TIMINGS_FILE=timings)
        cmd = [os.path.join(os.path.dirname(self.python), 'ansible-playbook'), '-i', self.inventory, playbook]
        with open(log, 'w', encoding='utf-8') as out:
            code = subprocess.call(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir)
        report = {}
        if os.path.exists(timings):
            with open(timings, encoding='utf-8') as handle:
                report = json.load(handle)
        if code != 0 or report.get('failures') or not report:
            with open(log, encoding='utf-8') as handle:
                tail = handle.read()[-3000:]
            raise PlaybookError('playbook %s failed (exit code %d): %s\n%s' % (label, code, report.get('failures'), tail))
        return [p for p in report['plays'] if not p['name'].startswith('setup')]


def by_name(plays):
    """{play name: [seconds, ...]} for plays named `<kind>#<repetition>`."""
    found = {}
    for item in plays:
        found.setdefault(item['name'].split('#', 1)[0], []).append(item)
    return found


def expect_changed(plays, changed, what):
    """The measurement is only valid when every play of it did (or did not) change something."""
    wrong = [p['name'] for p in plays if bool(p['changed']) != changed]
    if wrong:
        raise PlaybookError('%s: plays %s reported changed=%s, so they did not measure what they should'
                            % (what, ', '.join(wrong), not changed))
