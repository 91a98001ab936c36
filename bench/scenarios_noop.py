"""Row 1: the cost of one no-op loop item of ece.platform.extension, next to ansible.builtin.uri and ping.

The three loops run in one playbook, interleaved (extension, uri, ping, then ping, uri, extension, ...), each
over the same number of items. Per item = the play's time / N, for all three alike. The extension exists and is
unchanged (metadata only), so the module lists the extensions (GET /deployments/extensions) and sends
no write; the uri task GETs the same endpoint with the same API key.
"""

from measure import median
from playbook import by_name, expect_changed, play
from report import Row

NAME = 'bench-noop'
KINDS = ('extension', 'uri', 'ping')
PING_REPS = 2


def _tasks(kind, items):
    loop = '{{ range(%d) | list }}' % items
    if kind == 'extension':
        task = {'ece.platform.extension': {'name': NAME, 'extension_type': 'bundle', 'version': '8.*',
                                           'description': 'metadata only'}}
    elif kind == 'uri':
        task = {'ansible.builtin.uri': {
            'url': "{{ lookup('ansible.builtin.env', 'ECE_HOST') }}/api/v1/deployments/extensions",
            'headers': {'Authorization': "ApiKey {{ lookup('ansible.builtin.env', 'ECE_API_KEY') }}"}}}
    else:
        task = {'ansible.builtin.ping': {}}
    return [dict(task, name='%s, %d items' % (kind, items), loop=loop)]


def run(ctx):
    items, reps = ctx.sizes.noop_items, ctx.sizes.noop_reps
    ctx.emulator.reset()
    ctx.emulator.create(NAME, description='metadata only')
    plays = [play('setup: warm up', [t for kind in KINDS for t in _tasks(kind, 1)])]
    for rep in range(reps):
        order = KINDS if rep % 2 == 0 else tuple(reversed(KINDS))
        # ping is the floor, for information only: two loops of it are enough.
        plays += [play('%s#%d' % (kind, rep), _tasks(kind, items)) for kind in order if kind != 'ping' or rep < PING_REPS]
    measured = by_name(ctx.runner.run(plays, 'noop-per-item'))
    expect_changed(measured['extension'], False, 'no-op extension loop')
    per_item = {kind: [p['seconds'] / items for p in measured[kind]] for kind in KINDS}
    med = {kind: median(per_item[kind]) for kind in KINDS}
    runs = 'median of %d loops of %d items' % (reps, items)
    return dict(rows=[
        Row('1a', 'no-op loop item: extension (unchanged) vs uri GET, per item', 'extension', med['extension'],
            'uri', med['uri'], op='<=', target=1.1, runs=runs),
        Row('1b', 'no-op loop item: extension vs ping (the floor), per item', 'extension', med['extension'],
            'ping', med['ping'], runs='median of %d (ping: %d) loops of %d items' % (reps, min(reps, PING_REPS), items)),
    ], raw={'per_item': per_item})
