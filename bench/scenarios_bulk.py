"""Row 3: the role (one extension_set run) against a loop of ece.platform.extension over the same list.

For every N: from an empty server ("new": create + upload each archive), then again ("unchanged": each
archive is the same size as the server's copy, so both compare SHA-256 of the stored copy and the file).
The loop runs at the smaller sizes only (it costs a module run per item); the role at all of them.
"""

import os

from archives import extension_items, small_zips
from measure import median
from playbook import by_name, expect_changed, play, reset_play
from report import Row

LOOP, ROLE = 'loop of extension', 'role (extension_set)'


def _loop_task(items):
    return [{'name': 'Converge %d extensions, one module run each' % len(items),
             'ece.platform.extension': {key: '{{ item.%s }}' % key for key in ('name', 'extension_type', 'version', 'file')},
             'loop': items, 'loop_control': {'label': '{{ item.name }}'}}]


def _role(items):
    return [{'role': 'ece.platform.extensions', 'vars': {'ece_extensions': items}}]


def run(ctx):
    sizes = ctx.sizes
    largest = max(sizes.loop_sizes + sizes.role_sizes)
    items = extension_items(small_zips(os.path.join(ctx.tmp, 'bulk'), largest, 'bulk'), 'bench-bulk')
    plays = [reset_play(), play('setup: warm up', _loop_task(items[:1]), roles=_role(items[1:2]))]
    for rep in range(sizes.role_reps):
        for n in sizes.role_sizes:
            plays += [reset_play(), play('role-new-%d#%d' % (n, rep), roles=_role(items[:n])),
                      play('role-unchanged-%d#%d' % (n, rep), roles=_role(items[:n]))]
    for n in sizes.loop_sizes:
        plays += [reset_play(), play('loop-new-%d#0' % n, _loop_task(items[:n])), play('loop-unchanged-%d#0' % n, _loop_task(items[:n]))]
    measured = by_name(ctx.runner.run(plays, 'bulk-role-vs-loop'))
    for kind, found in measured.items():
        expect_changed(found, '-new-' in kind, kind)
    med = {kind: median(p['seconds'] for p in found) for kind, found in measured.items()}
    series = {
        '%s, unchanged' % ROLE: {n: med['role-unchanged-%d' % n] for n in sizes.role_sizes},
        '%s, new' % ROLE: {n: med['role-new-%d' % n] for n in sizes.role_sizes},
        '%s, unchanged' % LOOP: {n: med['loop-unchanged-%d' % n] for n in sizes.loop_sizes},
        '%s, new' % LOOP: {n: med['loop-new-%d' % n] for n in sizes.loop_sizes},
    }
    rows = []
    for n in sorted(sizes.loop_sizes, reverse=True):
        big = n == max(sizes.loop_sizes)
        for state, letter, target in (('unchanged', 'a', 20.0), ('new', 'b', 5.0)):
            rows.append(Row('3%s%s' % (letter, '' if big else '-%d' % n), '%d extensions, %s: loop vs role' % (n, state),
                            'loop', med['loop-%s-%d' % (state, n)], 'role', med['role-%s-%d' % (state, n)],
                            op='>=' if big else None, target=target if big else None,
                            runs='loop 1 run, role median of %d' % sizes.role_reps))
    return dict(rows=rows, series=series, raw={kind: [p['seconds'] for p in found] for kind, found in measured.items()})
