"""Conditional GETs of stored archives and download_url archives: ETag, Last-Modified, 304 Not Modified.

The modules cache what they know of an archive by its validators and ask again with `If-None-Match` /
`If-Modified-Since`; a 304 lets them skip the body. As RFC 9110 (13.2.2) says, `If-None-Match` wins when both
are sent, because a date has only whole seconds and two archives may be written within one.
The ETag is the archive's SHA-256, so equal bytes give equal tags.
"""

import datetime
import email.utils


def http_date(iso_text):
    """ECE's `2026-12-06T05:00:01.123Z` as an HTTP date (whole seconds)."""
    moment = datetime.datetime.strptime(iso_text[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc)
    return email.utils.format_datetime(moment, usegmt=True)


def validators(sha256, last_modified_iso):
    return {'ETag': '"%s"' % sha256, 'Last-Modified': http_date(last_modified_iso)}


def not_modified(request_headers, etag, last_modified_http):
    """True when the request's conditions say the client already holds this version."""
    if_none_match = request_headers.get('If-None-Match')
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(',')]
        # Weak comparison (RFC 9110 8.8.3.2): W/"x" matches "x".
        return '*' in tags or etag in [tag[2:] if tag.startswith('W/') else tag for tag in tags]
    if_modified_since = request_headers.get('If-Modified-Since')
    if if_modified_since is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.timezone.utc)
    return email.utils.parsedate_to_datetime(last_modified_http) <= since


def http_date_of_timestamp(seconds):
    """A file's modification time (seconds since the epoch) as an HTTP date."""
    return email.utils.formatdate(int(seconds), usegmt=True)
