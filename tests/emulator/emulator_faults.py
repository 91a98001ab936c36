"""Injected faults and the request log: the two test hooks that observe or disturb API traffic.

Faults let tests reproduce what a real ECE (or the network in front of it) does on a bad day: an error
status, a dropped connection, a slow reply. The log lets tests prove what a client actually sent.
Neither ever stores an Authorization header value.
"""

import collections
import re
import threading

# Enough for any test or benchmark run; older entries are dropped so a long demo cannot grow without bound.
MAX_LOG = 100000


class FaultError(ValueError):
    """A fault definition posted to /_emulator/faults is invalid."""


# Every field a fault may carry: a typo must not queue a different fault than the test meant.
FAULT_KEYS = ('method', 'path', 'count', 'action', 'status', 'retry_after', 'code', 'message', 'seconds')


def _number(doc, key, default=None, minimum=0):
    value = doc.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise FaultError('"%s" must be a number >= %s' % (key, minimum))
    return value


class Fault:  # pylint: disable=too-many-instance-attributes,too-few-public-methods
    """One queued fault: which requests it matches, how many it still applies to, what it does."""

    def __init__(self, doc):
        if not isinstance(doc, dict):
            raise FaultError('a fault must be a JSON object')
        unknown = sorted(set(doc) - set(FAULT_KEYS))
        if unknown:
            plural = 's' if len(unknown) > 1 else ''
            raise FaultError('unknown fault field%s %s; the fields are %s' % (plural, ', '.join(unknown), ', '.join(FAULT_KEYS)))
        method = doc.get('method')
        if method is not None and not isinstance(method, str):
            raise FaultError('"method" must be a string')
        self.method = method.upper() if method else None
        path = doc.get('path')
        if path is not None and not isinstance(path, str):
            raise FaultError('"path" must be a string (a regular expression)')
        try:
            self.path = re.compile(path) if path else None
        except re.error as exc:
            raise FaultError('"path" is not a valid regular expression: %s' % exc) from None
        count = _number(doc, 'count', 1, 1)
        if count != int(count):
            raise FaultError('"count" must be an integer >= 1')
        self.count = int(count)
        self.action = doc.get('action', 'status')
        if self.action not in ('status', 'reset', 'delay'):
            raise FaultError('"action" must be one of status, reset, delay')
        self.seconds = _number(doc, 'seconds')
        if self.action == 'delay' and self.seconds is None:
            raise FaultError('a delay fault needs "seconds"')
        self.status = doc.get('status')
        if self.action == 'status' and (isinstance(self.status, bool) or not isinstance(self.status, int) or not 100 <= self.status <= 599):
            raise FaultError('a status fault needs an integer "status" between 100 and 599')
        self.retry_after = _number(doc, 'retry_after')
        self.code = doc.get('code')
        self.message = doc.get('message')
        if not isinstance(self.code, (str, type(None))) or not isinstance(self.message, (str, type(None))):
            raise FaultError('"code" and "message" must be strings')
        self.doc = dict(doc)

    def matches(self, method, path):
        return (self.method is None or self.method == method) and (self.path is None or self.path.search(path) is not None)


class FaultQueue:
    """Faults in the order they were posted; the first one matching a request applies to it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)

    def take(self, method, path):
        """The first fault matching this request, with one use consumed; None when nothing matches."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        del self._faults[index]
                    return fault
        return None

    def pending(self):
        with self._lock:
            return [dict(fault.doc, count=fault.count) for fault in self._faults]

    def clear(self):
        with self._lock:
            self._faults.clear()


class RequestLog:
    """What clients sent: API requests, and downloads of stored archives (the temporary URLs)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._api = collections.deque(maxlen=MAX_LOG)
        self._files = collections.deque(maxlen=MAX_LOG)

    def api(self, method, path, query, status, body_sha256, content_type=None):  # pylint: disable=too-many-arguments
        """Record one /api/v1 request. `body_sha256` is None (JSON null) when no body byte arrived;
        `content_type` is the request's Content-Type header, None when it had none."""
        with self._lock:
            self._api.append({'method': method, 'path': path, 'query': query, 'status': status, 'body_sha256': body_sha256,
                              'content_type': content_type})

    def file(self, method, path, authorization_sent, status):
        """Record one archive download; only whether credentials were sent, never their value."""
        with self._lock:
            self._files.append({'method': method, 'path': path, 'authorization_sent': authorization_sent, 'status': status})

    def api_entries(self):
        with self._lock:
            return list(self._api)

    def file_entries(self):
        with self._lock:
            return list(self._files)

    def clear(self):
        with self._lock:
            self._api.clear()
            self._files.clear()
