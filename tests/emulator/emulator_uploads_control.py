"""`POST /_emulator/uploads`: how uploads behave, for assumptions of the modules that tests flip.

`{"keep_last_modified_date": true}`: a re-upload keeps the stored archive's `file_metadata.last_modified_date`.
The modules assume [O] that every upload moves it (their digest cache names a stored archive by id, size and
that date); with this switch a test shows they notice the other reading and stop trusting the date.
`GET` answers the current settings; `POST /_emulator/reset` puts the defaults back.
"""

from emulator_api import Response, failure

DEFAULTS = {'keep_last_modified_date': False}


class UploadSettings:  # pylint: disable=too-few-public-methods
    """The switches the store reads on each upload."""

    def __init__(self):
        self.values = dict(DEFAULTS)

    def reset(self):
        self.values = dict(DEFAULTS)


def handle(method, read_json, settings):
    if method == 'GET':
        return Response(200, dict(settings.values))
    doc = read_json()
    if not isinstance(doc, dict) or set(doc) - set(DEFAULTS) or not all(isinstance(value, bool) for value in doc.values()):
        return failure(400, 'root.invalid_json_request', 'Send {"keep_last_modified_date": true|false}.', ['body'])
    settings.values.update(doc)
    return Response(200, dict(settings.values))
