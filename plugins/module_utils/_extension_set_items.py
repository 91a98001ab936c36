# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: check every item of an extension list before anything is sent.

The module's argument spec takes the list as plain dicts, so that ansible-core's own messages about an
item ("parameters are mutually exclusive: download_url|file found in extensions") do not hide which
item was wrong. Each item is checked here with ansible-core's ArgumentSpecValidator against the same
options as ece.platform.extension, then with the collection's own checks; every problem names the
item by index and name, and all of them are reported at once.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.ece.platform.plugins.module_utils._options import EXTENSION_RULES, extension_options
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError
from ansible_collections.ece.platform.plugins.module_utils._extension_state import DesiredExtension


def item_label(index, item):
    """'extensions[3] (synonyms)', or with the id when the item has no name; never fails on odd input."""
    item = item if isinstance(item, dict) else {}
    if item.get('name'):
        return 'extensions[%d] (%s)' % (index, item['name'])
    if item.get('id'):
        return 'extensions[%d] (id %s)' % (index, item['id'])
    return 'extensions[%d]' % index


def not_a_dict(item):
    """The problem of an item that is not a dict (a bare name, say), with what an item looks like."""
    shown = repr(item) if len(repr(item)) <= 60 else repr(item)[:57] + '... (cut short)'
    # The builtin type, not ansible-core's subclass of it (a templated string is an _AnsibleTaggedStr from 2.19 on).
    kind = next((cls.__name__ for cls in type(item).__mro__ if cls.__module__ == 'builtins' and cls is not object),
                type(item).__name__)
    return ('must be a dict of extension options with at least name (or id), for example '
            '{name: synonyms, extension_type: bundle, version: "8.*"}, not the %s %s' % (kind, shown))


def _argument_problems(validator, item):
    """ansible-core's verdict on one item, in words that fit after its label; [] when the options are fine."""
    if not isinstance(item, dict):
        return [], None
    result = validator.validate(item)
    problems = []
    for error in result.errors:
        if isinstance(error, UnsupportedError):
            # Its text starts with the unknown key names: "foo. Supported parameters include: ..."
            problems.append('unknown option %s' % error)
        else:
            problems.append(str(error))
    return problems, result.validated_parameters


def desired_items(items, workdir=None, only_state=None):
    """A prepared DesiredExtension (options checked, archive opened) for every item; else one EceError listing every bad item.

    With `only_state`, the items of the other state get only the checks of their options: they are not
    converged in this run (its checks of archives ran, or run, in the run that converges them).

    The error carries `invalid` ({index, name, id, msg} per bad item) for callers that report per item.
    """
    validator = ArgumentSpecValidator(extension_options(), **EXTENSION_RULES)
    desired: list[DesiredExtension] = []
    invalid: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        label = item_label(index, item)
        problems, params = _argument_problems(validator, item)
        if params is None:
            problems = [not_a_dict(item)]
        if problems:
            invalid.append(dict(index=index, name=(item or {}).get('name') if isinstance(item, dict) else None,
                                id=(item or {}).get('id') if isinstance(item, dict) else None,
                                msg='%s: %s.' % (label, '; '.join(p.rstrip('.') for p in problems))))
            continue
        entry = DesiredExtension.from_params(params)
        if entry.id is not None:
            key = ('id', str(entry.id))
        elif entry.identity == 'name_and_version':
            key = ('name and version', '%s %s' % (entry.name, entry.version))
        else:
            key = ('name', str(entry.name))
        try:
            if key in seen:
                raise EceError('the same extension (%s %s) is listed twice, as extensions[%d] too; list it once.'
                               % (key[0], key[1], seen[key]))
            seen[key] = index
            if only_state is None or entry.state == only_state:
                entry.prepare(workdir=workdir)
        except EceError as exc:
            invalid.append(dict(index=index, name=entry.name, id=entry.id, msg='%s: %s' % (label, exc.msg)))
            continue
        desired.append(entry)
    if invalid:
        if len(invalid) == 1:
            msg = invalid[0]['msg']
        else:
            msg = '%d items of extensions are invalid: %s' % (len(invalid), ' '.join(bad['msg'] for bad in invalid))
        raise EceError(msg + ' Nothing was sent to ECE.', invalid=invalid)
    return desired
