/**
 * Packets of a long capture whose hosts come and go: a device at 192.168.1.20 (MAC 02:00:00:00:00:14) and,
 * in each one-minute bin, `newPerBin` neighbours never seen before, each sending the device one UDP packet
 * and getting one back. With `macs: false` the link has no MAC layer (a tunnel) and the neighbours sit at
 * public addresses. One PacketRecord is refilled for every packet, as the readers do.
 */
import { PacketRecord } from '../capture/packet.js';

export const CHURN_BIN_S = 60;

export function feedHostChurn(
  add: (p: PacketRecord) => void,
  options: { bins: number; newPerBin: number; macs: boolean },
): void {
  const p = new PacketRecord();
  p.hasMacs = options.macs;
  p.ipVersion = 4;
  p.ipProto = p.l4Proto = 17;
  p.ttl = 64;
  p.originalLength = 90;
  p.ipLength = 76;
  p.l4PayloadLength = 48;
  p.capturedLength = 90;
  const device = Uint8Array.of(192, 168, 1, 20);
  const deviceMac = Uint8Array.of(2, 0, 0, 0, 0, 0x14);
  const neighbour = new Uint8Array(4);
  const neighbourMac = new Uint8Array(6);
  let n = 0;
  for (let bin = 0; bin < options.bins; bin++) {
    for (let i = 0; i < options.newPerBin; i++, n++) {
      // Neighbour n: MAC 02:01:…:n, and a private address (with MACs) or a public one (without).
      neighbourMac.set([2, 1, 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
      if (options.macs) neighbour.set([10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
      else neighbour.set([100 + ((n >> 16) & 0x3f), (n >> 8) & 0xff, n & 0xff, 1]);
      for (let reply = 0; reply < 2; reply++) {
        const us = (bin * CHURN_BIN_S + (i * 50) / options.newPerBin) * 1e6 + reply * 1000;
        p.tsSec = 1_700_000_000 + Math.floor(us / 1e6);
        p.tsNsec = (us % 1e6) * 1000;
        p.srcAddr.set(reply ? device : neighbour);
        p.dstAddr.set(reply ? neighbour : device);
        p.macs.set(reply ? neighbourMac : deviceMac, 0);
        p.macs.set(reply ? deviceMac : neighbourMac, 6);
        // The frame's first 12 bytes, where the session stage reads the MACs from.
        p.frameHead.set(p.macs);
        p.srcPort = reply ? 5683 : 40_000 + (n % 20_000);
        p.dstPort = reply ? 40_000 + (n % 20_000) : 5683;
        add(p);
      }
    }
  }
}
