"""Lint and build the documentation of the collection with antsibull-docs and Sphinx.

    python tools/docs.py lint    # antsibull-docs lint-collection-docs: module, role and extra docs
    python tools/docs.py build   # the HTML site in docs/_build/html; prints the path of its index.html

Neither command installs anything: run `pip install -r requirements-docs.txt` first (`make docs` does).
Both work offline. The collection is documented from this checkout, through the collections path of
tools/collection_tree.py (ansible_collections/ece/platform -> the repository). The Sphinx sources are
generated into .cache/docs-src on every build; the guides are written in docs/docsite/.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
import zlib

import yaml  # PyYAML comes with ansible-core

import collection_tree

REPO = collection_tree.REPO
VENV_BIN = os.path.dirname(sys.executable)
COLLECTION = 'ece.platform'
SOURCE_DIR = os.path.join(REPO, '.cache', 'docs-src')
HTML_DIR = os.path.join(REPO, 'docs', '_build', 'html')

# References from the generated pages and the guides into docs.ansible.com. Sphinx resolves them through
# this small inventory, written here, instead of downloading the whole objects.inv of the Ansible docs:
# the build must work offline. A reference to a label missing here fails the build (nitpicky, -W).
ANSIBLE_DOCS_URL = 'https://docs.ansible.com/projects/ansible/devel/'
ANSIBLE_LABELS = [
    # (label, page#anchor, title)
    ('common_return_values', 'reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    ('ansible_configuration_settings', 'reference_appendices/config.html#ansible-configuration-settings',
     'Ansible Configuration Settings'),
    ('module_defaults', 'playbook_guide/playbooks_module_defaults.html#module-defaults', 'Module defaults'),
    ('module_defaults_groups', 'playbook_guide/playbooks_module_defaults.html#module-defaults-groups', 'Module defaults groups'),
    ('check_mode_dry', 'playbook_guide/playbooks_checkmode.html#check-mode-dry', 'Validating tasks: check mode and diff mode'),
    ('diff_mode', 'playbook_guide/playbooks_checkmode.html#diff-mode', 'Using diff mode'),
    ('vault', 'vault_guide/vault.html#vault', 'Ansible Vault'),
]

ANTSIBULL_CONFIG = '''\
# Written by tools/docs.py.
breadcrumbs = true
indexes = true
use_html_blobs = false
add_antsibull_docs_version = false
collection_url = {
  * = "https://galaxy.ansible.com/ui/repo/published/{namespace}/{name}/"
}
collection_install = {
  * = "ansible-galaxy collection install {namespace}.{name}"
}
'''

SPHINX_CONFIG = '''\
# Written by tools/docs.py for one build of the ece.platform documentation: edit that file, not this one.
project = 'ece.platform'
copyright = 'ece.platform contributors'
version = release = {version!r}
html_title = 'ece.platform {version} documentation'
html_short_title = 'ece.platform'

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext']
pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_theme_options = {{
    'show_extranav': False,
    'show_rtd_ethical_ads': False,
    'collapse_navigation': False,
    'navigation_depth': 3,
    # The theme's defaults point these at the Ansible project; here they lead to this collection.
    'documentation_home_url': {repository!r},
    'topbar_links': {{
        'Repository': {repository!r},
        'Issues': {issues!r},
        'Ansible documentation': 'https://docs.ansible.com/',
    }},
}}
html_show_sphinx = False
html_show_sourcelink = False
html_copy_source = False
html_use_index = False
html_domain_indices = False

intersphinx_mapping = {{
    'ansible_devel': ({ansible_docs_url!r}, {inventory!r}),
}}
default_role = 'any'
nitpicky = True
'''

ROOT_INDEX = '''\
.. _docsite_root_index:

{title}
{underline}

Ansible content that manages the deployment extensions (custom Elasticsearch plugins and bundles) of
Elastic Cloud Enterprise (ECE) and Elastic Cloud through their REST API: find an extension, change only
what differs, upload a local archive only when its content changed, delete on request. Every module
supports check mode and diff mode.

* :ref:`plugins_in_ece.platform`: the modules, the role and the guides.
* :ref:`ansible_collections.ece.platform.docsite.guide`: ECE or Elastic Cloud, ``module_defaults`` and
  environment variables, when an archive is uploaded, and what happens when something fails.

.. toctree::
   :maxdepth: 2
   :caption: Collection

   collections/ece/platform/index

.. toctree::
   :maxdepth: 1
   :caption: Indexes
   :glob:

   collections/index_*
'''


def tool_env():
    """The environment for the tools: this venv first on PATH, and the collection found in this checkout."""
    env = dict(os.environ, PATH=VENV_BIN + os.pathsep + os.environ.get('PATH', ''),
               ANSIBLE_COLLECTIONS_PATH=collection_tree.source_collections_path(),
               ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false')
    return env


def antsibull_docs():
    """The antsibull-docs command of this venv; exits with a hint when requirements-docs.txt is not installed."""
    path = shutil.which('antsibull-docs', path=VENV_BIN)
    if path is None:
        sys.exit('antsibull-docs is not installed in %s: run `%s -m pip install -r requirements-docs.txt` first.'
                 % (os.path.dirname(VENV_BIN), sys.executable))
    return path


def run(cmd, cwd=REPO, shown=None):
    print('$ ' + ' '.join(shown or cmd), flush=True)
    return subprocess.run(cmd, cwd=cwd, env=tool_env(), check=False).returncode


def collection_dir():
    return os.path.join(collection_tree.source_collections_path(), 'ansible_collections', *COLLECTION.split('.'))


# antsibull-docs lints a temporary copy of the collection and puts the copy's path into each page's
# "Edit on GitHub" URL; docutils reads a directory name that ends in "_" (1 in 37 of tempfile's names)
# as a reference, and the lint fails at random with 'Unknown target name: "antsibull-docs-..."'.
# Temporary names without "_" avoid it.
LINT_LAUNCHER = """\
import sys, tempfile
tempfile._RandomNameSequence.characters = 'abcdefghijklmnopqrstuvwxyz0123456789'
from antsibull_docs.cli.antsibull_docs import main
sys.exit(main())
"""


def lint():
    """antsibull-docs' own checks of the module, role and extra docs, as the Ansible docsite applies them."""
    args = ['lint-collection-docs',
            '--plugin-docs',                  # render every module and role page and validate its markup
            '--check-extra-docs-refs',        # the references in docs/docsite/rst must resolve too
            '--validate-collection-refs', 'all',
            '--disallow-unknown-collection-refs',
            collection_dir()]
    return run([sys.executable, '-c', LINT_LAUNCHER] + args, shown=[antsibull_docs()] + args)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def write_inventory(path):
    """A Sphinx objects.inv (version 2) holding the ANSIBLE_LABELS."""
    lines = ''.join('%s std:label -1 %s %s\n' % (label, uri, title) for label, uri, title in ANSIBLE_LABELS)
    header = b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n'
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(header + zlib.compress(lines.encode('utf-8')))


def galaxy_info():
    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def build():
    """Generate the RST of the collection (plugins, role, extra docs) and build the HTML site from it."""
    command = antsibull_docs()
    galaxy = galaxy_info()
    version = str(galaxy['version'])
    title = 'ece.platform %s' % version
    # Everything under SOURCE_DIR is generated: start from nothing, so no page of an older build survives.
    shutil.rmtree(SOURCE_DIR, ignore_errors=True)
    rst_dir = os.path.join(SOURCE_DIR, 'rst')
    os.makedirs(rst_dir)
    os.chmod(SOURCE_DIR, 0o755)
    os.chmod(rst_dir, 0o755)  # antsibull-docs refuses a destination that others may write to
    config = os.path.join(SOURCE_DIR, 'antsibull-docs.cfg')
    inventory = os.path.join(SOURCE_DIR, 'ansible_devel.inv')
    write(config, ANTSIBULL_CONFIG)
    write_inventory(inventory)
    write(os.path.join(SOURCE_DIR, 'conf.py'),
          SPHINX_CONFIG.format(version=version, repository=galaxy['repository'], issues=galaxy['issues'],
                               ansible_docs_url=ANSIBLE_DOCS_URL, inventory=inventory))
    rc = run([command, '--config-file', config, 'collection', '--use-current', '--fail-on-error',
              '--dest-dir', rst_dir, COLLECTION])
    if rc != 0:
        return rc
    # antsibull-docs indexes only the environment variables that plugins declare in their docs; a module
    # cannot, so that page would say "no environment variables" next to modules that read nine of them.
    # The guide has their table instead.
    os.remove(os.path.join(rst_dir, 'collections', 'environment_variables.rst'))
    write(os.path.join(rst_dir, 'index.rst'), ROOT_INDEX.format(title=title, underline='=' * len(title)))
    shutil.rmtree(HTML_DIR, ignore_errors=True)
    rc = run([sys.executable, '-m', 'sphinx', '-b', 'html', '-W', '--keep-going', '-q',
              '-c', SOURCE_DIR, '-d', os.path.join(SOURCE_DIR, 'doctrees'), rst_dir, HTML_DIR])
    if rc != 0:
        return rc
    print(os.path.join(HTML_DIR, 'index.html'))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('command', choices=['lint', 'build'])
    command = parser.parse_args().command
    started = time.monotonic()
    rc = lint() if command == 'lint' else build()
    print('docs %s: %s in %.1fs' % (command, 'ok' if rc == 0 else 'FAILED (exit code %d)' % rc, time.monotonic() - started),
          file=sys.stderr)
    return rc


if __name__ == '__main__':
    sys.exit(main())
