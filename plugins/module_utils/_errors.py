# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to the ece.platform collection: the one error type every layer raises.

It carries what a user needs to act on a failure (status, ECE's error codes and messages, the
request's method and URL) and by construction never a credential: the URL is the API URL the
client built, and no header is ever stored.
"""

from __future__ import annotations

from typing import Any


class EceError(Exception):
    """A failure with a message meant for the user; `details` become extra keys of the task result."""

    def __init__(self, msg: str, **details: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.details = details

    def result(self) -> dict[str, Any]:
        """The keyword arguments for AnsibleModule.fail_json."""
        out = dict(self.details)
        out['msg'] = self.msg
        return out


class EceApiError(EceError):
    """An HTTP request to ECE that failed: transport error or a non-2xx reply."""

    def __init__(self, msg: str, method: str, url: str, status: int | None = None, errors: list | None = None,
                 timed_out: bool = False) -> None:
        super().__init__(msg, method=method, url=url, status=status, errors=list(errors or []))
        # No answer in time: the server may still be working on the request.
        self.timed_out = timed_out
        self.method = method
        self.url = url
        self.status = status
        self.errors = list(errors or [])

    @property
    def codes(self) -> list:
        return [error.get('code') for error in self.errors if isinstance(error, dict)]

    def has_code(self, code: str) -> bool:
        return code in self.codes

    def ece_messages(self) -> str:
        """ECE's own messages joined for a sentence, e.g. 'Cannot delete extension [1]. It is used by ...'."""
        return ' '.join(str(error.get('message', '')).strip() for error in self.errors if isinstance(error, dict)).strip()


def named_alike(count: int, noun: str, name: str) -> str:
    """'2 extensions are named synonyms': how every refusal starts when a name picks several objects (ECE does not keep
    names unique); the caller adds which ones and how to choose."""
    return '%d %s are named %s' % (count, noun, name)
