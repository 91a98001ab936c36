# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report of extension_set (a line of counts, one line per extension) and its name -> repo:// URL map."""

from __future__ import annotations

import zlib

import pytest

from ansible_collections.ece.platform.plugins.module_utils._errors import EceApiError, EceError
from ansible_collections.ece.platform.plugins.module_utils._set_report import listed_urls, report_lines, set_report, with_report


def item(name, action, state='present', uploaded=False, ext_id=None, **fields):
    """One entry of extension_set's `results`, as the reconciler makes it."""
    ext_id = ext_id or str(zlib.crc32(name.encode()))
    extension = {} if action in ('absent', 'failed') else dict(id=ext_id, name=name, url='repo://%s' % ext_id)
    entry = dict(name=name, id=ext_id, state=state, changed=action not in ('unchanged', 'absent', 'failed'),
                 action=action, uploaded=uploaded, extension=extension)
    entry.update(fields)
    return entry


def failed(name, msg, **fields):
    return item(name, 'failed', failed=True, msg=msg, **fields)


def unlisted_deletion(name):
    return item(name, 'deleted', state='absent', unlisted=True)


# the line of counts

def test_nothing_listed_and_nothing_done_is_one_line():
    assert report_lines(0) == ['0 listed']
    assert report_lines(0, results=[], deleted=[], kept_in_use=[], unlisted_skipped=[]) == ['0 listed']


def test_each_action_has_its_line_and_its_count_in_a_fixed_order():
    results = [item('a', 'unchanged'), item('b', 'created'), item('c', 'updated'), item('d', 'updated', uploaded=True),
               item('e', 'uploaded', uploaded=True), item('f', 'deleted', state='absent'), item('g', 'absent', state='absent'),
               failed('h', 'ECE said no.')]
    assert report_lines(8, results=results) == [
        '8 listed: 1 created, 2 updated, 1 uploaded, 1 deleted, 1 unchanged, 1 absent, 1 FAILED',
        'a: unchanged',
        'b: created',
        'c: updated',
        'd: updated (archive uploaded)',
        'e: uploaded',
        'f: deleted',
        'g: absent (nothing to delete)',
        'h: FAILED: ECE said no.',
    ]


def test_a_new_archive_in_use_names_the_deployments_running_the_old_copy():
    dep = dict(id='a' * 32, name='search-prod', elasticsearch_version='8.15.1')
    lines = report_lines(2, results=[item('analysis-custom', 'uploaded', uploaded=True, in_use_by=[dep]),
                                     item('synonyms', 'updated', uploaded=True, in_use_by=[dep, dict(dep, name='logs')]),
                                     item('geo', 'uploaded', uploaded=True, in_use_by=[])])
    assert lines[1:] == ['analysis-custom: uploaded (in use by search-prod, which runs the old copy until reloaded)',
                         'synonyms: updated (archive uploaded) (in use by search-prod, logs, which run the old copy until reloaded)',
                         'geo: uploaded']


def test_a_build_is_labelled_with_its_version():
    lines = report_lines(2, results=[item('myplug', 'unchanged', version='8.15.1'), item('myplug', 'created', version='8.16.0')])
    assert lines[1:] == ['myplug (8.15.1): unchanged', 'myplug (8.16.0): created']


def test_a_created_item_whose_upload_failed_counts_as_failed():
    results = [failed('a', 'Uploading failed.', changed=True, uploaded=False)]
    assert report_lines(1, results=results) == ['1 listed: 1 FAILED', 'a: FAILED: Uploading failed.']


def test_an_item_known_by_its_id_alone_is_labelled_by_it():
    results = [dict(name=None, id='2536123203', state='absent', action='absent', uploaded=False)]
    assert report_lines(1, results=results)[1] == 'id 2536123203: absent (nothing to delete)'


def test_check_mode_says_the_lines_are_predictions():
    lines = report_lines(2, results=[item('a', 'created'), item('b', 'created')], check_mode=True)
    assert lines == ['Check mode, predicted: 2 listed: 2 created', 'a: created', 'b: created']


# what exclusive did to the extensions the list does not name

def test_unlisted_deletions_and_kept_extensions_come_after_the_listed_ones():
    results = [item('listed', 'unchanged'), unlisted_deletion('stray')]
    kept = [dict(id='3', name='used', deployments=['search-prod', 'search-dev']),
            dict(id='4', name='raced', deployments=[], message='Cannot delete extension [4].')]
    lines = report_lines(1, results=results, deleted=[dict(id='2', name='stray')], kept_in_use=kept)
    assert lines == [
        '1 listed: 1 unchanged; not listed: 1 deleted, 2 kept in use',
        'listed: unchanged',
        'stray: deleted (not listed)',
        'used: kept (not listed, in use by search-prod, search-dev)',
        'raced: kept (not listed, in use by a deployment)',
    ]


def test_a_failed_unlisted_deletion_is_a_failure_but_not_a_listed_count():
    results = [item('listed', 'unchanged'), dict(unlisted_deletion('stray'), action='failed', failed=True, msg='Timed out.')]
    assert report_lines(1, results=results)[:3] == ['1 listed: 1 unchanged', 'listed: unchanged', 'stray: FAILED: Timed out.']


def test_after_a_failed_item_the_unlisted_are_kept_and_the_reason_closes_the_report():
    reason = ('No extension was deleted as unlisted because 1 item failed: exclusive=true deletes only after every item '
              'converged. Fix the failed item and run again.')
    results = [item('it-report-new', 'created'), failed('it-report-twice', '2 extensions are named it-report-twice.')]
    lines = report_lines(2, results=results, unlisted_skipped=[dict(id='9', name='it-report-stray')],
                         unlisted_skipped_reason=reason)
    assert lines == [
        '2 listed: 1 created, 1 FAILED; not listed: 1 kept because an item failed',
        'it-report-new: created',
        'it-report-twice: FAILED: 2 extensions are named it-report-twice.',
        'it-report-stray: kept (not listed, but not deleted because an item failed)',
        reason,
    ]


# failures before any item was handled

def test_invalid_items_are_counted_and_each_gives_its_message():
    invalid = [dict(index=1, name='b', id=None, msg='extensions[1] (b): unknown option fiel.'),
               dict(index=3, name=None, id='7', msg='extensions[3] (id 7): argument force_upload is of type str.')]
    assert report_lines(4, invalid=invalid) == [
        '4 listed: 2 INVALID (nothing was sent)',
        'extensions[1] (b): unknown option fiel.',
        'extensions[3] (id 7): argument force_upload is of type str.',
    ]


def test_a_failure_before_any_item_is_the_last_line():
    assert report_lines(3, failure='Listing failed: 503.', check_mode=True) == [
        'Check mode, predicted: 3 listed', 'FAILED before any extension was handled: Listing failed: 503.']


# at 10 and at 100 extensions: one line each, the counts add up

@pytest.mark.parametrize('size', [10, 100])
def test_one_line_per_extension_at_scale(size):
    kinds = ('created', 'updated', 'unchanged', 'unchanged', 'failed')
    results = [failed('ext-%03d' % n, 'no.') if kinds[n % 5] == 'failed' else item('ext-%03d' % n, kinds[n % 5])
               for n in range(size)]
    lines = report_lines(size, results=results)
    fifth = size // 5
    assert lines[0] == '%d listed: %d created, %d updated, %d unchanged, %d FAILED' % (size, fifth, fifth, 2 * fifth, fifth)
    assert len(lines) == 1 + size
    assert [line.split(':')[0] for line in lines[1:]] == ['ext-%03d' % n for n in range(size)]
    assert lines[-1] == 'ext-%03d: FAILED: no.' % (size - 1)


# the repo:// URLs

def test_urls_hold_only_the_listed_extensions_that_exist():
    results = [item('a', 'created', ext_id='1'), item('b', 'unchanged', ext_id='2'), item('c', 'absent', state='absent'),
               item('d', 'deleted', state='absent', ext_id='4'), failed('e', 'no.'), unlisted_deletion('f'),
               item('g', 'created', extension=dict(name='g'))]  # check mode: ECE has not made its URL yet
    assert listed_urls(results) == {'a': 'repo://1', 'b': 'repo://2'}
    assert listed_urls(None) == {}


def test_urls_are_keyed_by_the_name_on_the_server():
    renamed = item('new-name', 'updated', ext_id='1')
    renamed['name'] = None  # an item given by id alone
    assert listed_urls([renamed]) == {'new-name': 'repo://1'}


# the module's results, on success and on failure

def test_set_report_reads_a_module_result():
    result = dict(changed=True, results=[item('a', 'created', ext_id='1'), unlisted_deletion('old')],
                  deleted=[dict(id='2', name='old')], kept_in_use=[], unlisted_skipped=[], check_mode=False)
    assert set_report(2, result) == dict(report=['2 listed: 1 created; not listed: 1 deleted', 'a: created',
                                                 'old: deleted (not listed)'],
                                         urls={'a': 'repo://1'})


def test_set_report_gives_the_message_only_of_a_failure_before_any_item():
    item_failure = dict(results=[failed('a', 'no.')], deleted=[], kept_in_use=[], unlisted_skipped=[], check_mode=False)
    assert set_report(1, item_failure, failure='1 of 1 extensions failed: a (no.)')['report'] == ['1 listed: 1 FAILED', 'a: FAILED: no.']
    invalid = dict(invalid=[dict(index=0, name='a', id=None, msg='extensions[0] (a): bad.')])
    assert set_report(1, invalid, failure='extensions[0] (a): bad. Nothing was sent to ECE.')['report'] == [
        '1 listed: 1 INVALID (nothing was sent)', 'extensions[0] (a): bad.']


def test_with_report_adds_report_and_urls_to_a_success():
    result = with_report(lambda: dict(changed=False, results=[item('a', 'unchanged', ext_id='1')], deleted=[], kept_in_use=[],
                                      unlisted_skipped=[], check_mode=True), 1, True)
    assert result['report'] == ['Check mode, predicted: 1 listed: 1 unchanged', 'a: unchanged']
    assert result['urls'] == {'a': 'repo://1'}


def test_with_report_adds_them_to_the_failure_too():
    def unreachable():
        raise EceApiError('ECE answered 503.', 'GET', 'https://ece.example.com/api/v1/deployments/extensions', status=503)
    with pytest.raises(EceError) as caught:
        with_report(unreachable, 2, False)
    failure = caught.value.result()
    assert failure['msg'] == 'ECE answered 503.' and failure['status'] == 503
    assert failure['report'] == ['2 listed', 'FAILED before any extension was handled: ECE answered 503.']
    assert failure['urls'] == {} and failure['check_mode'] is False


def test_with_report_keeps_what_the_items_did_before_a_failure():
    def one_failed():
        raise EceError('1 of 2 extensions failed: b (no.)', results=[item('a', 'created', ext_id='1'), failed('b', 'no.')],
                       deleted=[], kept_in_use=[], unlisted_skipped=[], check_mode=False)
    with pytest.raises(EceError) as caught:
        with_report(one_failed, 2, False)
    assert caught.value.details['report'] == ['2 listed: 1 created, 1 FAILED', 'a: created', 'b: FAILED: no.']
    assert caught.value.details['urls'] == {'a': 'repo://1'}
