# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the plan strategy option and the `PlanStrategy` object ECE takes.

ECE reads it from `plan.transient.strategy` of one resource's plan, for that plan change only (Elastic's
specification [C]): an object with exactly one key. The names of the option follow Terraform's provider, so that
an operator who knows one knows the other: `rolling` is one instance at a time (`group_by: __name__`),
`rolling_zone` one zone at a time, `rolling_all` everything at once (the fast restart of a big cluster).
"""

from __future__ import annotations

import copy

STRATEGIES = {
    'autodetect': {'autodetect': {}},
    'grow_and_shrink': {'grow_and_shrink': {}},
    'rolling_grow_and_shrink': {'rolling_grow_and_shrink': {}},
    'rolling': {'rolling': {'group_by': '__name__'}},
    'rolling_zone': {'rolling': {'group_by': 'logical_zone_name'}},
    'rolling_all': {'rolling': {'group_by': '__all__'}},
}
CHOICES = list(STRATEGIES)


def plan_strategy(name):
    """The `PlanStrategy` object for option value `name`; None for None (ECE's default)."""
    if name is None:
        return None
    return copy.deepcopy(STRATEGIES[name])


def with_strategy(plan, name):
    """A copy of `plan` to send, with `transient.strategy` set when a strategy is given (the plan itself unchanged)."""
    strategy = plan_strategy(name)
    if strategy is None:
        return plan
    sent = copy.deepcopy(plan)
    sent['transient'] = dict(sent.get('transient') or {}, strategy=strategy)
    return sent
