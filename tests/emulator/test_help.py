"""The emulator's --help tells a test author every control endpoint."""

import os
import subprocess
import sys

import pytest

EMULATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ece_emulator.py')


@pytest.mark.parametrize('endpoint', ['POST /_emulator/reset', 'POST /_emulator/extensions/{id}/deployments',
                                      'POST /_emulator/faults', 'GET  /_emulator/requests'])
def test_help_lists_the_control_endpoints(endpoint):
    out = subprocess.run([sys.executable, EMULATOR, '--help'], capture_output=True, text=True, check=True).stdout
    assert endpoint in out
