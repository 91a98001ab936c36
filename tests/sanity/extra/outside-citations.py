# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No shipped file sends its reader to a document outside the repository.

The project's design and research notes (CONTRACT.md, API.md, DEPLOYMENTS.md, FLEET.md, the trial and
review notes) live next to the repository, not in it: a user of the collection, or a maintainer of a
later fork, cannot read them. A comment states the fact itself and, where the fact is an assumption about
ECE, names its entry of the register tests/ece_behaviours.yml. Shipped means every file the collection
tarball holds: all but galaxy.yml's build_ignore (tests and tools may cite the notes they read).

Run from the collection root: `python tests/sanity/extra/outside-citations.py` (the suite's step
extra-checks); prints one line per citation and exits 1 when there is any.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys

import yaml

CITATION = re.compile(r'\b(?:CONTRACT|API|DEPLOYMENTS|FLEET|STYLE|TOOLING|TRIAL-[0-9.]+|REVIEW-[0-9.]+)\.md\b'
                      r'|\bresearch notes?\b|\bTRIAL [A-Z]\d+\b', re.IGNORECASE)
FIX = ('state the fact itself, and for an assumption about ECE name its entry of tests/ece_behaviours.yml '
       '(register: <id>)')


def ignored(root):
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        return list(yaml.safe_load(handle).get('build_ignore') or [])


def shipped_files(root):
    """Relative paths of the files the tarball holds, by galaxy.yml's build_ignore (matched as ansible-galaxy does)."""
    patterns = ignored(root)
    for directory, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(directory, root)
        dirs[:] = sorted(d for d in dirs
                         if not any(fnmatch.fnmatch(os.path.normpath(os.path.join(rel_dir, d)), p) for p in patterns))
        for name in sorted(files):
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if not any(fnmatch.fnmatch(rel, p) for p in patterns):
                yield rel


def problems(root):
    found = []
    for rel in shipped_files(root):
        try:
            with open(os.path.join(root, rel), encoding='utf-8') as handle:
                lines = handle.read().splitlines()
        except (UnicodeDecodeError, OSError):
            continue  # not text: nothing a reader follows
        for number, line in enumerate(lines, 1):
            for match in CITATION.finditer(line):
                found.append('%s:%d: cites %r, which is not in the repository: %s.' % (rel, number, match.group(0), FIX))
    return found


def main():
    found = problems(sys.argv[1] if len(sys.argv) > 1 else '.')
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
