"""`POST /_emulator/uploads`: how uploads behave, a view on the register's switch `keep_last_modified_date`.

`{"keep_last_modified_date": true}`: a re-upload keeps the stored archive's `file_metadata.last_modified_date`.
The register (tests/ece_behaviours.yml, entry `upload-moves-last-modified-date`) assumes that every upload
moves it (the modules' digest cache names a stored archive by id, size and that date); the switch lives in the
emulator's Assumptions, so this endpoint, `POST /_emulator/assumptions` and `--assumptions flipped` agree.
`GET` answers the current value; `POST /_emulator/reset` returns to the reading the emulator started with.
"""

from emulator_api import Response, failure

SWITCH = 'keep_last_modified_date'


def handle(method, read_json, assumptions):
    if method == 'POST':
        doc = read_json()
        if not isinstance(doc, dict) or set(doc) - {SWITCH} or not all(isinstance(value, bool) for value in doc.values()):
            return failure(400, 'root.invalid_json_request', 'Send {"keep_last_modified_date": true|false}.', ['body'])
        assumptions.update(doc)
    return Response(200, {SWITCH: assumptions[SWITCH]})
