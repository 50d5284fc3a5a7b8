/**
 * The 221 feature names of NetworkML v0.6.8's host footprint, in model order (the original sorted its
 * column names; ASCII names sort the same in Python and JavaScript).
 */

export const PRIV_PORTS = [22, 23, 25, 53, 67, 68, 69, 80, 88, 110, 123, 137, 138, 139, 143, 161, 443, 631];
export const NONPRIV_PORTS = [1900, 2375, 2376, 5222, 5349, 5353, 5354, 5357, 6653];
export const FLAG_NAMES = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr', 'ns'];
export const DSFIELD_NAMES = ['ecn0', 'ecn1', 'dscp0', 'dscp1', 'dscp2', 'dscp3', 'dscp4', 'dscp5'];
export const WK_PROTOS = ['tcp', 'udp', 'icmp', 'arp', 'icmpv6', 'gre', 'esp', 'ah'];
export const STAT_NAMES = ['max', 'min', 'count', 'total', 'average', 'median', 'variance', '25q', '75q'];
export const DIRECTIONS = ['out', 'in'] as const;

function allNames(): string[] {
  const names: string[] = [];
  for (const dir of DIRECTIONS) {
    for (const col of ['frame_len', 'time_delta'])
      for (const stat of STAT_NAMES) names.push(`tshark_${stat}_${col}_${dir}`);
    for (const f of DSFIELD_NAMES) names.push(`tshark_ip_dsfield_${f}_${dir}`);
    for (const f of FLAG_NAMES) names.push(`tshark_ip_flags_${f}_${dir}`);
    for (const f of FLAG_NAMES) names.push(`tshark_tcp_flags_${f}_${dir}`);
    for (const proto of ['udp', 'tcp']) {
      for (const p of PRIV_PORTS) names.push(`tshark_${proto}_priv_port_${p}_${dir}`);
      names.push(`tshark_${proto}_priv_port_other_${dir}`);
      for (const p of NONPRIV_PORTS) names.push(`tshark_${proto}_nonpriv_port_${p}_${dir}`);
      names.push(`tshark_${proto}_nonpriv_port_other_${dir}`);
    }
  }
  names.push('tshark_ipv4', 'tshark_ipv6', 'tshark_ipx', 'tshark_nonip');
  names.push('tshark_both_private_ip', 'tshark_ipv4_multicast');
  for (const p of WK_PROTOS) names.push(`tshark_wk_ip_protocol_${p}`);
  names.push('tshark_tagged_vlan', 'tshark_unique_srcips', 'tshark_unique_dstips');
  return names.sort();
}

/** The names, in model order. */
export const HOST_FOOTPRINT_FEATURES: readonly string[] = allNames();

export const FEATURE_INDEX: ReadonlyMap<string, number> = new Map(
  HOST_FOOTPRINT_FEATURES.map((n, i) => [n, i]),
);

export function featureIndex(name: string): number {
  const i = FEATURE_INDEX.get(name);
  if (i === undefined) throw new Error(`unknown host-footprint feature ${name}`);
  return i;
}
