"""`make demo`: start the ECE emulator and a file server, run demo/demo.yml against them, stop both.

The emulator and the file server are stopped also when the playbook fails; the exit code is the playbook's.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import zipfile

import collection_tree
import emulator_process

REPO = emulator_process.REPO


def write_zip(path, files):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)


def plugin_files(build, es_version='8.15.1'):
    return {
        'plugin-descriptor.properties': ('description=Demo analysis plugin\nversion=1.0.%d\nname=demo-analysis\n'
                                         'classname=org.example.DemoPlugin\njava.version=17\nelasticsearch.version=%s\n' % (build, es_version)),
        'demo-analysis.jar': 'not really a jar, build %d\n' % build,
    }


def main():
    api_key = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix='ece-demo-') as tmp:
        served = os.path.join(tmp, 'served')
        os.makedirs(served)
        write_zip(os.path.join(served, 'synonyms.zip'), {'dictionaries/synonyms.txt': 'laptop, notebook\nphone, mobile\n'})
        write_zip(os.path.join(tmp, 'analysis-1.zip'), plugin_files(1))
        write_zip(os.path.join(tmp, 'analysis-2.zip'), plugin_files(2))
        write_zip(os.path.join(tmp, 'analysis-8.16.0.zip'), plugin_files(2, '8.16.0'))  # the same build, for Elasticsearch 8.16.0
        with emulator_process.emulator(api_key=api_key) as host, emulator_process.file_server(served) as archive_url:
            print('ECE emulator: %s, archives served at %s' % (host, archive_url), flush=True)
            extra_vars = {
                'demo_host': host, 'demo_archive_url': archive_url,
                'demo_plugin_zip': os.path.join(tmp, 'analysis-1.zip'), 'demo_plugin_zip_v2': os.path.join(tmp, 'analysis-2.zip'),
                'demo_plugin_zip_8160': os.path.join(tmp, 'analysis-8.16.0.zip'),
                'ansible_python_interpreter': sys.executable,
            }
            env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collection_tree.source_collections_path(), ECE_API_KEY=api_key,
                       ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
            cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), os.path.join(REPO, 'demo', 'demo.yml'),
                   '-e', json.dumps(extra_vars)]
            return subprocess.run(cmd, env=env, check=False).returncode


if __name__ == '__main__':
    sys.exit(main())
