# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: run a module's main() inside Ansible's worker process.

The module runs its own code, unchanged: AnsibleModule reads the arguments (from memory, never
from a file), validates them with the module's one argument spec, and ends with exit_json() or
fail_json(), which print the result as JSON and exit. Here that output is captured and handed
back exactly as a module process would have printed it, so the action plugin parses it with
Ansible's own code.

The worker process lives on after the module (the next loop item runs in it), so everything the
module run may change in the process is put back afterwards: os.environ (the task's
`environment:` applies for the run only), the working directory, the locale, sys.stdout and
sys.stderr, Python's warning filters, AnsibleModule's globals (arguments, warnings,
deprecations), and the module's temporary directory is removed as its process would remove it
at exit.
"""

from __future__ import annotations

import contextlib
import io
import json
import locale
import os
import sys
import traceback
import warnings

from ansible.module_utils import _internal
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.json import Direction, get_module_encoder

try:
    # What the AnsiballZ wrapper of a module process does with an exception that escapes the module.
    from ansible.module_utils._internal._ansiballz._loader import _handle_exception as _report_module_exception
except ImportError:  # another ansible-core layout: the traceback goes to stderr, as a dying process would leave it
    _report_module_exception = None

# The modules of this collection declare no serialization profile, so Ansible sends their
# arguments and reads their results with the default one.
PROFILE = 'legacy'


class _ExitHandlers:
    """Stands in for the `atexit` module inside AnsibleModule: what it registers runs when the module ends."""

    def __init__(self):
        self.handlers = []

    def register(self, func, *args, **kwargs):
        self.handlers.append((func, args, kwargs))
        return func

    def run(self):
        for func, args, kwargs in reversed(self.handlers):
            try:
                func(*args, **kwargs)
            except Exception:  # pylint: disable=broad-except
                pass  # as at a process exit: a failed clean-up does not change the result


@contextlib.contextmanager
def _restored(obj, *names):
    """Put the attributes `names` of `obj` back as they were, whatever happens inside."""
    saved = [(name, getattr(obj, name)) for name in names]
    try:
        yield
    finally:
        for name, value in saved:
            setattr(obj, name, value)


@contextlib.contextmanager
def _environment(extra):
    """os.environ plus `extra` (the task's environment) for the run; the exact old one after."""
    saved = dict(os.environ)
    os.environ.update((str(key), str(value)) for key, value in extra.items())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _working_directory_and_locale():
    cwd = os.getcwd()
    saved_locale = locale.setlocale(locale.LC_ALL)
    try:
        yield
    finally:
        os.chdir(cwd)
        try:
            locale.setlocale(locale.LC_ALL, saved_locale)
        except locale.Error:
            pass


@contextlib.contextmanager
def _module_globals(args_json):
    """AnsibleModule's process-wide state, set for one module run and put back after it."""
    with _restored(basic, '_ANSIBLE_ARGS', '_ANSIBLE_PROFILE', '_PARSED_MODULE_ARGS', 'atexit'), \
            _restored(module_warnings, '_global_warnings', '_global_deprecations'), \
            _restored(_internal, 'is_controller'):
        basic._ANSIBLE_ARGS = args_json  # pylint: disable=protected-access
        basic._ANSIBLE_PROFILE = PROFILE  # pylint: disable=protected-access
        # Module code: warnings and deprecations go into the result, as in a module process (on the
        # controller they would go straight to the screen instead).
        _internal.is_controller = False
        module_warnings._global_warnings = {}  # pylint: disable=protected-access
        module_warnings._global_deprecations = {}  # pylint: disable=protected-access
        exit_handlers = _ExitHandlers()
        basic.atexit = exit_handlers
        try:
            yield
        finally:
            exit_handlers.run()


def encode_arguments(module_args):
    """The arguments as Ansible hands them to a module process, kept in memory."""
    encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
    return json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args), cls=encoder).encode()


def run_main(main, module_args, environment):
    """Run `main()` of a module with `module_args`; returns {'rc', 'stdout', 'stderr'} as a module process would."""
    args_json = encode_arguments(module_args)
    stdout, stderr = io.StringIO(), io.StringIO()
    rc = 0
    with _environment(environment), _working_directory_and_locale(), warnings.catch_warnings(), \
            _module_globals(args_json), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            _main_as_in_a_module_process(main)
        except SystemExit as exc:
            rc = _exit_status(exc.code)
        except Exception:  # pylint: disable=broad-except
            stderr.write(traceback.format_exc())
            rc = 1
    return dict(rc=rc, stdout=stdout.getvalue(), stderr=stderr.getvalue())


def _main_as_in_a_module_process(main):
    try:
        main()
        raise RuntimeError('New-style module did not handle its own exit.')
    except Exception as exc:  # pylint: disable=broad-except
        if _report_module_exception is None:
            raise
        _report_module_exception(exc, PROFILE)  # prints the failure result and exits 1


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write('%s\n' % code)
    return 1
