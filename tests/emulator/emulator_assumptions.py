"""The emulator's switches for the ECE behaviours nobody has confirmed, read from the register.

tests/ece_behaviours.yml lists every behaviour the collection, this emulator and the unit fakes rely
on; each assumed one names its switches with a `default` and a `flipped` reading. The emulator starts
in one of the two readings (`--assumptions default|flipped`, or the environment variable
ECE_EMULATOR_ASSUMPTIONS), `/_emulator/reset` returns to it, and `POST /_emulator/assumptions`
changes single switches of a running emulator. The plan engine's switches (where a failed attempt is
reported, how late pending shows, the URL mode) live in its PlanSettings: they are read and written
there, so `/_emulator/plans` and `/_emulator/assumptions` always agree.
"""

import os

import yaml

REGISTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'ece_behaviours.yml')
READINGS = ('default', 'flipped')
# Switches the plan engine's PlanSettings may hold too; those it knows live there (one source of truth).
PLAN_SWITCHES = ('failed_attempt_in', 'pending_appears_after', 'url_mode', 'plugin_check', 'omitted_version', 'cancelled_attempt',
                 'es_after_kibana_failure')
ENV = 'ECE_EMULATOR_ASSUMPTIONS'


class AssumptionError(ValueError):
    """A body posted to /_emulator/assumptions is invalid, or a reading is unknown."""


def load_register(path=REGISTER):
    """The register's entries, as a list of dicts."""
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)['behaviours']


def switch_table(entries=None):
    """{switch name: {'default': value, 'flipped': value, 'behaviour': entry id}} of every assumed entry."""
    table = {}
    for entry in entries if entries is not None else load_register():
        for name, readings in (entry.get('switches') or {}).items():
            table[name] = dict(readings, behaviour=entry['id'])
    return table


def reading(name, which='default'):
    """The value of one switch in one reading (for the unit fakes and tests)."""
    return switch_table()[name][which]


class Assumptions:
    """The current value of every switch; `plan_settings` is the plan engine's PlanSettings (or None)."""

    def __init__(self, baseline='default', table=None):
        if baseline not in READINGS:
            raise AssumptionError('Unknown reading %r: use one of %s.' % (baseline, ', '.join(READINGS)))
        self.table = table if table is not None else switch_table()
        self.baseline = baseline
        self.values = {}
        self.plan_settings = None
        self.reset()

    def reset(self):
        """Back to the reading the emulator was started with (also the plan engine's switches)."""
        self.values = {name: readings[self.baseline] for name, readings in self.table.items()}
        self._push_plan_switches()

    def attach_plan_settings(self, settings):
        self.plan_settings = settings
        self._push_plan_switches()

    def _in_plan_settings(self, name):
        return name in PLAN_SWITCHES and self.plan_settings is not None and name in self.plan_settings.values

    def _push_plan_switches(self):
        if self.plan_settings is not None:
            self.plan_settings.update({name: self.values[name] for name in self.values if self._in_plan_settings(name)})

    def __getitem__(self, name):
        if self._in_plan_settings(name):
            return self.plan_settings.values[name]
        return self.values[name]

    def snapshot(self):
        """{switch: current value} plus the reading the emulator starts from (GET /_emulator/assumptions)."""
        current = {name: self[name] for name in self.table}
        return {'baseline': self.baseline, 'switches': current,
                'flipped': sorted(name for name in self.table if current[name] != self.table[name]['default'])}

    def update(self, doc):
        """Set switches from {name: value}, a value being one of the switch's two readings (or the word itself)."""
        if not isinstance(doc, dict):
            raise AssumptionError('Send a JSON object {"switch": value}; switches: %s.' % ', '.join(sorted(self.table)))
        unknown = sorted(set(doc) - set(self.table))
        if unknown:
            raise AssumptionError('Unknown switches %s; known: %s.' % (unknown, ', '.join(sorted(self.table))))
        values = {}
        for name, value in doc.items():
            readings = self.table[name]
            if value in READINGS and value not in (readings['default'], readings['flipped']):
                value = readings[value]
            if value not in (readings['default'], readings['flipped']) or isinstance(value, bool) != isinstance(readings['default'], bool):
                raise AssumptionError('"%s" must be %r (default) or %r (flipped), or the word default or flipped.'
                                      % (name, readings['default'], readings['flipped']))
            values[name] = value
        self.values.update(values)
        self._push_plan_switches()


def baseline_from(argument):
    """The reading to start with: the command-line value, else ECE_EMULATOR_ASSUMPTIONS, else default."""
    return argument or os.environ.get(ENV) or 'default'
