"""Prepare what ansible-test needs on a machine without Docker or outside network.

ansible-test insists on a physical `ansible_collections/<ns>/<name>` directory (a symlink is
rejected), so the files git knows about are copied into such a tree in the temp directory.
Its sanity venvs start from a pip bootstrap script it downloads from a host this machine cannot reach;
it first looks for a cached copy, so a small stand-in is written there.
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
"""Stand-in for ansible-test's get-pip download, written by tools/collection_tree.py.

Installs the requested pip into this (pip-less) venv from a wheel kept next to this file, run straight
from the wheel as get-pip does. The wheel is downloaded once and then serves every venv that asks for
that pip version, of every ansible-core version: no ensurepip and no second pip install per venv.
"""
import glob
import os
import subprocess
import sys
import tempfile

version = [arg for arg in sys.argv[1:] if arg.startswith('pip==')][0][len('pip=='):]
cache = os.path.dirname(os.path.abspath(__file__))
wheel = os.path.join(cache, 'pip-%s-py3-none-any.whl' % version)
quiet = ['--quiet', '--disable-pip-version-check']
if not os.path.exists(wheel):
    import ensurepip  # only for the path of its bundled pip wheel, which can download the wanted one
    bundled = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))[-1]
    download = tempfile.mkdtemp(dir=cache)
    subprocess.check_call([sys.executable, os.path.join(bundled, 'pip'), 'download'] + quiet
                          + ['--no-deps', '--dest', download, 'pip==' + version])
    os.replace(os.path.join(download, os.path.basename(wheel)), wheel)  # another lane may do the same
    os.rmdir(download)
# --no-compile: Python compiles what pip imports when it runs; the rest of pip is never byte-compiled.
subprocess.check_call([sys.executable, os.path.join(wheel, 'pip'), 'install'] + quiet
                      + ['--no-index', '--no-deps', '--no-compile', wheel])
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


def write_ssh_key():
    """Make the SSH key pair that ansible-test makes on its first integration run in a HOME, unless it exists.

    The suite runs two integration steps at once; in a new HOME (a fresh CI machine) both ansible-tests
    would make the pair, and the second fails ("id_rsa already exists"). So the suite makes it once
    before its lanes start, the way ansible-test does (PEM, and the header paramiko reads).
    """
    base = os.path.expanduser('~/.ansible/test')
    key, pub = os.path.join(base, 'id_rsa'), os.path.join(base, 'id_rsa.pub')
    if os.path.isfile(key) and os.path.isfile(pub):
        return key
    os.makedirs(base, exist_ok=True)
    for path in (key, pub):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    subprocess.run(['ssh-keygen', '-m', 'PEM', '-q', '-t', 'rsa', '-N', '', '-f', key], check=True)
    with open(key, encoding='utf-8') as handle:
        text = re.sub(r'(BEGIN|END) PRIVATE KEY', r'\1 RSA PRIVATE KEY', handle.read())
    with open(key, 'w', encoding='utf-8') as handle:
        handle.write(text)
    return key


if __name__ == '__main__':
    print(sync_tree())
    print(write_pip_bootstrap())
