# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the rules of a Stack version upgrade (pure, unit-tested).

- versions: parse, compare, major or not;
- the path: the target is an available stack pack, no downgrade, a major only when allowed, and the
  current pack lists the target in `upgradable_to` (the stack pack's field in Elastic's specification [C]);
- built-in plugins: each one the plan enables exists in the target's pack;
- the plan strategy sent in `transient.strategy` (the names of _plan_strategy.py): a rolling
  strategy on a major upgrade groups by `__all__`, as ECE requires.

Each check returns messages (empty when fine), each naming what is wrong and the fix, so the caller can
report every problem at once before anything is sent.
"""

from __future__ import annotations

import re

from ansible_collections.ece.platform.plugins.module_utils._plan_strategy import plan_strategy

_VERSION = re.compile(r'^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$')

ROLLING = ('rolling', 'rolling_zone', 'rolling_all')


def parse_version(text):
    """(major, minor, patch) of `8.16.0` (a suffix such as `-SNAPSHOT` is ignored), or None when it is not one."""
    match = _VERSION.match(str(text or '').strip())
    return tuple(int(part) for part in match.groups()) if match else None


def is_major(current, target):
    old, new = parse_version(current), parse_version(target)
    return bool(old and new and new[0] > old[0])


def newest_first(versions):
    return sorted(versions, key=lambda version: parse_version(version) or (-1,), reverse=True)


def strategy_for(name, major):
    """(PlanStrategy object or None, note or None) for option strategy on an upgrade (`major` or not)."""
    if not name:
        return None, None
    doc = plan_strategy(name)
    if major and name in ROLLING and doc['rolling']['group_by'] != '__all__':
        doc['rolling']['group_by'] = '__all__'
        return doc, ('strategy %s was sent as rolling with group_by __all__ (every instance at once): ECE requires that for a '
                     'major version upgrade.' % name)
    return doc, None


def path_problems(current, target, current_pack, target_pack, available, allow_major):
    """Messages for an upgrade from `current` to `target` that ECE would refuse or that needs allow_major.

    `current_pack`/`target_pack`: the StackVersionConfig of each (None when ECE does not hold it);
    `available`: the versions ECE holds, for the message.
    """
    problems = []
    if parse_version(target) is None:
        return ['Option version %s is not a Stack version like 8.16.0.' % target]
    if target_pack is None or target_pack.get('deleted'):
        listed = ', '.join(newest_first(available)) or 'none'
        return ['Stack version %s is not available on this ECE (available: %s). Add its stack pack to ECE first, or choose '
                'an available version.' % (target, listed)]
    if parse_version(current) is None:
        return ['The deployment runs Elasticsearch %r, which is not a Stack version this module can compare, so it does not '
                'upgrade it.' % (current,)]
    if parse_version(target) < parse_version(current):
        return ['Version %s is older than the %s the deployment runs: Elasticsearch cannot be downgraded in place. To go back, '
                'restore a snapshot into a deployment of the older version.' % (target, current)]
    if is_major(current, target) and not allow_major:
        problems.append('Upgrading from %s to %s is a major upgrade; set allow_major: true to ask for it explicitly (check the '
                        'breaking changes and the upgrade assistant first).' % (current, target))
    if current_pack is None:
        problems.append('ECE holds no stack pack for the running version %s, so the upgrade path to %s cannot be checked; '
                        'nothing was sent.' % (current, target))
    elif target not in (current_pack.get('upgradable_to') or []):
        allowed = newest_first(current_pack.get('upgradable_to') or [])
        problems.append('ECE does not allow an upgrade from %s to %s (the stack pack of %s lists upgradable_to: %s). Upgrade to '
                        'one of those first.' % (current, target, current, ', '.join(allowed) or 'none'))
    return problems


def built_in_names(plan):
    """Names of the built-in plugins a plan enables, at plan level and in every topology element."""
    configs = [plan.get('elasticsearch') or {}] + [element.get('elasticsearch') or {} for element in plan.get('cluster_topology') or []]
    names: list[str] = []
    for config in configs:
        names.extend(name for name in config.get('enabled_built_in_plugins') or [] if name not in names)
    return names


def built_in_problems(plan, target, target_pack):
    """Messages for enabled built-in plugins the target's pack does not have."""
    available = ((target_pack or {}).get('elasticsearch') or {}).get('plugins') or []
    missing = [name for name in built_in_names(plan) if name not in available]
    if not missing:
        return []
    return ['The built-in plugin%s %s enabled on the deployment %s not available in Elasticsearch %s (its stack pack offers: %s). '
            'Disable %s in the deployment first, or choose another version.'
            % ('s' if len(missing) > 1 else '', ', '.join(missing), 'are' if len(missing) > 1 else 'is', target,
               ', '.join(available) or 'none', 'them' if len(missing) > 1 else 'it')]
