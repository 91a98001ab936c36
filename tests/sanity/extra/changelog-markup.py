# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changelog fragments use one markup: RST double backticks (``name``), what antsibull-changelog expects.

antsibull-changelog copies fragment text into CHANGELOG.md: Ansible's doc macros (O(...), C(...), ...)
then show as escaped raw text, and single backticks as RST's "interpreted text". Each such use fails
here with its file and the fix.

Run from the collection root: `python tests/sanity/extra/changelog-markup.py` (the suite's step
extra-checks); prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import os
import re
import sys

import yaml

MACRO = re.compile(r'\b(?:O|V|C|M|E|RV|P|I|B|U|L)\([^)]*\)')
SINGLE_BACKTICK = re.compile(r'(?<!`)`(?!`)[^`]+(?<!`)`(?!`)')


def texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)


def problems(root):
    directory = os.path.join(root, 'changelogs', 'fragments')
    found = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if not name.endswith(('.yml', '.yaml')):
            continue
        with open(os.path.join(directory, name), encoding='utf-8') as handle:
            fragment = yaml.safe_load(handle) or {}
        for text in texts(fragment):
            for match in MACRO.finditer(text):
                found.append('changelogs/fragments/%s: %s is Ansible doc markup; write ``%s`` instead.'
                             % (name, match.group(0), match.group(0)[match.group(0).index('(') + 1:-1]))
            for match in SINGLE_BACKTICK.finditer(text):
                found.append('changelogs/fragments/%s: %s has single backticks; write ``%s`` instead.'
                             % (name, match.group(0), match.group(0).strip('`')))
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
    found = problems(root)
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
