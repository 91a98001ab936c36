# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: what extension_set did, as lines a person reads, and the repo:// URLs.

The report is a line of counts, then one line "name: what happened" per extension, so that it stays
readable at 10 and at 100 extensions. The role ece.platform.extensions prints it and playbooks match
its lines, so its wording is part of the interface: change a word here only as a user-visible change.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._errors import EceError

# The order of the counts in the first line; an action no item took is left out.
ACTIONS = ('created', 'updated', 'uploaded', 'deleted', 'unchanged', 'absent', 'failed')


def _header(listed, results, invalid, deleted, kept_in_use, unlisted_skipped, check_mode):
    # Only the listed items are counted by action; what `exclusive` did to unlisted ones has its own part.
    listed_results = [item for item in results if 'unlisted' not in item]
    counts = []
    for action in ACTIONS:
        number = sum(1 for item in listed_results if item.get('action') == action)
        if number:
            counts.append('%d %s' % (number, action.upper() if action == 'failed' else action))
    if invalid:
        counts.append('%d INVALID (nothing was sent)' % len(invalid))
    unlisted = []
    for part, label in ((deleted, 'deleted'), (kept_in_use, 'kept in use'),
                        (unlisted_skipped, 'kept because an item failed')):
        if part:
            unlisted.append('%d %s' % (len(part), label))
    line = '%s%d listed' % ('Check mode, predicted: ' if check_mode else '', listed)
    if counts:
        line += ': ' + ', '.join(counts)
    if unlisted:
        line += '; not listed: ' + ', '.join(unlisted)
    return line


def _result_line(item):
    label = item.get('name') or 'id %s' % item.get('id')
    if item.get('version') and not item.get('unlisted'):
        label += ' (%s)' % item['version']  # an item with identity=name_and_version: one build of the name
    if item.get('failed'):
        return '%s: FAILED: %s' % (label, item.get('msg'))
    if item.get('unlisted'):
        return '%s: deleted (not listed)' % label
    if item.get('action') == 'updated' and item.get('uploaded'):
        line = '%s: updated (archive uploaded)' % label
    elif item.get('action') == 'absent':
        return '%s: absent (nothing to delete)' % label
    else:
        line = '%s: %s' % (label, item.get('action'))
    return line + _stale_note(item.get('in_use_by'))


def _stale_note(in_use_by):
    """After a new archive: which deployments run the old copy until they are reloaded (0.3.0)."""
    if not in_use_by:
        return ''
    names = ', '.join(str(dep.get('name') or dep.get('id')) for dep in in_use_by)
    return ' (in use by %s, which run%s the old copy until reloaded)' % (names, 's' if len(in_use_by) == 1 else '')


def _kept_line(kept):
    in_use_by = ', '.join(str(deployment) for deployment in kept.get('deployments') or ()) or 'a deployment'
    return '%s: kept (not listed, in use by %s)' % (kept.get('name'), in_use_by)


def report_lines(listed, results=(), invalid=(), deleted=(), kept_in_use=(), unlisted_skipped=(),
                 unlisted_skipped_reason=None, check_mode=False, failure=None):
    """The report: the line of counts, then one line per item, per invalid item and per unlisted extension.

    `listed` is the number of items the list had; the other arguments are extension_set's return values
    of the same names. `failure` is the message of a failure that came before any item was handled (no
    `results` and no `invalid`), given only in that case.
    """
    results, invalid = list(results or ()), list(invalid or ())
    kept_in_use, unlisted_skipped = list(kept_in_use or ()), list(unlisted_skipped or ())
    lines = [_header(listed, results, invalid, list(deleted or ()), kept_in_use, unlisted_skipped, check_mode)]
    lines += [_result_line(item) for item in results]
    lines += [bad.get('msg') for bad in invalid]
    lines += [_kept_line(kept) for kept in kept_in_use]
    lines += ['%s: kept (not listed, but not deleted because an item failed)' % kept.get('name') for kept in unlisted_skipped]
    if unlisted_skipped_reason is not None:
        lines.append(unlisted_skipped_reason)
    if failure is not None:
        lines.append('FAILED before any extension was handled: %s' % failure)
    return lines


def listed_urls(results):
    """Name -> repo:// URL of every listed extension that exists: what a deployment plan references it by.

    A failed item, an unlisted deletion, an absent one and (in check mode) one about to be created have none.
    """
    urls = {}
    for item in results or ():
        extension = item.get('extension') or {}
        if item.get('state') == 'present' and not item.get('failed') and not item.get('unlisted') and extension.get('url'):
            urls[extension.get('name')] = extension['url']
    return urls


def set_report(listed, result, failure=None):
    """`report` and `urls` for a result of extension_set: a success, or the details of the EceError it failed with.

    `failure` is the error's message; it goes into the report only when the run failed before any item
    (the result has neither `results` nor `invalid`), as an item's own failure is on its line already.
    """
    before_any_item = 'results' not in result and 'invalid' not in result
    report = report_lines(listed, results=result.get('results'), invalid=result.get('invalid'),
                          deleted=result.get('deleted'), kept_in_use=result.get('kept_in_use'),
                          unlisted_skipped=result.get('unlisted_skipped'),
                          unlisted_skipped_reason=result.get('unlisted_skipped_reason'),
                          check_mode=bool(result.get('check_mode')),
                          failure=failure if before_any_item else None)
    return dict(report=report, urls=listed_urls(result.get('results')))


def with_report(converge, listed, check_mode):
    """Run converge() and return its result with `report` and `urls`; an EceError it raises gets them too.

    A failed run needs its report most: it says which items went through before, and what is left to fix.
    """
    try:
        result = converge()
    except EceError as exc:
        exc.details.setdefault('check_mode', check_mode)
        exc.details.update(set_report(listed, exc.details, failure=exc.msg))
        raise
    result.setdefault('check_mode', check_mode)
    result.update(set_report(listed, result))
    return result
