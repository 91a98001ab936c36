"""Row 2: the role against the same job written with ansible.builtin.uri (bench/playbooks/uri_converge.yml).

Both converge the same N small archives: from an empty server ("create": POST + upload of each), and
with nothing to do ("no-op"). The no-op runs of the two ways alternate (ABBA) on one server state (the
uri way reads the local sizes with one `find`; a variant with a `stat` per file is shown for information); the
uri way's create costs two module runs per extension, so it runs once, the role's create twice. The
time of a way is its play's time (role: argument validation + extension_set + its report task; row 2a-module:
the extension_set task alone, as a playbook may call it).
"""

import os

from archives import extension_items, small_zips
from measure import median
from playbook import by_name, expect_changed, import_tasks, play, reset_play
from report import Row

STAT_REPS = 2  # the uri way with a stat per file, for information: it costs a module run per file
URI_VARS = {
    'bench_api': "{{ lookup('ansible.builtin.env', 'ECE_HOST') }}/api/v1",
    'bench_headers': {'Authorization': "ApiKey {{ lookup('ansible.builtin.env', 'ECE_API_KEY') }}"},
}


def check_converged(emulator, items):
    """The server holds exactly the items, each with the local archive's size (both ways must get there)."""
    held = {ext['name']: ext for ext in emulator.list()}
    for item in items:
        size = (held.get(item['name'], {}).get('file_metadata') or {}).get('size')
        if size != os.path.getsize(item['file']):
            raise RuntimeError('after the run, %s has archive size %s on the server, not %d'
                               % (item['name'], size, os.path.getsize(item['file'])))
    if len(held) != len(items):
        raise RuntimeError('after the run the server holds %d extensions, not %d' % (len(held), len(items)))


def run(ctx):
    count, reps = ctx.sizes.converge_items, ctx.sizes.converge_reps
    items = extension_items(small_zips(os.path.join(ctx.tmp, 'converge'), count, 'conv'), 'bench-conv')
    role = [{'role': 'ece.platform.extensions', 'vars': {'ece_extensions': items}}]
    # The module the role runs, as a playbook would call it directly (the issue allows "our module or role").
    module = [{'name': 'converge with extension_set', 'ece.platform.extension_set': {'extensions': items}}]
    uri_vars = dict(URI_VARS, bench_extensions=items)

    def uri(name, sizes_with='find'):
        return play(name, [import_tasks('uri_converge.yml')], play_vars=dict(uri_vars, bench_sizes_with=sizes_with))

    plays = [reset_play(), play('setup: warm up', roles=[{'role': 'ece.platform.extensions', 'vars': {'ece_extensions': items[:1]}}])]
    plays += [reset_play(), play('role-create#0', roles=role)]
    for rep in range(reps):
        trio = [uri('uri-noop#%d' % rep), play('role-noop#%d' % rep, roles=role), play('module-noop#%d' % rep, tasks=module)]
        plays += trio if rep % 2 == 0 else trio[::-1]
    plays += [uri('uri-stat-noop#%d' % rep, 'stat') for rep in range(STAT_REPS)]
    for rep in range(1, reps - 1):
        plays += [reset_play(), play('role-create#%d' % rep, roles=role)]
    plays += [reset_play(), uri('uri-create#0')]  # last, so that check_converged checks the uri way's work
    measured = by_name(ctx.runner.run(plays, 'converge-uri-vs-role'))
    check_converged(ctx.emulator, items)
    expect_changed(measured['role-create'] + measured['uri-create'], True, 'converge from nothing')
    expect_changed(measured['role-noop'] + measured['module-noop'] + measured['uri-noop'] + measured['uri-stat-noop'], False,
                   'converge with nothing to do')
    med = {kind: median(p['seconds'] for p in found) for kind, found in measured.items()}
    return dict(rows=[
        Row('2a', '%d extensions, no-op: uri way vs the role' % count, 'uri way', med['uri-noop'], 'role', med['role-noop'],
            op='>=', target=2.0, runs='median of %d each, alternating' % reps),
        Row('2a-module', '%d extensions, no-op: uri way vs the extension_set module alone' % count, 'uri way', med['uri-noop'],
            'extension_set', med['module-noop'], op='>=', target=2.0, runs='median of %d each, alternating' % reps),
        Row('2a-stat', '%d extensions, no-op: uri way with a stat per file vs the role' % count, 'uri+stat', med['uri-stat-noop'],
            'role', med['role-noop'], runs='uri+stat median of %d, role as in 2a' % STAT_REPS),
        Row('2b', '%d extensions, create + upload: uri way vs the role' % count, 'uri way', med['uri-create'], 'role',
            med['role-create'], op='>=', target=2.0, runs='uri way 1 run, role median of %d' % len(measured['role-create'])),
    ], raw={kind: [p['seconds'] for p in found] for kind, found in measured.items()})
