"""`make test`: run every check of the project, print each step's result, fail when any step fails.

Steps (all offline, no Docker): the emulator's own tests, ansible-test sanity and units on the newest
(2.21, Python 3.12) and the oldest (2.19, Python 3.11) supported ansible-core, integration on the newest
(against a freshly started emulator), the packaging check (build, install, use the installed copy),
antsibull-docs lint-collection-docs, and ansible-lint with the production profile.
`make test STEPS=units,integration` runs a subset; ECE_IT_TARGETS="target ..." limits the integration targets.
"""

import argparse
import collections
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time

import collection_tree
import emulator_process
import secret_scan

REPO = collection_tree.REPO
VENV_BIN = os.path.dirname(sys.executable)
PYTHON_VERSION = '%d.%d' % sys.version_info[:2]
# The oldest supported ansible-core and its Python (see README, support matrix): made by `make venv-oldest`.
OLDEST_VENV_BIN = os.path.join(REPO, '.venv-2.19', 'bin')
OLDEST_PYTHON_VERSION = '3.11'
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
    `--venv` work where ansible-test's download host cannot be reached (tools/collection_tree.py).
    """
    tree = collection_tree.sync_tree()
    for rel, text in (extra_files or {}).items():
        with open(os.path.join(tree, rel), 'w', encoding='utf-8') as handle:
            handle.write(text)
    collection_tree.write_pip_bootstrap(os.path.join(venv_bin, 'python'))
    return run(['ansible-test'] + list(args) + ['--venv', '--python', python_version, '--color', 'no'],
               cwd=tree, venv_bin=venv_bin, log_path=log_path)


def step_emulator():
    return run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/emulator'])


def step_sanity():
    return ansible_test('sanity')


def step_units():
    return ansible_test('units')


def step_sanity_oldest():
    return ansible_test('sanity', venv_bin=OLDEST_VENV_BIN, python_version=OLDEST_PYTHON_VERSION)


def step_units_oldest():
    return ansible_test('units', venv_bin=OLDEST_VENV_BIN, python_version=OLDEST_PYTHON_VERSION)


def integration_config(host, api_key, username, password, ca_path, archive_dir, archive_url):
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
    return '\n'.join(lines) + '\n'


def step_integration():
    """All targets against a fresh emulator, at -vvvv; then no credential may appear in anything the run left."""
    api_key, password = secrets.token_hex(16), secrets.token_hex(12)
    username = 'admin'
    with tempfile.TemporaryDirectory(prefix='ece-it-') as tmp:
        tls_dir, archive_dir = os.path.join(tmp, 'tls'), os.path.join(tmp, 'archives')
        os.makedirs(archive_dir)
        log_path = os.path.join(collection_tree.TREE_ROOT, 'integration.log')
        with emulator_process.emulator(api_key=api_key, username=username, password=password, tls_dir=tls_dir) as host, \
                emulator_process.file_server(archive_dir) as archive_url:
            config = integration_config(host, api_key, username, password, os.path.join(tls_dir, 'ca.pem'), archive_dir, archive_url)
            ok = ansible_test('integration', '-vvvv', *os.environ.get('ECE_IT_TARGETS', '').split(),
                              extra_files={'tests/integration/integration_config.yml': config}, log_path=log_path)
        output_dir = os.path.join(collection_tree.COLLECTION_DIR, 'tests', 'output')
        leaks = secret_scan.find_secrets(secret_scan.secret_forms(api_key, username, password),
                                         [log_path] + [p for p in secret_scan.files_under(output_dir)
                                                       if not p.endswith('integration_config.yml')])
        for what, path in leaks:
            print('LEAK: the %s appears in %s' % (what, path))
        print('%s the -vvvv output (%s) and tests/output hold no credential' % ('ok  ' if not leaks else 'FAIL', log_path))
        return ok and not leaks


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
    'sanity-2.19': step_sanity_oldest,
    'units-2.19': step_units_oldest,
    'integration': step_integration,
    'package': step_package,
    'docs': step_docs,
    'lint': step_lint,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--steps', default=','.join(STEPS), help='comma-separated subset of: ' + ', '.join(STEPS))
    names = [name for name in parser.parse_args().steps.split(',') if name]
    unknown = [name for name in names if name not in STEPS]
    if unknown:
        parser.error('unknown steps: %s' % ', '.join(unknown))
    results = []
    for name in names:
        print('\n==== %s ====' % name, flush=True)
        started = time.monotonic()
        ok = STEPS[name]()
        results.append((name, ok, time.monotonic() - started))
    print('\n==== summary ====')
    for name, ok, seconds in results:
        print('%-12s %-4s %6.1fs' % (name, 'PASS' if ok else 'FAIL', seconds))
    return 0 if all(ok for _name, ok, _seconds in results) else 1


if __name__ == '__main__':
    sys.exit(main())
