#!/usr/bin/python3
"""The device's side of f6-dht-p2p: a libtorrent DHT node (python3-libtorrent) that joins the DHT through the
given bootstrap nodes and, like a Mozi-style P2P bot, looks up a few info-hashes (its botnet's "rendezvous" keys)
and stores a few items (BEP 44 put), spread over SECONDS seconds. No torrent is downloaded; LSD, UPnP and NAT-PMP
are off, and only the given addresses are contacted (no name lookups).
argv: LISTEN_IP SECONDS LOOKUPS BOOTSTRAP_NODE..."""
import hashlib, sys, time

import libtorrent as lt

ip, seconds, lookups = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
boot = ",".join(sys.argv[4:])
ses = lt.session({
    "listen_interfaces": f"{ip}:6881",
    "enable_dht": True,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "dht_bootstrap_nodes": boot,
    "alert_mask": lt.alert.category_t.dht_notification,
})
t0 = time.time()
keys = [lt.sha1_hash(hashlib.sha1(f"cfg-{i}-7f3a".encode()).digest()) for i in range(lookups)]
k = 0
gap = (seconds - 10) / max(lookups, 1)  # lookups spread over the run, from 5 s in
while time.time() - t0 < seconds:
    time.sleep(0.5)
    if k < len(keys) and time.time() - t0 > 5 + k * gap:
        ses.dht_get_peers(keys[k])
        if k % 3 == 0:  # a signed-config-sized blob stored in the DHT (put, BEP 44), as Mozi keeps its config
            ses.dht_put_immutable_item(f"cfg:{k}:".encode() + hashlib.sha256(bytes([k])).hexdigest().encode() * 6)
        k += 1
    for a in ses.pop_alerts():
        pass
print("lookups", k, file=sys.stderr)
