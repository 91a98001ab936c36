"""After concurrent runs: every entry of the cache parses and names its key, no temporary file is left behind."""

import json
import os
import sys

root = os.path.join(sys.argv[1], 'ece.platform', 'v1')
names = os.listdir(root)
leftovers = [name for name in names if not name.endswith('.json')]
broken = []
for name in names:
    if name.endswith('.json'):
        with open(os.path.join(root, name), encoding='utf-8') as handle:
            entry = json.load(handle)
        if not {'kind', 'key', 'value'} <= set(entry):
            broken.append(name)
if leftovers or broken or not names:
    sys.exit('cache directory %s: %d entries, left over %s, broken %s' % (root, len(names), leftovers, broken))
print('cache directory: %d entries, all whole' % len(names))
