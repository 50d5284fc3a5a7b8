"""Runs Poseidon HEAD's unmodified consumer (sdnevents.py + rabbit.py) against a broker.

Usage: python3 poseidon_consumer.py HOST PORT COUNT TIMEOUT_S
Declares the exchange and binds `poseidon_main` exactly as Poseidon does (giving up after 10 s instead of
retrying forever), prints READY (or DECLARE-FAILED and exits 3), then passes COUNT messages through
handler_algos_decider/merge_metadata and prints one JSON object: {"stored": {MAC: metadata}, "returned": [...]}.
"""
import importlib.util
import json
import logging
import os
import sys
import time
import types
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The parts of poseidon_core that sdnevents.py imports but this path never uses.
for pkg in ('poseidon_core', 'poseidon_core.helpers'):
    sys.modules[pkg] = types.ModuleType(pkg)
actions = types.ModuleType('poseidon_core.helpers.actions')
actions.Actions = object
sys.modules['poseidon_core.helpers.actions'] = actions
config = types.ModuleType('poseidon_core.helpers.config')


class Config:
    def get_config(self):
        return {'FA_RABBIT_ROUTING_KEY': 'FAUCET.Event'}


config.Config = Config
sys.modules['poseidon_core.helpers.config'] = config
rabbit = load('poseidon_core.helpers.rabbit', os.path.join(HERE, 'head', 'rabbit.py'))
sdnevents = load('sdnevents', os.path.join(HERE, 'head', 'sdnevents.py'))


class Endpoint:
    def __init__(self, mac):
        self.mac = mac
        self.metadata = {}

    def operation_active(self):
        return False


class Sdnc:
    """The controller's endpoint table: every MAC a result names is a known endpoint here."""

    def __init__(self):
        self.endpoints = {}
        self.sdnc = None

    def default_endpoints(self):
        pass

    def endpoints_by_mac(self, mac):
        return [self.endpoints.setdefault(mac, Endpoint(mac))]

    def endpoints_by_ip(self, ip):
        return []


class Gauge:
    def labels(self, **_):
        return self

    def set(self, _):
        pass


class Prom:
    prom_metrics = defaultdict(Gauge)

    def update_endpoint_metadata(self, _):
        pass

    def runtime_callable(self, fn):
        return fn()


def main():
    host, port, count, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    logging.basicConfig(level=logging.WARNING)
    sdnc = Sdnc()
    events = sdnevents.SDNEvents(logging.getLogger('poseidon'), Prom(), sdnc)
    r = rabbit.Rabbit()
    if not r.make_rabbit_connection(host, port, 'topic-poseidon-internal',
                                    ['poseidon.algos.#', 'poseidon.action.#'], total_sleep=10):
        print('DECLARE-FAILED', flush=True)
        os._exit(3)
    r.start_channel(events.rabbit_callback, events.m_queue)
    print('READY', flush=True)
    returned = []
    deadline = time.time() + timeout
    while len(returned) < count and time.time() < deadline:
        found, item = events.get_q_item(events.m_queue)
        if not found:
            time.sleep(0.05)
            continue
        value, handled = events.format_rabbit_message(item, [], [])
        returned.append({'routing_key': item[0], 'handled': handled, 'value': value})
    stored = {mac: dict(ep.metadata.get('mac_addresses', {}).get(mac, {})) for mac, ep in sdnc.endpoints.items()}
    print(json.dumps({'stored': stored, 'returned': returned}), flush=True)
    os._exit(0 if len(returned) >= count else 4)


if __name__ == '__main__':
    main()
