# -*- coding: utf-8 -*-
# Copyright: ece.platform contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The interpreter host var of the inventory plugin is a template that ansible-core 2.19+ agrees to render.

Since 2.19 a string from an inventory plugin is data, never templated, unless the plugin marks it trusted:
without the mark a fleet host's `ansible_python_interpreter` would stay the literal "{{ ansible_playbook_python }}"
and every module run on it would fail. The values read from ECE must stay untrusted (a deployment name is data).
"""

from __future__ import annotations

import pytest

from ansible.inventory.data import InventoryData

from ansible_collections.ece.platform.plugins.inventory.deployments import GROUP, InventoryModule

try:
    from ansible.template import Templar, is_trusted_as_template
except ImportError:  # before ansible-core 2.19 every string was a template; there is no mark to check
    is_trusted_as_template = None

pytestmark = pytest.mark.skipif(is_trusted_as_template is None, reason='ansible-core before 2.19 has no trusted templates')

INTERPRETER = '{{ ansible_playbook_python }}'
# A deployment named like a template: a value from the API must never be rendered.
HOSTS = {'search-eu': {'ece_deployment_id': 'a1b2c3d4' + '0' * 24, 'ece_deployment_name': '{{ lookup("env", "HOME") }}'}}
OPTIONS = {'strict': False, 'compose': {}, 'groups': {}, 'keyed_groups': []}


def _populated():
    plugin = InventoryModule()
    plugin.inventory = InventoryData()
    plugin.get_option = OPTIONS.__getitem__  # the options _populate reads, without a configuration file
    plugin._populate(HOSTS)  # pylint: disable=protected-access
    return plugin.inventory


def test_the_interpreter_host_var_is_trusted_as_a_template():
    host_vars = _populated().get_host('search-eu').vars
    assert host_vars['ansible_python_interpreter'] == INTERPRETER
    assert is_trusted_as_template(host_vars['ansible_python_interpreter'])
    assert host_vars['ansible_connection'] == 'local'


def test_it_renders_to_the_playbook_python_and_the_values_from_ece_do_not():
    inventory = _populated()
    host_vars = inventory.get_host('search-eu').vars
    templar = Templar(loader=None, variables={'ansible_playbook_python': '/opt/ansible/bin/python3'})
    assert templar.template(host_vars['ansible_python_interpreter']) == '/opt/ansible/bin/python3'
    assert not is_trusted_as_template(host_vars['ece_deployment_name'])
    assert templar.template(host_vars['ece_deployment_name']) == '{{ lookup("env", "HOME") }}'
    assert [host.name for host in inventory.groups[GROUP].get_hosts()] == ['search-eu']
