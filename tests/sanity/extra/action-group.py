# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module is in the action group `ece` of meta/runtime.yml, says so in its docs, and has its action plugin.

`module_defaults: group/ece.platform.ece` sets the connection once for every module, but only for the
modules the group lists; the docs' attribute action_group tells users which those are; and the action
plugin (plugins/action/<module>.py, a subclass of EceModuleAction) is what runs the module in-process on
the controller. A new module that misses any of the three fails here, naming the fix.

Run from the collection root: `python tests/sanity/extra/action-group.py` (the suite's step extra-checks);
prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import ast
import os
import sys

import yaml

GROUP = 'ece'
MEMBERSHIP = 'ece.platform.ece'
FRAGMENT_PREFIX = 'ece.platform.'


def module_names(root):
    return sorted(name[:-3] for name in os.listdir(os.path.join(root, 'plugins', 'modules'))
                  if name.endswith('.py') and not name.startswith('_'))


def string_constant(path, name):
    """The string assigned to `name` in the Python file `path` (at module level or in a class), without importing it."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def fragment_attributes(root, fragment):
    """The attributes a doc fragment of this collection declares ({} for fragments of other collections)."""
    if not fragment.startswith(FRAGMENT_PREFIX):
        return {}
    name, _dot, variable = fragment[len(FRAGMENT_PREFIX):].partition('.')
    text = string_constant(os.path.join(root, 'plugins', 'doc_fragments', name + '.py'), (variable or 'DOCUMENTATION').upper())
    return (yaml.safe_load(text or '') or {}).get('attributes') or {}


def documented_membership(root, module):
    """The action groups the module's docs (with their fragments) declare, or None without attribute action_group."""
    docs = yaml.safe_load(string_constant(os.path.join(root, 'plugins', 'modules', module + '.py'), 'DOCUMENTATION') or '') or {}
    attributes = {}
    for fragment in docs.get('extends_documentation_fragment') or []:
        attributes.update(fragment_attributes(root, fragment))
    for key, value in (docs.get('attributes') or {}).items():
        attributes[key] = dict(attributes.get(key) or {}, **(value or {}))
    group = attributes.get('action_group')
    if not group:
        return None
    return list(group.get('membership') or []) if group.get('support') == 'full' else []


def has_action_plugin(root, module):
    path = os.path.join(root, 'plugins', 'action', module + '.py')
    if not os.path.isfile(path):
        return False
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    return any(isinstance(node, ast.ClassDef) and node.name == 'ActionModule'
               and any(isinstance(base, ast.Name) and base.id == 'EceModuleAction' for base in node.bases)
               for node in tree.body)


def problems(root):
    with open(os.path.join(root, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle) or {}
    listed = list(((runtime.get('action_groups') or {}).get(GROUP)) or [])
    found = []
    modules = module_names(root)
    for module in modules:
        if module not in listed:
            found.append('meta/runtime.yml: module %s is not in action_groups.%s; add it (sorted).' % (module, GROUP))
        membership = documented_membership(root, module)
        if membership is None:
            found.append('plugins/modules/%s.py: the docs declare no attribute action_group; add the doc fragment '
                         'ece.platform.attributes to extends_documentation_fragment.' % module)
        elif MEMBERSHIP not in membership:
            found.append('plugins/modules/%s.py: attribute action_group does not name %s (support: full).' % (module, MEMBERSHIP))
        if not has_action_plugin(root, module):
            found.append('plugins/action/%s.py: missing, or its ActionModule does not subclass EceModuleAction; copy '
                         'plugins/action/extension.py and change its docstring.' % module)
    for name in listed:
        if name not in modules:
            found.append('meta/runtime.yml: action_groups.%s lists %s, which is no module of the collection.' % (GROUP, name))
    if listed != sorted(listed):
        found.append('meta/runtime.yml: action_groups.%s is not sorted.' % GROUP)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
    found = problems(root)
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
