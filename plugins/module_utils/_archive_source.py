# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: where the archive ECE stores for an extension came from.

ECE's answer has no field for it. `download_url` is the URL given last.

Assumption [I] (not stated anywhere; the repository's register of ECE behaviours, entry
download-url-after-upload): the URL stays after an archive is uploaded with PUT (the update API cannot
clear it), so after a switch from `download_url` to `file` and back to the same URL, comparing URLs
alone would find nothing to do while the uploaded archive stays. The module therefore compares the
stored archive with what the URL serves (size first, then SHA-256), and leaves a `download_url` out of
what it reports when the stored archive did not come from there; where ECE drops the URL instead, the
URL simply differs and is sent.

Assumption [I] (an open question; register entry same-url-redownloads): sending the same `download_url`
again makes ECE download it again. `confirm_redownload` checks the outcome, so a server that keeps its
archive fails the task instead of leaving the uploaded archive in place behind a success.
"""

from __future__ import annotations

from ansible_collections.ece.platform.plugins.module_utils._client import without_query
from ansible_collections.ece.platform.plugins.module_utils._errors import EceError


class ArchiveSource:
    """For one converge run: whether ECE must download `download_url` again, and what to report about where the archive came from."""

    def __init__(self, api, warn, current, desired, matches=None):
        self.api = api
        # `matches(current, url)`: whether url serves the stored archive (the digest cache's, else a plain comparison).
        self.matches = matches
        self.warn = warn
        self.current = current
        self.desired = desired
        # True when the server's download_url is known not to be where the stored archive came from.
        self.stale_url = desired.archive is not None and current.get('download_url') is not None

    def redownload_needed(self):
        """True when download_url is unchanged but the stored archive is not (or no longer) the one it serves."""
        url = self.desired.download_url
        if url is None or url != self.current.get('download_url'):
            return False  # a new URL is sent anyway, and ECE downloads it
        stored = self.current.get('file_metadata') or {}
        if 'size' not in stored:
            self.stale_url = True  # ECE holds no archive at all, e.g. after a download that failed
            return True
        try:
            same = (self.matches or self.api.download_matches_stored)(self.current, url)
        except EceError as exc:
            self.warn('Whether the archive stored for extension %s is the one %s serves could not be checked (%s); the module '
                      'assumed it is. An archive uploaded with option file since that URL was given would stay.'
                      % (self.current.get('name'), without_query(url), exc.msg))
            return False
        self.stale_url = not same
        return not same

    def confirm_redownload(self, updated):
        """After the same download_url was sent again: fail when ECE still stores another archive than the URL's."""
        if getattr(self.api, 'check_mode', False):
            return  # nothing was sent
        url = self.desired.download_url
        try:
            same = self.api.download_matches_stored(updated, url)
        except EceError as exc:
            self.warn('Whether ECE downloaded %s again for extension %s could not be checked (%s).'
                      % (without_query(url), updated.get('name'), exc.msg))
            return
        if not same:
            raise EceError('ECE was sent download_url %s again for extension %s (id %s), but it still stores another archive '
                           'than the one that URL serves: this ECE does not download a URL it already has. Publish the '
                           'archive under a new URL and give that one, or upload it with option file.'
                           % (without_query(url), updated.get('name'), updated.get('id')), changed=True)

    def view(self, metadata):
        """A metadata view (for the diff) without a download_url the stored archive did not come from."""
        if self.stale_url:
            metadata.pop('download_url', None)
        return metadata

    def reported_extension(self, extension):
        """The extension to return: after a `file` run, the stored archive is that file's, whatever download_url says."""
        if self.desired.archive is None or extension.get('download_url') is None:
            return extension
        extension = dict(extension)
        extension.pop('download_url')
        return extension
