"""The `package` step of `make test`: what users install must work on its own.

Builds the collection tarball, checks its member list against an allowlist of what users need,
installs it into an empty collections path, reads every module's docs with ansible-doc, runs a
playbook against the emulator with only the installed copy on the collections path (never the
source tree), and checks that ansible-builder finds the execution-environment dependencies and
makes a build context unedited.
"""

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

import emulator_process

REPO = emulator_process.REPO
BIN = os.path.dirname(sys.executable)
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, 'plugins', 'modules')) if name.endswith('.py'))
MUST_HOLD = ['MANIFEST.json', 'FILES.json', 'README.md', 'CHANGELOG.md', 'meta/runtime.yml', 'meta/execution-environment.yml',
             'requirements.txt', 'bindep.txt', 'roles/extensions/meta/argument_specs.yml']
# Every file users may get, by pattern: a file that matches none of them (a new development file that
# galaxy.yml's build_ignore forgot) fails the check. Plugin and role patterns admit new files of their kind.
ALLOWED_FILES = [re.compile(pattern + r'\Z') for pattern in (
    r'(MANIFEST|FILES)\.json',
    r'(README|CHANGELOG)\.md',
    r'COPYING',
    r'requirements\.txt',              # the modules' Python packages (read by ansible-builder)
    r'bindep\.txt',                    # their system packages
    r'meta/(runtime|execution-environment)\.yml',
    r'changelogs/changelog\.yaml',     # the machine-readable changelog that Ansible's docs site reads
    r'docs/docsite/(extra-docs|links)\.yml',
    r'docs/docsite/rst/[\w-]+\.rst',
    r'plugins/(action|doc_fragments|filter|inventory|lookup|module_utils|modules|plugin_utils|test)/([\w]+/)*\w+\.py',
    r'playbooks/([\w-]+/)*[\w-]+\.yml',   # ece.platform.rollout and the task files it includes
    r'roles/\w+/(defaults|vars|tasks|handlers|meta)/[\w-]+\.yml',
    r'roles/\w+/(files|templates)/.+',
    r'roles/\w+/README\.md',
)]


def unexpected_members(members):
    """Names in the tarball outside the allowlist: files that match no pattern, links, and directories
    that hold no allowed file (an empty development directory)."""
    files = {member.name for member in members if member.isfile() and any(p.match(member.name) for p in ALLOWED_FILES)}
    stray = []
    for member in members:
        if member.isfile():
            allowed = member.name in files
        elif member.isdir():
            allowed = any(name.startswith(member.name.rstrip('/') + '/') for name in files)
        else:
            allowed = False
        if not allowed:
            stray.append(member.name)
    return stray


PLAYBOOK = '''
- name: Use the installed collection
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/ece.platform.ece:
      host: "{{ host }}"
  tasks:
    - name: Create a bundle from a directory
      ece.platform.extension:
        name: packaged
        extension_type: bundle
        version: "*"
        file: "{{ bundle_dir }}"
      register: created
    - name: Read it back
      ece.platform.extension_info:
        name: packaged
      register: found
    - name: Converge the same state through the role
      ansible.builtin.include_role:
        name: ece.platform.extensions
      vars:
        ece_extensions:
          - {name: packaged, extension_type: bundle, version: "*", file: "{{ bundle_dir }}"}
    - name: Check what happened
      ansible.builtin.assert:
        that:
          - created.changed
          - found.extensions | length == 1
          - not ece_extensions_result.changed
'''


EE_DEFINITION = """---
version: 3
images:
  base_image:
    name: quay.io/ansible/awx-ee:latest
dependencies:
  galaxy:
    collections:
      - name: %s
        type: file
"""


def check_execution_environment(tarball, installed, tmp):
    """ansible-builder reads meta/execution-environment.yml of the installed copy, and creates a context from the tarball."""
    ok, out = run([os.path.join(BIN, 'ansible-builder'), 'introspect', '--sanitize', installed], capture=True)
    wanted = ('requests>=', 'requests-toolbelt>=', 'ca-certificates')
    results = [check(ok and all(item in out for item in wanted), 'ansible-builder introspect lists %s' % ', '.join(wanted))]
    definition = os.path.join(tmp, 'execution-environment.yml')
    with open(definition, 'w', encoding='utf-8') as handle:
        handle.write(EE_DEFINITION % tarball)
    context = os.path.join(tmp, 'ee-context')
    ok, _out = run([os.path.join(BIN, 'ansible-builder'), 'create', '-f', definition, '-c', context], capture=True)
    results.append(check(ok and os.path.isfile(os.path.join(context, 'Dockerfile')), 'ansible-builder create makes a build context'))
    return results


def check(ok, what):
    print(('ok    ' if ok else 'FAIL  ') + what, flush=True)
    return ok


def run(cmd, env=None, capture=False):
    result = subprocess.run(cmd, env=env, check=False, capture_output=capture, text=True)
    return result.returncode == 0, (result.stdout if capture else '')


def main():
    results = []
    with tempfile.TemporaryDirectory(prefix='ece-package-') as tmp:
        ok, _out = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', REPO, '--output-path', tmp])
        if not check(ok, 'ansible-galaxy collection build'):
            return 1
        tarball = [os.path.join(tmp, name) for name in os.listdir(tmp) if name.endswith('.tar.gz')][0]
        with tarfile.open(tarball) as archive:
            members = archive.getmembers()
        names = [member.name for member in members]
        results.append(check(all(name in names for name in MUST_HOLD), 'the tarball holds %s' % ', '.join(MUST_HOLD)))
        stray = unexpected_members(members)
        results.append(check(not stray, 'the tarball holds only the allowlist (%d members)%s'
                             % (len(names), ': unexpected ' + ', '.join(stray) if stray else '')))

        installed = os.path.join(tmp, 'installed')
        ok, _out = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', tarball, '-p', installed])
        results.append(check(ok, 'ansible-galaxy collection install into an empty path'))
        results.extend(check_execution_environment(tarball, installed, tmp))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=installed, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        for module in MODULES:
            ok, out = run([os.path.join(BIN, 'ansible-doc'), '--json', 'ece.platform.' + module], env=env, capture=True)
            doc = json.loads(out).get('ece.platform.' + module, {}) if ok else {}
            where = doc.get('doc', {}).get('filename', '')
            results.append(check(ok and where.startswith(installed), 'ansible-doc ece.platform.%s reads the installed copy' % module))

        bundle = os.path.join(tmp, 'bundle', 'dictionaries')
        os.makedirs(bundle)
        with open(os.path.join(bundle, 'synonyms.txt'), 'w', encoding='utf-8') as handle:
            handle.write('laptop, notebook\n')
        playbook = os.path.join(tmp, 'installed-copy.yml')
        with open(playbook, 'w', encoding='utf-8') as handle:
            handle.write(PLAYBOOK)
        api_key = os.urandom(12).hex()
        with emulator_process.emulator(api_key=api_key) as host:
            extra = json.dumps({'host': host, 'bundle_dir': os.path.dirname(bundle), 'ansible_python_interpreter': sys.executable})
            ok, _out = run([os.path.join(BIN, 'ansible-playbook'), playbook, '-e', extra], env=dict(env, ECE_API_KEY=api_key))
        results.append(check(ok, 'a playbook with module, info module and role runs from the installed copy'))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
