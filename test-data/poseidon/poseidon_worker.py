"""Calls Poseidon's unmodified worker.py `callback` on one job message, as its RabbitMQ consumer would.

Usage: python3 poseidon_worker.py WORKER_PY WORKERS_JSON JOB_JSON
(VOL_PREFIX, SWARM, KEEPIMAGES are read from the environment by worker.py itself.) worker.py opens
'workers.json' in the working directory (v0.10.3) or the path given (HEAD), so it runs from a temporary
directory holding the given file under that name.
"""
import importlib.util
import json
import os
import shutil
import sys
import tempfile


class Channel:
    def __init__(self):
        self.acked = []

    def basic_ack(self, delivery_tag):
        self.acked.append(delivery_tag)


class Method:
    routing_key = 'task_queue'
    delivery_tag = 1


def main():
    worker_py, workers_json, job = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    work = tempfile.mkdtemp()
    shutil.copy(workers_json, os.path.join(work, 'workers.json'))
    os.chdir(work)
    spec = importlib.util.spec_from_file_location('poseidon_worker', worker_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    channel = Channel()
    module.callback(channel, Method(), None, job.encode('utf-8'))
    shutil.rmtree(work)
    print(json.dumps({'acked': channel.acked}), flush=True)


if __name__ == '__main__':
    main()
