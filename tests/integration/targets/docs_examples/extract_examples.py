"""The YAML examples of the collection's guide (docs/docsite/rst/*.rst), each classified.

Every `.. code-block:: yaml` or `yaml+jinja` block is one example. It is runnable as

- `tasks`: a task list (run in a play on localhost that gives the connection),
- `plays`: a whole playbook (run as is),
- `inventory`: an inventory source of ece.platform.deployments (run with ansible-inventory --graph),
- `rollout_vars`: variables of the playbook ece.platform.rollout (run with it, -e @file),

or named in NOT_RUN with the reason it is not run. A block that is none of these makes the extraction fail,
so a new example cannot slip into the guide untested: run it, or say here why not.

    python extract_examples.py DOCS_DIR     prints each block: file, line, kind, first line
"""

import os
import re
import sys
import textwrap

import yaml

DIRECTIVE = re.compile(r'^(?P<indent>\s*)\.\. code-block::\s*(?P<language>\S+)\s*$')
YAML_LANGUAGES = ('yaml', 'yaml+jinja')

# Blocks deliberately not run, by (rst file, first line of the block): the reason says why.
NOT_RUN = {
    ('guide.rst', 'file: "{{ playbook_dir }}/files/analysis-custom-8.15.1.zip"'):
        'a fragment: one option of a task, shown for the path it builds (the task examples use the same file)',
    ('guide.rst', 'changed: false'):
        'a result sample: what a failed task returns, not something to run',
}


class UnclassifiedBlock(Exception):
    pass


def blocks(path):
    """(line number of the directive, language, dedented text) of each code block of an rst file."""
    lines = open(path, encoding='utf-8').read().split('\n')
    found = []
    for number, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match:
            continue
        indent = len(match.group('indent'))
        body = []
        for following in lines[number + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        found.append((number + 1, match.group('language'), textwrap.dedent('\n'.join(body)).strip('\n') + '\n'))
    return found


def first_line(text):
    return next(line.strip() for line in text.split('\n') if line.strip())


def is_task(item):
    """A task: a dict with a module (a dotted key) or a block, and no play keyword."""
    return isinstance(item, dict) and 'hosts' not in item and (
        'block' in item or any('.' in key for key in item))


def kind_of(text):
    """The kind of a YAML example (see the module's docstring), or None."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if isinstance(data, list) and data:
        if all(isinstance(item, dict) and 'hosts' in item for item in data):
            return 'plays'
        if all(is_task(item) for item in data):
            return 'tasks'
        return None
    if isinstance(data, dict):
        if data.get('plugin') == 'ece.platform.deployments':
            return 'inventory'
        if any(key.startswith('ece_rollout_') for key in data) and all(key.startswith('ece_') for key in data):
            return 'rollout_vars'
    return None


def examples(docs_dir, order):
    """Every YAML block of the rst files in `order` (file names without .rst), in document order, as dicts
    {file, line, first_line, text, kind, reason}; kind 'not_run' with the reason for the blocks of NOT_RUN.
    Raises UnclassifiedBlock naming every block that is neither runnable nor in NOT_RUN."""
    result, unclassified, unused = [], [], set(NOT_RUN)
    names = [name + '.rst' for name in order]
    names += sorted(name for name in os.listdir(docs_dir) if name.endswith('.rst') and name not in names)
    for name in names:
        for line, language, text in blocks(os.path.join(docs_dir, name)):
            if language not in YAML_LANGUAGES:
                continue
            key = (name, first_line(text))
            entry = dict(file=name, line=line, first_line=key[1], text=text, kind=kind_of(text), reason=None)
            if key in NOT_RUN:
                unused.discard(key)
                entry.update(kind='not_run', reason=NOT_RUN[key])
            elif entry['kind'] is None:
                unclassified.append('%s:%d (%s)' % (name, line, key[1]))
            result.append(entry)
    problems = []
    if unclassified:
        problems.append('YAML examples that are neither a task list, a playbook, an inventory source nor rollout variables, '
                        'and not in NOT_RUN of extract_examples.py: %s. Make them runnable or add them to NOT_RUN with the '
                        'reason.' % '; '.join(unclassified))
    if unused:
        problems.append('NOT_RUN names blocks the guide no longer has: %s' % sorted(unused))
    if problems:
        raise UnclassifiedBlock(' '.join(problems))
    return result


def docs_order(docs_root):
    """The chapters in the order of docs/docsite/extra-docs.yml."""
    with open(os.path.join(docs_root, 'extra-docs.yml'), encoding='utf-8') as handle:
        sections = yaml.safe_load(handle)['sections']
    return [name for section in sections for name in section['toctree']]


def main(argv):
    docs_root = argv[0]
    try:
        found = examples(os.path.join(docs_root, 'rst'), docs_order(docs_root))
    except UnclassifiedBlock as error:
        raise SystemExit('FAILED: %s' % error) from None
    for entry in found:
        reason = ' (%s)' % entry['reason'] if entry['reason'] else ''
        print('%s:%d %-12s %s%s' % (entry['file'], entry['line'], entry['kind'], entry['first_line'], reason))


if __name__ == '__main__':
    main(sys.argv[1:])
