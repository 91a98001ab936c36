"""The update check of `plan.transient.strategy`: a PlanStrategy holds exactly one known strategy (FLEET.md 5.5 [C]).

Assumption [I] (register: malformed-strategy-refusal; FLEET.md 5.5): ECE refuses a
malformed strategy with a 400 on PUT; the emulator answers `clusters.cluster_invalid_plan`, naming the field.
"""

from emulator_deployments_checks import INVALID_PLAN, payloads_of

STRATEGIES = ('autodetect', 'grow_and_shrink', 'rolling_grow_and_shrink', 'rolling')
GROUP_BY = ('__all__', '__name__', 'logical_zone_name')


def _problem(strategy):
    if not isinstance(strategy, dict) or len(strategy) != 1:
        return 'must be an object with exactly one of %s.' % ', '.join(STRATEGIES)
    (name, config), = strategy.items()
    if name not in STRATEGIES:
        return 'names the unknown strategy [%s]; use one of %s.' % (name, ', '.join(STRATEGIES))
    if not isinstance(config, dict):
        return 'of [%s] must be an object.' % name
    if name == 'rolling' and config.get('group_by', '__name__') not in GROUP_BY:
        return 'groups rolling changes by [%s]; use one of %s.' % (config.get('group_by'), ', '.join(GROUP_BY))
    return None


def bad_strategies(doc):
    """[(code, message, fields)] for each payload whose transient strategy is malformed."""
    found = []
    for index, payload in payloads_of(doc):
        transient = payload['plan'].get('transient')
        if not isinstance(transient, dict) or 'strategy' not in transient:
            continue
        problem = _problem(transient['strategy'])
        if problem:
            where = 'resources.elasticsearch[%d].plan.transient.strategy' % index
            found.append((INVALID_PLAN, 'The plan strategy %s' % problem, [where]))
    return found
