"""`make test`: run every check of the project, print each step's result, fail when any step fails.

Steps (all offline, no Docker): the emulator's own tests, ansible-test sanity and units on every
supported ansible-core (2.21 on Python 3.12, 2.20 on Python 3.13, 2.19 on Python 3.11; the venvs of the
older two are steps too; units on the newest with line coverage of plugins/ and a floor), integration on
the newest (against a freshly started emulator; the modules run in-process), integration-module (every
target again with each module in its own process, except those whose aliases say ece/in_process_only,
ece/not_a_module or ece/one_way), integration-2.19 and integration-2.20 (the targets whose aliases say ece/every_core,
both ways),
integration-flipped (the targets that depend on assumed ECE behaviours, against the emulator in the
other reading of each), mypy
over module_utils and plugin_utils, the packaging check (build, install, use the installed copy),
antsibull-docs lint-collection-docs, and ansible-lint with the production profile.
`make test STEPS=units,integration` runs a subset; ECE_IT_TARGETS="target ..." limits the integration
targets of the newest ansible-core (both ways; of integration-flipped too, within its own).

ECE_TEST_OFFLINE (default true, see OFFLINE) decides whether the suite writes its stand-ins into
ansible-test's cache in ~/.ansible/test.

Steps run in lanes (see LANES): the steps of one lane in order, up to --jobs lanes at once, each lane in
its own copy of the collection. A step's output is printed in one piece when it ends; the summary at the
end lists every step's duration, the set-up of .venv by `make` included.
"""

import argparse
import collections
import concurrent.futures
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import yaml

import collection_tree
import emulator_process
import secret_scan

REPO = collection_tree.REPO
VENV_BIN = os.path.dirname(sys.executable)
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]
# The older supported ansible-core versions (see README, support matrix): venv, its Python, its requirements.
# Each venv is made by its step `venv-X` (tools/make-venv.sh: nothing to do when it is up to date).
OLDER_CORES = {
    '2.19': ('.venv-2.19', '3.11', 'requirements-oldest.txt'),
    '2.20': ('.venv-2.20', '3.13', 'requirements-2.20.txt'),
}
OLDEST_VENV_BIN = os.path.join(REPO, OLDER_CORES['2.19'][0], 'bin')
OLDEST_PYTHON_VERSION = OLDER_CORES['2.19'][1]
# The machines this suite runs on reach PyPI (through pip) but not ansible-test's own download host, so
# by default the suite writes two stand-ins into ansible-test's cache in ~/.ansible/test before
# ansible-test needs them (tools/collection_tree.py): the get-pip script its sanity venvs start from,
# and the SSH key its first integration run makes (two integration lanes in a new HOME would both make
# it at once). Both follow ansible-test internals that may change, so with network access set
# ECE_TEST_OFFLINE=false: then the suite writes nothing there and ansible-test does its own set-up (in a
# new HOME, run one integration step alone first, so that only one ansible-test makes the key).
OFFLINE = os.environ.get('ECE_TEST_OFFLINE', 'true').strip().lower() not in ('0', 'false', 'no', 'off')
OUTLINE = re.compile(r'Running .* integration test|PLAY RECAP|^\S+ +: ok=|fatal:|FAILED!|^ERROR|^FATAL|^WARNING: [^L]')


def run(cmd, cwd=REPO, env=None, venv_bin=VENV_BIN, log_path=None):
    """Run a command with the venv first on PATH; True when it succeeds.

    With `log_path` the whole output goes to that file and only its outline (targets, recaps,
    failures) to the console; after a failure the log's last lines follow.
    """
    full_env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get('PATH', ''))
    full_env.update(env or {})
    print('$ ' + ' '.join(cmd), flush=True)
    if log_path is None:
        return subprocess.run(cmd, cwd=cwd, env=full_env, check=False).returncode == 0
    with open(log_path, 'w', encoding='utf-8', errors='replace') as log, \
            subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, errors='replace') as proc:
        tail = collections.deque(maxlen=150)
        for line in proc.stdout:
            log.write(line)
            tail.append(line)
            if OUTLINE.search(line):
                print(line, end='', flush=True)
    if proc.returncode != 0:
        print('---- last lines of %s ----\n%s' % (log_path, ''.join(tail)), flush=True)
    return proc.returncode == 0


def ansible_test(*args, extra_files=None, venv_bin=VENV_BIN, python_version=PYTHON_VERSION, log_path=None):
    """Run ansible-test in a fresh copy of the project, plus `extra_files` ({relative path: text}) written into it.

    The copy is what this wrapper adds to a plain `ansible-test` run: this checkout need not sit under
    ansible_collections/ece/platform, which ansible-test requires; and the pip bootstrap stand-in lets
    ansible-test's sanity venvs work where ansible-test's download host cannot be reached (tools/collection_tree.py).

    `--local`: the venv already holds what units and integration need (requirements-units.txt, requests),
    pinned; `--venv` would make one more venv per ansible-core version and install the same packages
    into it again, unpinned. Sanity tests get venvs of their own either way.
    """
    tree = collection_tree.sync_tree()
    for rel, text in (extra_files or {}).items():
        with open(os.path.join(tree, rel), 'w', encoding='utf-8') as handle:
            handle.write(text)
    if OFFLINE:
        collection_tree.write_pip_bootstrap(os.path.join(venv_bin, 'python'))
    return run(['ansible-test'] + list(args) + ['--local', '--python', python_version, '--color', 'no'],
               cwd=tree, venv_bin=venv_bin, log_path=log_path)


def step_emulator():
    return run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/emulator'])


def step_sanity():
    return ansible_test('sanity')


# Line coverage of plugins/ by the unit tests (ansible-test's own coverage support) may not drop below this.
# (91 % with branches when it was set; a file the unit tests never import is not counted: modules are
# covered by the integration targets.)
COVERAGE_FLOOR = 89.0
COVERAGE_TOTAL = re.compile(r'^TOTAL\s.*?(\d+(?:\.\d+)?)%\s*$', re.MULTILINE)


def step_units():
    """Units with coverage, then the report of plugins/ (module_utils, plugin_utils, action, modules) against COVERAGE_FLOOR."""
    # What an earlier run measured goes first (not `ansible-test coverage erase`: it fails on a fresh tree).
    shutil.rmtree(os.path.join(collection_tree.COLLECTION_DIR, 'tests', 'output', 'coverage'), ignore_errors=True)
    if not ansible_test('units', '--coverage'):
        return False
    report = os.path.join(collection_tree.TREE_ROOT, 'coverage.txt')
    if not ansible_test('coverage', 'report', '--include', 'plugins/*', '--show-missing', log_path=report):
        return False
    with open(report, encoding='utf-8') as handle:
        text = handle.read()
    print(text[text.find('Name'):] if 'Name' in text else text)
    found = COVERAGE_TOTAL.search(text)
    if not found:
        print('FAIL no TOTAL line in the coverage report %s' % report)
        return False
    total = float(found.group(1))
    print('%s line coverage of plugins/ by the unit tests: %.0f%% (floor %.0f%%)'
          % ('ok  ' if total >= COVERAGE_FLOOR else 'FAIL', total, COVERAGE_FLOOR))
    return total >= COVERAGE_FLOOR


# On the older ansible-core versions, only the sanity tests whose verdict depends on that version run: the
# docs as that ansible-doc reads them, the argument specs as that validate-modules checks them, imports and
# syntax on that Python, the runtime metadata and action plugins as that version loads them. Style and text
# checks (pep8, pylint, yamllint, no-*, ...) judge the same files the same way on every version: the newest
# runs them. The older ones also look only at what runs on them (the collection's content and its unit
# tests): bench/, tools/ and the emulator run on .venv's ansible-core and Python alone.
VERSION_DEPENDENT_SANITY = ('action-plugin-docs', 'ansible-doc', 'compile', 'ignores', 'import', 'runtime-metadata',
                            'validate-modules')
SANITY_ON_OLDER_CORES = [arg for test in VERSION_DEPENDENT_SANITY for arg in ('--test', test)] + [
    'plugins/', 'roles/', 'meta/', 'tests/unit/']


def step_sanity_oldest():
    return ansible_test('sanity', *SANITY_ON_OLDER_CORES, venv_bin=OLDEST_VENV_BIN, python_version=OLDEST_PYTHON_VERSION)


def step_units_oldest():
    return ansible_test('units', venv_bin=OLDEST_VENV_BIN, python_version=OLDEST_PYTHON_VERSION)


def make_venv(core):
    venv, python_version, requirements = OLDER_CORES[core]
    return run([os.path.join(REPO, 'tools', 'make-venv.sh'), venv, python_version, requirements])


def older_core(command, core):
    venv, python_version, _requirements = OLDER_CORES[core]
    extra = SANITY_ON_OLDER_CORES if command == 'sanity' else []
    return ansible_test(command, *extra, venv_bin=os.path.join(REPO, venv, 'bin'), python_version=python_version)


# Integration targets choose their runs by aliases (tests/integration/targets/*/aliases): every target runs
# both ways on the newest ansible-core, in-process and as module processes, unless it says
# ece/in_process_only (it compares both paths itself), ece/not_a_module or ece/one_way; the older cores run both ways
# the targets that say ece/every_core: every_core_essentials, the essentials of the full targets in one
# (connection and credentials, bad input, create and upload, attach and plans).
IN_PROCESS_ONLY = 'ece/in_process_only/'
# A target of a plugin that is not a module (the inventory plugin) has no module-process way: its run in
# integration-module would repeat the in-process run exactly.
NOT_A_MODULE = 'ece/not_a_module/'
# A target that proves something other than the engine (docs_examples: the guide's examples as printed) runs
# once, in-process, the way a user's playbook runs them: the engine's two ways are the other targets' job.
ONE_WAY = 'ece/one_way/'
EVERY_CORE = 'ece/every_core/'


def flipped_targets():
    """The targets that depend on an assumed ECE behaviour (tests/ece_behaviours.yml), in the register's order."""
    with open(os.path.join(REPO, 'tests', 'ece_behaviours.yml'), encoding='utf-8') as handle:
        entries = yaml.safe_load(handle)['behaviours']
    targets = []
    for entry in entries:
        if entry['status'] == 'assumed':
            targets += [target for target in entry['targets'] if target not in targets]
    return targets


def integration_config(host, api_key, username, password, ca_path, archive_dir, archive_url, in_process=True):
    """The variables the integration targets read (see tests/integration/integration_config.yml.sample)."""
    lines = [
        '# Written by tools/suite.py for one run against the local emulator.',
        'ece_host: "%s"' % host,
        'ece_api_key: "%s"' % api_key,
        'ece_username: "%s"' % username,
        'ece_password: "%s"' % password,
        'ece_ca_path: "%s"' % ca_path,
        'ece_emulator_url: "%s"' % host,
        'ece_archive_dir: "%s"' % archive_dir,
        'ece_archive_url: "%s"' % archive_url,
    ]
    if not in_process:
        lines.append('ece_in_process: false')
    return '\n'.join(lines) + '\n'


# The two integration steps of the newest core run their targets in this many parts at once, each part in
# its own copy of the collection against its own emulator: their targets spend much of their time waiting
# for plan changes, and one sequential run of all of them was the longest lane of the suite.
SHARDS = 2
SHARD_ENV = 'ECE_IT_SHARD'  # set in a part's process: it runs its targets itself


def target_names(exclude=()):
    """The integration targets (setup_ece aside), minus those whose aliases name one of `exclude` ('ece/x/')."""
    base = os.path.join(REPO, 'tests', 'integration', 'targets')
    names = []
    for name in sorted(os.listdir(base)):
        aliases_path = os.path.join(base, name, 'aliases')
        if name == 'setup_ece' or not os.path.isfile(aliases_path):
            continue
        with open(aliases_path, encoding='utf-8') as handle:
            aliases = {line.strip() + '/' for line in handle if line.strip()}
        if not aliases.intersection(exclude):
            names.append(name)
    return names


def in_parts(step, targets):
    """Run `step` over `targets` in SHARDS processes at once (every SHARDS-th target each); True when all pass."""
    parts = [targets[index::SHARDS] for index in range(SHARDS)]
    if OFFLINE:
        collection_tree.write_ssh_key()  # the parts' ansible-tests would each make it in a new HOME
    procs = []
    for index, part in enumerate(parts):
        env = dict(os.environ, ECE_IT_TARGETS=' '.join(part), ECE_TEST_TREE='%s-part%d' % (collection_tree.TREE_ROOT, index + 1))
        env[SHARD_ENV] = '%d/%d' % (index + 1, SHARDS)
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), '--steps', step, '--child'],  # pylint: disable=consider-using-with
                                      cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors='replace'))
    # Each part's output is read while all run: a part must never stall on a full pipe while another runs.
    with concurrent.futures.ThreadPoolExecutor(max_workers=SHARDS) as pool:
        outputs = list(pool.map(lambda proc: proc.communicate()[0], procs))
    results = []
    for index, (proc, output) in enumerate(zip(procs, outputs)):
        results.append(proc.returncode == 0)
        verdict = 'PASS' if proc.returncode == 0 else 'FAIL'
        print('---- %s, part %d of %d (%s): %s\n%s' % (step, index + 1, SHARDS, ' '.join(parts[index]), verdict, output.rstrip()),
              flush=True)
    return all(results)


def newest_core_integration(step, log_name, **options):
    """`step`'s targets (ECE_IT_TARGETS, or all but `exclude`) in parts at once, or, within a part, here."""
    exclude = options.pop('exclude', ())
    narrowed = os.environ.get('ECE_IT_TARGETS', '').split()
    if os.environ.get(SHARD_ENV):
        return integration(narrowed, log_name, **options)
    targets = [name for name in (narrowed or target_names(exclude)) if name in target_names(exclude)]
    if not targets:
        print('%s: none of the targets %s runs in this step' % (step, ' '.join(narrowed)))
        return True
    if len(targets) < 2:
        return integration(targets, log_name, **options)
    return in_parts(step, targets)


def step_integration():
    """All targets against a fresh emulator, at -vvvv, the modules in-process (as on the controller by default)."""
    return newest_core_integration('integration', 'integration.log')


def step_integration_module():
    """The same targets with the in-process path off: each module in its own process."""
    return newest_core_integration('integration-module', 'integration-module.log', in_process=False,
                                   exclude=[IN_PROCESS_ONLY, NOT_A_MODULE, ONE_WAY])


def older_core_integration(core):
    """The targets of EVERY_CORE on an older ansible-core, in-process and then as module processes."""
    venv, python_version, _requirements = OLDER_CORES[core]
    where = dict(venv_bin=os.path.join(REPO, venv, 'bin'), python_version=python_version)
    in_process = integration([EVERY_CORE], 'integration-%s.log' % core, **where)
    module = integration([EVERY_CORE], 'integration-module-%s.log' % core, in_process=False, **where)
    return in_process and module


def step_integration_flipped():
    """The targets that depend on assumed ECE behaviours, against an emulator in the other reading of every one."""
    narrowed = os.environ.get('ECE_IT_TARGETS', '').split()
    targets = [target for target in flipped_targets() if not narrowed or target in narrowed]
    return integration(targets, 'integration-flipped.log', assumptions='flipped')


def integration(targets, log_name, in_process=True, assumptions='default', exclude=(), venv_bin=VENV_BIN,
                python_version=PYTHON_VERSION):
    """`targets` (all when empty; minus `exclude`) against a fresh emulator, at -vvvv; then no credential may
    appear in anything the run left."""
    api_key, password = secrets.token_hex(16), secrets.token_hex(12)
    username = 'admin'
    with tempfile.TemporaryDirectory(prefix='ece-it-') as tmp:
        tls_dir, archive_dir = os.path.join(tmp, 'tls'), os.path.join(tmp, 'archives')
        os.makedirs(archive_dir)
        log_path = os.path.join(collection_tree.TREE_ROOT, log_name)
        with emulator_process.emulator(api_key=api_key, username=username, password=password, tls_dir=tls_dir,
                                       assumptions=assumptions) as host, \
                emulator_process.file_server(archive_dir) as archive_url:
            config = integration_config(host, api_key, username, password, os.path.join(tls_dir, 'ca.pem'), archive_dir, archive_url,
                                        in_process=in_process)
            excluded = [arg for alias in exclude for arg in ('--exclude', alias)]
            ok = ansible_test('integration', '-vvvv', *targets, *excluded, venv_bin=venv_bin, python_version=python_version,
                              extra_files={'tests/integration/integration_config.yml': config}, log_path=log_path)
        output_dir = os.path.join(collection_tree.COLLECTION_DIR, 'tests', 'output')
        leaks = secret_scan.find_secrets(secret_scan.secret_forms(api_key, username, password),
                                         [log_path] + [p for p in secret_scan.files_under(output_dir)
                                                       if not p.endswith('integration_config.yml')])
        for what, path in leaks:
            print('LEAK: the %s appears in %s' % (what, path))
        print('%s the -vvvv output (%s) and tests/output hold no credential' % ('ok  ' if not leaks else 'FAIL', log_path))
        return ok and not leaks


def step_mypy():
    """Type checks of the collection's Python libraries (settings in tests/mypy.ini)."""
    root = collection_tree.source_collections_path()
    prefix = 'ansible_collections.ece.platform.plugins.'
    return run([os.path.join(VENV_BIN, 'mypy'), '--config-file', os.path.join(REPO, 'tests', 'mypy.ini'),
                '-p', prefix + 'module_utils', '-p', prefix + 'plugin_utils'], cwd=root)


def step_extra_checks():
    """The collection's own checks of its metadata (tests/sanity/extra/*.py), each run from the collection root."""
    directory = os.path.join(REPO, 'tests', 'sanity', 'extra')
    checks = sorted(name for name in os.listdir(directory) if name.endswith('.py'))
    results = [run([sys.executable, os.path.join(directory, name)]) for name in checks]
    return all(results)


def step_package():
    return run([sys.executable, os.path.join(REPO, 'tools', 'package_check.py')])


def step_docs():
    return run([sys.executable, os.path.join(REPO, 'tools', 'docs.py'), 'lint'])


def step_lint():
    # Exactly what a contributor or an editor runs at the collection root: .ansible-lint holds the settings,
    # and ansible-lint itself installs this checkout to resolve ece.platform.* (see .ansible-lint).
    return run(['ansible-lint', '--profile', 'production'])


STEPS = {
    'emulator': step_emulator,
    'sanity': step_sanity,
    'units': step_units,
    'venv-2.20': lambda: make_venv('2.20'),
    'sanity-2.20': lambda: older_core('sanity', '2.20'),
    'units-2.20': lambda: older_core('units', '2.20'),
    'venv-2.19': lambda: make_venv('2.19'),
    'sanity-2.19': step_sanity_oldest,
    'units-2.19': step_units_oldest,
    'integration': step_integration,
    'integration-module': step_integration_module,
    'integration-2.20': lambda: older_core_integration('2.20'),
    'integration-2.19': lambda: older_core_integration('2.19'),
    'mypy': step_mypy,
    'extra-checks': step_extra_checks,
    'integration-flipped': step_integration_flipped,
    'package': step_package,
    'docs': step_docs,
    'lint': step_lint,
}


# A step that needs another first (in the same lane): the older cores' steps need their venv.
NEEDS = {'sanity-2.19': 'venv-2.19', 'units-2.19': 'venv-2.19', 'integration-2.19': 'venv-2.19',
         'sanity-2.20': 'venv-2.20', 'units-2.20': 'venv-2.20', 'integration-2.20': 'venv-2.20'}
# Steps of one lane share a venv and run in this order, each lane in a copy of the collection of its
# own; lanes are independent of each other. The longest lane comes first. A step not listed runs in
# the lane `tools`.
LANES = {
    'integration-module': ['integration-module'],
    '2.19': ['venv-2.19', 'sanity-2.19', 'units-2.19', 'integration-2.19'],
    '2.20': ['venv-2.20', 'sanity-2.20', 'units-2.20', 'integration-2.20'],
    'integration': ['integration'],
    'integration-flipped': ['integration-flipped'],
    '2.21': ['sanity', 'units'],
    'tools': ['emulator', 'mypy', 'extra-checks', 'package', 'docs', 'lint'],
}
STEP_LANE = {step: lane for lane, steps in LANES.items() for step in steps}
PRINT_LOCK = threading.Lock()


def lanes_of(names):
    """The selected steps grouped into lanes, each lane in its own order, needed steps added."""
    wanted = set(names) | {NEEDS[name] for name in names if name in NEEDS}
    lanes = collections.OrderedDict((lane, []) for lane in LANES)
    for lane, steps in LANES.items():
        lanes[lane] = [step for step in steps if step in wanted]
    lanes['tools'] += [name for name in names if name not in STEP_LANE]
    return [(lane, steps) for lane, steps in lanes.items() if steps]


def lane_env(lane):
    """A copy of the collection per lane; integration keeps the default one (the one a subset run uses)."""
    if lane == 'integration':
        return dict(os.environ)
    return dict(os.environ, ECE_TEST_TREE=collection_tree.TREE_ROOT + '-' + lane)


def run_lane(lane, steps):
    """Each step in a child process of this script, its output printed in one piece when it ends."""
    results = []
    for name in steps:
        with PRINT_LOCK:
            print('---- %s started (lane %s)' % (name, lane), flush=True)
        started = time.monotonic()
        with subprocess.Popen([sys.executable, os.path.abspath(__file__), '--steps', name, '--child'],
                              cwd=REPO, env=lane_env(lane), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors='replace') as proc:
            output = proc.stdout.read()
            # wait4: the CPU time of this step's processes alone, while other lanes run.
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        seconds, ok = time.monotonic() - started, proc.returncode == 0
        results.append((name, ok, seconds, usage.ru_utime + usage.ru_stime))
        with PRINT_LOCK:
            print('\n==== %s (lane %s, %.0fs, %s) ====\n%s' % (name, lane, seconds, 'PASS' if ok else 'FAIL', output.rstrip()), flush=True)
        if not ok and name in NEEDS.values():
            break  # the lane's later steps need this one
    return results


def run_in_lanes(names, jobs):
    lanes = lanes_of(names)
    print('lanes (%d at once): %s' % (jobs, '; '.join('%s: %s' % (lane, ', '.join(steps)) for lane, steps in lanes)), flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_lane, lane, steps) for lane, steps in lanes]
        return [result for future in futures for result in future.result()]


def cpu_seconds():
    """CPU time of this process and its finished children (the steps' commands)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_in_order(names):
    results = []
    for name in names:
        print('\n==== %s ====' % name, flush=True)
        started, cpu = time.monotonic(), cpu_seconds()
        ok = STEPS[name]()
        results.append((name, ok, time.monotonic() - started, cpu_seconds() - cpu))
    return results


def setup_rows(path):
    """The set-up `make` did before this script: tools/make-venv.sh writes its duration there."""
    try:
        with open(path, encoding='utf-8') as handle:
            wall, cpu = (float(number) for number in handle.read().split())
        return [('venv (make)', True, wall, cpu)]
    except (OSError, ValueError):
        return []


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', default=','.join(STEPS), help='comma-separated subset of: ' + ', '.join(STEPS))
    # Two lanes more than cores: much of a cold run waits on downloads, on starting processes and, in the
    # integration lanes, on plan changes the targets poll; the four longest lanes then start at once.
    parser.add_argument('--jobs', type=int, default=(os.cpu_count() or 1) + 2,
                        help='lanes at once (default: %(default)s); 1 runs the steps one after another, output live')
    parser.add_argument('--setup-seconds', help='a file holding the seconds `make` spent on .venv, for the summary')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)  # one step of a lane, no summary
    args = parser.parse_args()
    names = [name for name in args.steps.split(',') if name]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        parser.error('unknown steps: %s' % ', '.join(unknown))
    if args.child:
        return 0 if all(result[1] for result in run_in_order(names)) else 1
    started = time.monotonic()
    if args.jobs > 1 and len(lanes_of(names)) > 1:
        if OFFLINE and any(name.startswith('integration') for name in names):
            collection_tree.write_ssh_key()  # several integration runs (lanes, parts) would make it at once in a new HOME
        results = run_in_lanes(names, args.jobs)
    else:
        in_order = []
        for name in names:
            in_order += [step for step in (NEEDS.get(name), name) if step and step not in in_order]
        results = run_in_order(in_order)
    rows = (setup_rows(args.setup_seconds) if args.setup_seconds else []) + results
    # Wall clock depends on what else the machine runs; CPU time (user + system, of the step's processes)
    # much less: compare runs by both.
    print('\n==== summary ====\n%-18s %-4s %7s %7s  %s' % ('step', '', 'wall', 'cpu', 'lane'))
    for name, ok, seconds, cpu in rows:
        lane = STEP_LANE.get(name, 'tools' if name in STEPS else '')
        print('%-18s %-4s %6.1fs %7s  %s' % (name, 'PASS' if ok else 'FAIL', seconds, '' if cpu is None else '%.1fs' % cpu, lane))
    print('%-18s %-4s %6.1fs %6.1fs  wall clock of the steps, up to %d lanes at once; cpu of all steps'
          % ('all steps', 'PASS' if all(row[1] for row in rows) else 'FAIL', time.monotonic() - started,
             sum(row[3] for row in rows if row[3] is not None), args.jobs))
    return 0 if all(result[1] for result in results) else 1


if __name__ == '__main__':
    sys.exit(main())
