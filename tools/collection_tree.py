"""Prepare what ansible-test needs on a machine without Docker or outside network.

ansible-test insists on a physical `ansible_collections/<ns>/<name>` directory (a symlink is
rejected), so the files git knows about are copied into such a tree in the temp directory.
Its `--venv` mode also downloads a pip bootstrap script from a host this machine cannot reach;
it first looks for a cached copy, so a small stand-in that uses `ensurepip` is written there.
"""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Outside the repository: inside it, ansible-test would ask git for the files and find the copy ignored.
# ECE_TEST_TREE lets two test runs of one checkout work side by side.
TREE_ROOT = os.environ.get('ECE_TEST_TREE') or os.path.join(tempfile.gettempdir(),
                                                            'ece-platform-test-' + hashlib.sha256(REPO.encode()).hexdigest()[:10])
COLLECTION_DIR = os.path.join(TREE_ROOT, 'ansible_collections', 'ece', 'platform')

PIP_BOOTSTRAP = '''\
"""Stand-in for ansible-test's get-pip download, written by tools/collection_tree.py."""
import subprocess
import sys

# In a child process: ensurepip sets PIP_CONFIG_FILE=/dev/null in its own environment, which would
# hide the machine's pip configuration (index, CA bundle) from the install below.
subprocess.check_call([sys.executable, '-m', 'ensurepip'])
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)
'''


def source_collections_path():
    """A collections root whose ansible_collections/ece/platform is a symlink to this checkout.

    Enough for ansible-playbook, ansible-doc and ansible-lint (only ansible-test wants a real directory).
    """
    root = os.path.join(REPO, '.cache', 'collections')
    link = os.path.join(root, 'ansible_collections', 'ece', 'platform')
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if not os.path.islink(link):
        with contextlib.suppress(FileExistsError):  # made by another lane of the suite meanwhile
            os.symlink(REPO, link)
    return root


def project_files():
    """Tracked files plus untracked ones that .gitignore does not exclude."""
    out = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                         cwd=REPO, check=True, capture_output=True).stdout
    return [name for name in out.decode().split('\0') if name and os.path.isfile(os.path.join(REPO, name))]


def sync_tree():
    """Copy the project into the ansible_collections tree, removing files that no longer exist."""
    wanted = set(project_files())
    if os.path.isdir(COLLECTION_DIR):
        for top, dirs, files in os.walk(COLLECTION_DIR):
            dirs[:] = [d for d in dirs if os.path.relpath(os.path.join(top, d), COLLECTION_DIR) != os.path.join('tests', 'output')]
            for name in files:
                rel = os.path.relpath(os.path.join(top, name), COLLECTION_DIR)
                if rel not in wanted:
                    os.unlink(os.path.join(top, name))
    for rel in sorted(wanted):
        target = os.path.join(COLLECTION_DIR, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(REPO, rel), target)
    return COLLECTION_DIR


def write_pip_bootstrap(python=sys.executable):
    """Place the stand-in under the name that the ansible-test of `python` asks for."""
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    for name in os.listdir(cache):
        if name.endswith('.download'):
            with contextlib.suppress(FileNotFoundError):  # another lane of the suite may be removing it too
                os.unlink(os.path.join(cache, name))
    source = subprocess.run([python, '-c', 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))'],
                            check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(source, '_internal', 'python_requirements.py'), encoding='utf-8') as handle:
        pip_versions = set(re.findall(r"pip='([0-9.]+)'", handle.read()))
    paths = []
    for version in sorted(pip_versions):
        path = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
        # Written aside and renamed: an ansible-test of another lane may be reading the file right now.
        with tempfile.NamedTemporaryFile('w', encoding='utf-8', dir=cache, suffix='.tmp', delete=False) as handle:
            handle.write(PIP_BOOTSTRAP)
        os.replace(handle.name, path)
        paths.append(path)
    return paths


if __name__ == '__main__':
    print(sync_tree())
    print(write_pip_bootstrap())
