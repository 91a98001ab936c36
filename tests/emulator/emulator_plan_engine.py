"""The plan engine: how one Elasticsearch resource's plan changes run, succeed or fail over time.

No thread runs plans. Each attempt knows when it was accepted, when it shows as pending and when it
ends; the state is worked out from the clock whenever someone looks (`settle`), so a test that waits
N seconds sees exactly what a real ECE would show after N seconds, and nothing runs in the background.

Where a failed attempt is reported is a switch (register: failed-attempt-placement) because the sources
disagree: in `history` (the previous plan stays `current`) or in `current` (the previous plan moves to history).
Either way the nodes keep running the last successful plan (`running`).
"""

import copy
import datetime
import uuid

FAILED_PLACES = ('history', 'current')
URL_MODES = ('ece', 'ess')
HISTORY_CAP = 100  # ECE shows at most this many past attempts unless force_all_plan_history=true
# Step ids as real plans log them (DEPLOYMENTS.md 3.1); the last one carries the outcome.
STEPS = ('log-initial-plan-data', 'validate-plan-prerequisites', 'validate-elasticsearch-plugin-versions',
         'apply-plan-settings', 'plan-completed')
PLUGIN_CHECKS = ('put', 'plan')
CANCELLED_PLACES = ('history', 'removed')
AFTER_KIBANA_FAILURE = ('upgraded', 'rolled_back')


class SettingsError(ValueError):
    """A body posted to /_emulator/plans is invalid."""


def iso(epoch):
    """An epoch time as ECE writes it: ISO 8601 UTC with milliseconds and a `Z`."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000)


class PlanSettings:
    """How the next plan attempts behave; changed through POST /_emulator/plans (only the keys sent)."""

    DEFAULTS = {
        'seconds': 0.0,  # how long an attempt stays pending
        'fail_next': 0,  # how many of the next attempts fail
        'failure_message': 'Plan change failed: the new instances did not start in time.',
        'failure_type': 'ClusterFailure:InstanceDidNotStartWhileWaitingForRunning',
        'failed_attempt_in': 'history',
        'pending_appears_after': 0.0,  # seconds during which an accepted attempt does not show yet
        'url_mode': 'ece',  # `ess` accepts only repo:// extension URLs, `ece` also http(s)
        # 0.3.0 (emulator_upgrade_checks.py): where a plugin or bundle whose version does not fit is refused
        # (`put`: 400 at PUT; `plan`: the attempt fails at validate-elasticsearch-plugin-versions),
        # how many of the next Kibana attempts fail, and what an omitted elasticsearch.version means.
        'plugin_check': 'put',
        'fail_kibana_next': 0,
        'omitted_version': 'current',
        # Register `cancelled-attempt`: whether a graceful cancel leaves a history entry (`history`) or, like
        # force_delete, none (`removed`).
        'cancelled_attempt': 'history',
        # Register `stateless-failure-keeps-elasticsearch`: after a failed Kibana attempt of an update that also
        # changed Elasticsearch, Elasticsearch keeps the change (`upgraded`) or ECE puts its previous plan back
        # (`rolled_back`).
        'es_after_kibana_failure': 'upgraded',
    }

    def __init__(self):
        self.values = dict(self.DEFAULTS)

    def __getattr__(self, name):
        try:
            return self.__dict__['values'][name]
        except KeyError:
            raise AttributeError(name) from None

    def update(self, doc):
        """Validate every key first, then apply: a bad body changes nothing."""
        if not isinstance(doc, dict):
            raise SettingsError('Send a JSON object with any of: %s.' % ', '.join(sorted(self.DEFAULTS)))
        unknown = sorted(set(doc) - set(self.DEFAULTS))
        if unknown:
            raise SettingsError('Unknown keys %s; known: %s.' % (unknown, ', '.join(sorted(self.DEFAULTS))))
        for key in ('seconds', 'pending_appears_after'):
            if key in doc and (isinstance(doc[key], bool) or not isinstance(doc[key], (int, float)) or doc[key] < 0):
                raise SettingsError('"%s" must be a number >= 0.' % key)
        for key in ('fail_next', 'fail_kibana_next'):
            if key in doc and (isinstance(doc[key], bool) or not isinstance(doc[key], int) or doc[key] < 0):
                raise SettingsError('"%s" must be an integer >= 0.' % key)
        for key in ('failure_message', 'failure_type'):
            if key in doc and (not isinstance(doc[key], str) or not doc[key]):
                raise SettingsError('"%s" must be a non-empty string.' % key)
        for key, allowed in (('failed_attempt_in', FAILED_PLACES), ('url_mode', URL_MODES), ('plugin_check', PLUGIN_CHECKS),
                             ('omitted_version', ('current', 'latest')), ('cancelled_attempt', CANCELLED_PLACES),
                             ('es_after_kibana_failure', AFTER_KIBANA_FAILURE)):
            if key in doc and doc[key] not in allowed:
                raise SettingsError('"%s" must be one of %s.' % (key, ', '.join(allowed)))
        self.values.update(doc)

    def take_failure(self):
        """(message, failure_type) when the attempt being created must fail, else None."""
        if self.values['fail_next'] <= 0:
            return None
        self.values['fail_next'] -= 1
        return self.values['failure_message'], self.values['failure_type']

    def take_kibana_failure(self):
        """True when the Kibana attempt being created must fail (`fail_kibana_next`)."""
        if self.values['fail_kibana_next'] <= 0:
            return False
        self.values['fail_kibana_next'] -= 1
        return True


class Attempt:  # pylint: disable=too-many-instance-attributes
    """One plan attempt: its plan, its timing and (once ended) its outcome."""

    # pylint: disable-next=too-many-arguments
    def __init__(self, number, plan, accepted_at, *, seconds=0.0, appears_after=0.0, failure=None,
                 failed_in='history', action='deployments.update-deployment', facilitator='api',
                 user_id=None, steps=STEPS, failed_step=None):
        self.id = uuid.uuid4().hex
        self.name = 'attempt-%010d' % number
        self.plan = copy.deepcopy(plan)
        self.transient = copy.deepcopy(plan.get('transient'))  # kept after the end: /_emulator/.../attempts shows it
        self.accepted_at = accepted_at
        self.appears_at = accepted_at + appears_after
        self.ends_at = self.appears_at + seconds
        self.failure, self.failed_in = failure, failed_in
        self.action, self.facilitator, self.user_id = action, facilitator, user_id
        self.steps, self.failed_step = steps, failed_step  # failed_step: where a failure stops (else plan-completed)
        self.strategy = (plan.get('transient') or {}).get('strategy')  # kept after `transient` is dropped, for tests
        self.outcome = None  # 'success' or 'error' once ended
        self.error = None  # (message, failure_type) of a failed or cancelled attempt
        self.ended_at = self.plan_end_time = None

    def end(self, at, error=None):
        self.ended_at = at
        self.error = error
        self.outcome = 'error' if error else 'success'
        self.plan.pop('transient', None)  # a finished plan no longer carries its one-off instructions

    def _steps(self, now, show_log):
        """The plan_attempt_log: steps spread evenly over the attempt's run; those not started yet are absent."""
        if not show_log:
            return []
        end = self.ended_at if self.ended_at is not None else self.ends_at
        names = self.steps
        if self.error and self.failed_step in names:
            # A failure at a named step: the steps after it never ran, the log ends with plan-completed.
            names = names[:names.index(self.failed_step) + 1] + ('plan-completed',)
        width = (end - self.accepted_at) / len(names)
        steps = []
        for index, step_id in enumerate(names):
            started = self.accepted_at + index * width
            if self.outcome is None and started > now:
                break
            finished = self.outcome is not None or started + width <= now and index < len(names) - 1
            step = {'step_id': step_id, 'started': iso(started), 'status': 'success' if finished else 'pending',
                    'stage': 'completed' if finished else 'in_progress', 'info_log': []}
            if finished:
                step.update(completed=iso(started + width), duration_in_millis=int(width * 1000))
            steps.append(step)
        if self.error and steps:
            message, failure_type = self.error
            steps[-1]['status'] = 'error'
            if len(steps) > 1 and steps[-2]['step_id'] == self.failed_step:
                steps[-2]['status'] = 'error'
            steps[-1]['info_log'] = [{'timestamp': iso(end), 'stage': 'completed', 'message': message,
                                      'failure_type': failure_type, 'details': {}}]
        return steps

    def to_json(self, now, show_log=True, clear_transient=False):
        """An ElasticsearchClusterPlanInfo."""
        plan = copy.deepcopy(self.plan)
        if clear_transient:
            plan.pop('transient', None)
        doc = {'plan_attempt_id': self.id, 'plan_attempt_name': self.name, 'healthy': self.outcome != 'error',
               'attempt_start_time': iso(self.accepted_at), 'plan': plan, 'plan_attempt_log': self._steps(now, show_log),
               'source': dict({'facilitator': self.facilitator, 'action': self.action, 'date': iso(self.accepted_at)},
                              **({'user_id': self.user_id} if self.user_id else {})),
               'warnings': []}
        if self.ended_at is not None:
            doc['attempt_end_time'] = iso(self.ended_at)
        if self.plan_end_time is not None:
            doc['plan_end_time'] = iso(self.plan_end_time)
        if self.error:
            doc['error'] = {'timestamp': iso(self.ended_at), 'message': self.error[0], 'failure_type': self.error[1], 'details': {}}
        return doc


class PlanState:
    """current / pending / history of one resource, plus `running`: the plan its nodes really run."""

    def __init__(self, initial):
        """`initial`: an ended, successful Attempt (the plan the resource was created with)."""
        self.current = self.running = initial
        self.pending = None
        self.history = []
        self.healthy = True  # plan_info.healthy: false after a failed last attempt
        self._count = 1

    def start(self, plan, settings, now, failure=None, seconds=None, **kwargs):
        """Accept a new attempt (the caller checked that none is pending); return it.

        `failure`: (message, failure_type) decided by the caller, or None to take one from `fail_next`;
        `False` for an attempt that must succeed and not count against `fail_next`.
        """
        self._count += 1
        if failure is None:
            failure = settings.take_failure()
        self.pending = Attempt(self._count, plan, now, seconds=settings.seconds if seconds is None else seconds,
                               appears_after=settings.pending_appears_after, failure=failure or None,
                               failed_in=settings.failed_attempt_in, **kwargs)
        return self.pending

    def visible_pending(self, now):
        """The pending attempt as GET shows it: None while it has not appeared yet."""
        return self.pending if self.pending is not None and now >= self.pending.appears_at else None

    def settle(self, now):
        """End the pending attempt if its time is up; return it when it ended now (else None)."""
        attempt = self.pending
        if attempt is None or now < attempt.ends_at:
            return None
        attempt.end(attempt.ends_at, attempt.failure)
        self._conclude(attempt)
        return attempt

    def cancel(self, now, force=False):
        """Cancel the pending attempt (a failure of its own kind); return it, or None when none is pending.

        Register `cancelled-attempt` (assumed): a graceful cancel ends the attempt with an error in the history, and
        `force` (force_delete=true) removes it without a history entry.
        """
        attempt = self.pending
        if attempt is None:
            return None
        attempt.end(now, ('Plan change cancelled: the pending plan was deleted.', 'PlanCancelled'))
        if force:
            self.pending = None
            return attempt
        attempt.failed_in = 'history'  # a cancelled plan never becomes current
        self._conclude(attempt)
        return attempt

    def roll_back_to(self, earlier, now):
        """Run `earlier`'s plan again: a new attempt, ended at once, that becomes current; return it."""
        self._count += 1
        attempt = Attempt(self._count, earlier.plan, now, steps=earlier.steps)
        attempt.end(now)
        self._conclude(attempt)
        return attempt

    def _conclude(self, attempt):
        self.pending = None
        self.healthy = attempt.outcome == 'success'
        if attempt.outcome == 'error' and attempt.failed_in == 'history':
            self.history.append(attempt)  # the previous plan stays current and keeps running
            return
        self.current.plan_end_time = attempt.ended_at
        self.history.append(self.current)
        self.current = attempt
        if attempt.outcome == 'success':
            self.running = attempt

    def plans(self):
        """Every plan that counts as referenced: reported current, running, and pending (shown or not)."""
        return [attempt.plan for attempt in (self.current, self.running, self.pending) if attempt is not None]

    def to_json(self, now, view):
        """An ElasticsearchClusterPlansInfo, shaped by the GET switches in `view` (see emulator_deployments_view.View)."""
        doc = {'healthy': self.healthy, 'history': []}
        if not view.show_plans:
            return doc
        doc['current'] = self.current.to_json(now, view.show_plan_logs, view.clear_transient)
        pending = self.visible_pending(now)
        if pending is not None:
            doc['pending'] = pending.to_json(now, view.show_plan_logs, view.clear_transient)
        if view.show_plan_history:
            shown = self.history if view.all_history else self.history[-HISTORY_CAP:]
            doc['history'] = [attempt.to_json(now, view.show_plan_logs, view.clear_transient) for attempt in shown]
        return doc
