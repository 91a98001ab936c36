"""Checks the output of role_failure.yml: python check_role_failure.py LOG EXIT_CODE.

The run must fail, after the role printed its report (one line per extension, the failed item with
its reason, the unlisted one kept), and the recap must count the item that changed.
"""

import re
import sys

EXPECTED_LINES = [
    '"2 listed: 1 created, 1 FAILED; not listed: 1 kept because an item failed"',
    '"it-report-new: created"',
    '"it-report-twice: FAILED: 2 extensions are named it-report-twice',
    '"it-report-stray: kept (not listed, but not deleted because an item failed)"',
]


def main(log_path, code):
    with open(log_path, encoding='utf-8') as handle:
        output = handle.read()
    problems = []
    if code == 0:
        problems.append('the run succeeded although an item failed')
    report_at = output.find('Report per extension')
    fail_at = output.find('Fail when an extension could not be converged')
    if report_at < 0 or fail_at < report_at:
        problems.append('no report printed before the failing task')
    problems += ['report line missing: %s' % line for line in EXPECTED_LINES if line not in output]
    recap = re.search(r'^localhost +: ok=\d+ +changed=(\d+) .*failed=(\d+)', output, re.MULTILINE)
    if not recap:
        problems.append('no recap line for localhost')
    elif recap.group(1) != '1' or recap.group(2) != '1':
        problems.append('recap says changed=%s failed=%s, expected changed=1 failed=1' % recap.groups())
    if problems:
        print('role_failure.yml: ' + '; '.join(problems))
        print(output[-4000:])
        return 1
    print('role_failure.yml: report shown, run failed after it, recap counts the change')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
