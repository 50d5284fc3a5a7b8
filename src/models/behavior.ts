/**
 * The behaviour model: "is this host-bin like the normal host-bins we trained on?", without knowing the
 * device's type.
 *
 * Math: each feature x_f is transformed (log1p for counts and rates) and robust-standardised,
 * z_f = clip((t(x_f) − median_f) / max(IQR_f, floor_kind), ±clip), with median and IQR over the training
 * host-bins. A bin's raw score is
 *   s = (1/k) Σ_{j ∈ kNN(z)} ‖z − z_j‖
 *       + λ · ( ln(1 + |N|) + ln(1 + max_{c∈N} peers_c) + α ln(1 + a_N) + β·[a_N > 0] )
 *       + μ ln(1 + |P|) + ν ln(1 + max(max_{q∈P} conns_q − c₀, 0)) + η ln(1 + c)·[c ≥ c_min]
 *       + ρ max(B − b₀, 0) + ψ max(ln(U / U_k) − ln 4, 0) + σ·[a second stack],
 * the mean distance to its k nearest training bins plus novelty: N the services (direction, protocol,
 * server port) the bin used that none of those k neighbours used, a_N the connections among them on
 * admin/lateral-movement TCP ports (SMB, RPC, RDP, SSH, …; β: any at all is news; TCP sessions on
 * industrial control ports count there too, with their own bonus, when none of the k neighbours spoke an
 * industrial protocol, and so does industrial UDP the device sent when the training devices with its MAC
 * vendor prefix never spoke one), P the public peers none of the neighbours talked to and conns_q the bin's
 * connections with q (a beacon opens dozens with one new address; c₀ of them are free, a device moving to
 * a new cloud address opens a few). The distance is
 * ‖z − z_j‖ = Σ_f w_f |z_f − z_j,f| (L1, so one feature far off counts fully instead of being averaged away
 * among 32; w_f = ½ where the bin lies below the neighbour: less traffic is less suspicious than more).
 * B = Σ_f ln((1 + x_f) / (1 + M_f)) over the count and range features where x_f exceeds M_f, the most any
 * training window (of another capture) had: counts far beyond anything normal (64 ARP requests in 5 minutes,
 * where no normal device sent more than 10) are news however near the rest of the window is, and the clipped
 * log distance caps them; b₀ = ln 2 (up to twice the training maximum) is free. Range features (distinct ARP
 * targets) are only here, not in the distance. U is the window's largest upload in one connection (from 100 kB)
 * and U_k the largest of its k neighbours': four times as much is free.
 * c is the most of N that one normal window of another label (device type) used: a device that also does
 * another type's job uses that type's services. One type per capture: the training label L* whose own
 * references fit the capture's worst-fitting window best (min_L max_w s_L(w), s_L: the same score with
 * neighbours among L's references only) is the capture's type; a window that fits another label better, and is itself near normal
 * windows (s ≤ the 0.9 quantile of cross-validated s), scores s + ω·max(s_{L*} − s, 0) instead of s: its
 * windows of two types fit no one type, while an unseen type's fit none and s already says so. Two labels
 * whose cross-validated training windows fit each other's references best (a quarter of either's, or more)
 * are one type here: sibling models of one firmware are not two jobs.
 * Vendor: when the device's MAC vendor prefix (OUI) is one training captures of labels V had, a window of at
 * least 5 packets scores at least s + υ·max(min_{L∈V} s_L − s − v₀, 0): a kettle maker's MAC whose traffic fits
 * a WeMoSwitch's normal windows and no kettle's is a device doing another type's job. An OUI never seen in
 * training (or a locally administered, random one) leaves s as it is.
 * A second stack: the host's network stacks so far (initial-TTL classes; SYN option lengths) include, of one
 * kind, one that none of the k neighbours' training captures had beside one they had — another machine or OS
 * sending from its address. One new stack alone is another model of a device, not news.
 * Bins are short windows (default 5 minutes), so a two-minute attack is not diluted in a 15-minute bin.
 * Scores are calibrated on cross-validated training scores (each training capture scored against the
 * others only): a bin's tail probability p(s) is 1 − (its interpolated rank among them)/(n+1); above
 * their (1 − ρ) quantile u it is ρ·exp(−(s − u)/τ), τ the mean excess over u (peaks over threshold).
 * A capture of m windows has abnormality (1 − min p)^(m^γ): m^γ (γ = ½) is the effective number of
 * independent windows, since neighbouring windows of one device are correlated. The threshold is 1 − the
 * false-alarm rate. A role with enough training windows has its own scores and tail (per-role calibration).
 */
import type { z as Zod } from 'zod';
import { ModelError, UsageError } from '../errors.js';
import {
  ADMIN_PORTS,
  BEHAVIOR_FEATURE_COUNT,
  BEHAVIOR_FEATURES,
  type BeaconEntry,
  type BehaviorFeatureKind,
  FROM_INTERNET,
  HELD_SESSION_S,
  isIndustrialService,
  isLanRequestService,
  isOutgoingRoutingService,
  isOutgoingService,
  RESUME_IDLE_US,
  STACK_SYN_MASK,
  STACK_TTL_MASK,
  serviceCode,
  servicePeersText,
  serviceText,
  stackBitsText,
} from '../features/behavior.js';

const ADMIN_PORT_SET = new Set(ADMIN_PORTS);
/** The kinds of network-stack bits the second-stack term judges apart: TTL classes, SYN option lengths. */
const STACK_KINDS = [STACK_TTL_MASK, STACK_SYN_MASK] as const;
/**
 * ARP frames claiming another address than the device's own that make a window's claims news: a spoofer
 * repeats its claim every second or few (arpspoof: 1–2 s; ettercap: 10 s, 30 in five minutes); a device names
 * a stale or default address once or twice when it joins the network (IoT Sentinel's setups do).
 */
const ARP_CLAIMS_MIN = 5;
/**
 * Packets from a foreign source (BehaviorBin.foreignSources) that make a window's news: a spoofed request
 * stream is hundreds (a reflection, a flood); a device whose address just changed sends one or two before its
 * neighbours answer it at the new one.
 */
const FOREIGN_SOURCES_MIN = 10;
/**
 * One-way UDP bytes to one new public address that the type-range term forgives whatever the types had (a
 * lost NTP or DNS exchange is a few hundred bytes; an MTU-sized datagram nobody answered is no push yet).
 */
const ONE_WAY_FREE_BYTES = 1500;
/**
 * An upload in one connection at least UPLOAD_NOTABLE_RATIO times the largest of its nearest normal windows and
 * UPLOAD_NOTABLE_BYTES long is scored by the upload term and named among the reasons, even where the feature's
 * spread over all devices (cameras upload megabytes) keeps its standard score small: data leaving is what an
 * analyst checks first (a 423 kB upload beside the neighbours' 47 kB was not named).
 */
const UPLOAD_NOTABLE_RATIO = 4;
const UPLOAD_NOTABLE_BYTES = 100_000;
const MAX_UPLOAD_FEATURE = BEHAVIOR_FEATURES.findIndex((f) => f.name === 'flow.maxBytesOut');

/**
 * Outgoing TCP services a device uses with its local resolver, not to step to a neighbour: DNS retried over TCP
 * after a truncated answer, and DNS over TLS. The LAN-service term passes them over.
 */
const LAN_RESOLVER_TCP: ReadonlySet<number> = new Set([serviceCode(true, 0, 53), serviceCode(true, 0, 853)]);
/**
 * Web ports the listen-service term leaves to the other terms: a device's own web page is the commonest server
 * on it, and its type's training captures may never show anyone opening it (a camera's setup through its page).
 * Opened from an internet address (FROM_INTERNET), the code is another and counts.
 */
const WEB_SERVER_TCP: ReadonlySet<number> = new Set(
  [80, 443, 8080, 8443].map((p) => serviceCode(false, 0, p)),
);

/** How a host of the local network took part in a LAN service (see unseenLanServices), inside its service's reason. */
function lanPartText(code: number): string {
  const proto = (code >> 16) & 3;
  if (proto === 1)
    return '; a host of the local network answered it: no training device used it with a local host';
  if (proto === 3)
    return "; a host of the local network exchanged it with the device: no training device spoke it with a local host — an end device in the network's control plane announces routes or claims the gateway";
  return '; a host of the local network accepted it: no training device connected to a local host on it';
}

/** The reason for a LAN service (see unseenLanServices) that is not otherwise new. */
function lanServiceText(code: number): string {
  const proto = (code >> 16) & 3;
  if (proto === 1)
    return `${serviceText(code)} to a host of the local network, which answered: no training device used it with a local host — an intruder's way to a neighbour's service (a management agent, a login)`;
  if (proto === 3)
    return `${serviceText(code)} with a host of the local network, which exchanged it with the device: no training device spoke it with a local host — an end device in the network's control plane announces routes or claims the gateway`;
  return `${serviceText(code)} to a host of the local network, which accepted: no training device connected to a local host on it — a worm's or an intruder's way in to a neighbour (a web admin page, a login)`;
}

/** A TCP service (either direction) on an admin/lateral-movement port. */
function isAdminTcp(code: number): boolean {
  return ((code >> 16) & 3) === 0 && ADMIN_PORT_SET.has(code & 0xffff);
}

/**
 * A TCP service on an industrial control port: a session with a controller. Industrial UDP is left out of the
 * bonus (it still makes a neighbourhood industrial): here it was broadcast discovery (MELSOFT's search on 5560)
 * from engineering stations whose type had one training capture, and counting it raised false alarms 0 → 3 %.
 * It counts only from a device whose maker's devices in training never spoke an industrial protocol
 * (vendorIndustrialUdp).
 */
function isIndustrialTcp(code: number): boolean {
  return ((code >> 16) & 3) === 0 && isIndustrialService(code);
}

/** Industrial UDP the device sent to a server port (not a broadcast it only received). */
function isOutgoingIndustrialUdp(code: number): boolean {
  return isOutgoingService(code) && ((code >> 16) & 3) === 1 && isIndustrialService(code);
}

import { Rng } from './rng.js';
import { finiteArray, lazy, zod } from './zod-lazy.js';

export const DEFAULT_FALSE_ALARM_RATE = 0.01;
/** Window length (s) of the host-bins the behaviour model compares. */
export const DEFAULT_BEHAVIOR_WINDOW_S = 300;

/** Per feature, the index of the TCP attempts its failure share is a share of (-1: none; see shareEvidence). */
const SHARE_ATTEMPTS: Int32Array = (() => {
  const at = (name: string) => BEHAVIOR_FEATURES.findIndex((f) => f.name === name);
  const out = new Int32Array(BEHAVIOR_FEATURES.length).fill(-1);
  out[at('tcp.out.unansweredShare')] = at('tcp.out.attempts');
  out[at('tcp.out.resetShare')] = at('tcp.out.attempts');
  out[at('tcp.in.rejectedShare')] = at('tcp.in.attempts');
  return out;
})();

/** Fewest training windows the thinCalibration tail is fitted from (fewer: those roles use the population's). */
const THIN_TAIL_MIN_WINDOWS = 10;

export interface BehaviorOptions {
  /** Length (s) of the windows host behaviour is measured over. */
  windowS?: number;
  /** Neighbours whose mean distance is the score. */
  k?: number;
  /** Weight λ of the novelty term, in standardised units. */
  noveltyWeight?: number;
  /** Weight of ln(1 + connections of new services on admin/lateral-movement TCP ports) in the novelty term. */
  adminNoveltyWeight?: number;
  /**
   * Added once when any new service is on an admin/lateral-movement TCP port: one SMB or RDP connection from
   * a device whose nearest normal devices never use them is news, however few connections it took.
   */
  adminServiceBonus?: number;
  /**
   * Added once when a window opens TCP sessions on an industrial control port (S7comm, Modbus, DNP3, MELSEC, …)
   * and none of its nearest normal windows used any industrial protocol; those connections then count with the
   * admin ones. A camera opening one S7 connection is doing an engineering station's job; an engineering
   * station using another industrial port than its neighbours is only a new service. 0: off (model files made
   * before it was added).
   */
  industrialServiceBonus?: number;
  /**
   * Weight σ of the second-stack term: added once when the host's network stacks so far (initial-TTL classes,
   * SYN option lengths: see STACK_TTL_MASK) include one the captures of its nearest normal windows never used
   * beside one they did. Another machine or OS sending from the device's address (a host behind it, a spoofed
   * or replaced device, traffic of another type's software) shows up this way; a model the training lacked
   * (its one stack is new) does not. 0: off (model files made before it was added).
   */
  stackWeight?: number;
  /**
   * Weight of the ARP-claims term: added once when ARP_CLAIMS_MIN or more of a window's ARP frames claim
   * another address than the device's own (BehaviorBin.arpClaims) and no window of its nearest normal
   * devices' captures had as many. Answering for another host's address — the gateway's, to sit in the middle
   * of its traffic — is ARP spoofing, and the L1 distance cannot see it (ARP is no feature). 0: off (model
   * files made before it was added).
   */
  arpClaimWeight?: number;
  /**
   * Weight of the foreign-source term: added once when FOREIGN_SOURCES_MIN or more of a window's IPv4 packets
   * left the device from a neighbour's address of its /24 at which it was never reached (BehaviorBin
   * .foreignSources), and no window of its nearest normal devices' captures had as many. Spoofing a neighbour's
   * address makes the answers go to the neighbour: a reflection or flood aimed at it, or traffic sent in its
   * name. 0: off (model files made before it was added).
   */
  foreignSourceWeight?: number;
  /**
   * Weight of the beacon term: added once when a window has a regular endpoint (BehaviorBin.beacons: 4+
   * check-ins at a steady interval) whose public address no training device of its nearest normal devices'
   * types talked to, and more regular endpoints of that service (protocol and port) than any window of those
   * devices' captures had. A device's own heartbeat goes to an address its type knows, or is its type's one
   * regular endpoint of the service (an NTP client's pool servers are several); an implant's check-ins with
   * its controller are one more. 0: off (model files made before it was added).
   */
  beaconWeight?: number;
  /**
   * Industrial UDP counts with industrial TCP (industrialServiceBonus) when the device's MAC vendor prefix is
   * one training devices had and none of those devices spoke an industrial protocol: a D-Link camera sending
   * MELSOFT discovery is probing for PLCs, while an engineering station (of a maker training has no, or an
   * industrial, device of) broadcasting it is doing its job. false: industrial TCP only (model files made
   * before it was added).
   */
  vendorIndustrialUdp?: boolean;
  /**
   * The other-type term (otherTypeWeight) does not name a label of the training devices with the device's MAC
   * vendor prefix: an Edimax plug whose nearest normal windows are a camera's, using services Edimax plugs in
   * training used, is doing its own type's job. false: it may (model files made before it was added).
   */
  otherTypeSkipsVendor?: boolean;
  /**
   * c of the evidence behind a TCP failure share: the share counts as share · n / (n + c), n the window's TCP
   * attempts in that direction. One incoming connection refused is 100 % refused, and says little; a scan's
   * hundreds refused say it all. 0: the share as it is (model files made before it was added).
   */
  shareEvidence?: number;
  /** Weight μ of the public-peer novelty term ln(1 + public peers none of the neighbours talked to). */
  peerWeight?: number;
  /**
   * Weight ν of ln(1 + most connections with one public peer none of the neighbours talked to): a beacon
   * opens dozens of connections to one new address, a device's cloud address rotation a few.
   */
  peerFlowWeight?: number;
  /** Connections with a new public peer that are free: a device moving to a new cloud address opens a few. */
  peerFlowFree?: number;
  /** |z| is clipped here so one wild feature cannot drown the rest. */
  clip?: number;
  /**
   * ε of the local scale: the score is divided by ε + the mean cross-validated score of the k neighbours, so a
   * bin is judged against how far normal bins of its own neighbourhood (in practice its own device type) lie
   * from each other (as LOF does). 0 turns the local scale off.
   */
  localFloor?: number;
  /** Target false-alarm rate per normal capture at the stored threshold. */
  falseAlarmRate?: number;
  /**
   * Calibration uses the cross-validated scores of bins whose label has at least this many training captures
   * (a type seen once, scored without its only capture, measures "a type never seen", not normal variation).
   * Default 5: on the development benchmark 1 (all labels) gave 0 % test false alarms and 31 %/12 % detection.
   */
  calibrationMinCaptures?: number;
  /**
   * A role (training label) with at least this many calibration windows gets its own tail probabilities
   * (per-role threshold); fewer cannot estimate a 1 % tail, so those roles use the population's.
   */
  roleCalibrationMin?: number;
  /**
   * A role (training label) with fewer than calibrationMinCaptures training captures is judged by the pooled
   * cross-validated scores of the captures of such roles with at least two (each scored without itself, its
   * type's other captures in), wherever that tail is the more lenient: a new capture of a type seen two to
   * four times lies as far from them as they lay from each other (a camera's idle, setup and update captures
   * are three behaviours), which the population's well-sampled types do not show. false: the population's
   * (model files made before it was added).
   */
  thinCalibration?: boolean;
  /** Training bins kept as references at most (a seeded sample beyond that). */
  maxReferences?: number;
  seed?: number;
  /** p of the p-norm distance (1: a deviation counts fully however many features agree; 2: Euclidean). */
  norm?: number;
  /** γ of the effective number of independent windows m^γ among a capture's m (neighbouring windows correlate). */
  windowExponent?: number;
  /** Share of the normal scores whose upper tail is modelled as exponential (0: ranks only). */
  tailShare?: number;
  /** Weight of deviations below the neighbours (fewer packets, peers, ports) relative to those above. */
  belowWeight?: number;
  /**
   * Weight ω of the one-type term: how much worse the capture's windows fit the normal windows of the one
   * training label that fits the whole capture best than they fit the population's (0: off).
   */
  labelWeight?: number;
  /** How a capture's windows pick their one label: the label whose worst window fits best ('max') or whose windows fit best on average ('mean'). */
  labelFit?: 'max' | 'mean';
  /**
   * Only windows that look normal for some label (population score at most labelBound) choose the capture's
   * one label, unless none does: a window far from every normal window (a boot burst no training capture
   * shows) says nothing about which type the device is, and letting it choose would judge the device's
   * ordinary windows against another type's (false: every window chooses, as model files made before it).
   */
  labelFitNormalOnly?: boolean;
  /**
   * Only windows that fit another label better and look normal for it count in the one-type term: their
   * population score at most this quantile of the cross-validated population scores (a near-empty edge
   * window fits no label well, and is no sign of a second type). 1: no bound.
   */
  labelNormalQuantile?: number;
  /**
   * Weight η of ln(1 + c): c the most of a window's new services (those its nearest normal windows never
   * used) that one normal window of another label used; counted from otherTypeMin of them (0: off). A device
   * that also does another type's job uses that type's set of services, not one stray port.
   */
  otherTypeWeight?: number;
  otherTypeMin?: number;
  /**
   * Weight ρ of max(B − b₀, 0), B = Σ over count features of ln((1 + x) / (1 + the most any normal window of
   * another capture had)) where x exceeds it: 64 ARP requests in 5 minutes from a device type whose normal
   * windows sent at most 10 (an arping sweep) is news however close the rest of the window is (0: off).
   */
  beyondWeight?: number;
  /** b₀: how far (in ln units) beyond the training range is free: normal windows of a new capture go a bit beyond. */
  beyondFree?: number;
  /**
   * Weight ψ of max(ln(x / M) − ln UPLOAD_NOTABLE_RATIO, 0) for x, the window's largest upload in one
   * connection, from UPLOAD_NOTABLE_BYTES on; M the largest of its nearest normal windows (0: off). Uploads vary
   * by device over three orders of magnitude (cameras send megabytes), so neither the distance nor the
   * range term sees 423 kB leaving a device whose nearest normal windows sent at most 26 kB in one connection:
   * compared with those windows, it is what data theft looks like.
   */
  uploadWeight?: number;
  /**
   * Added once when the device held a session (10 s or more, answered) with a public peer on an outgoing TCP
   * service (a server port) that no training capture used at all, with any peer (0: off): a reverse shell to
   * 4444, an IRC bot on 6667, a mining pool on 3333 — one quiet session that the distance and the neighbours'
   * novelty barely see. Devices' own cloud services are ones some training device of the type used; a rare one
   * is met in a request and its answer (a WeMo's TLS exchange on 8445: 1.6 s), not a session held open. Scaled
   * by 1 − the rate at which new captures of the neighbours' types meet such a service (labelUnseenRates).
   * Added once more for a UDP conversation held the same way (answered, 10 s or more) on an outgoing UDP service
   * no training capture used (a VPN to the IPsec NAT-traversal port, a TURN relay), scaled by its own rates
   * (labelUdpUnseenRates): a device's own UDP with the internet is DNS, NTP and its type's P2P ports. And once
   * more for another IP protocol exchanged the same way with a public peer (IP in IP, GRE, ESP: a tunnel with no
   * port) that no training capture sent, scaled by labelIpUnseenRates.
   */
  unseenServiceWeight?: number;
  /**
   * The unseen-service term also counts an outgoing TCP service no training window used at all that the window
   * reaches on at least this many distinct peers (0: held sessions only): a spam bot's four short SMTP
   * deliveries to four mail servers hold no session, yet no device speaks a server port nobody used to several
   * hosts in a few minutes; one new cloud endpoint is one peer. Admin ports and services a neighbour accepted
   * are left to their own terms.
   */
  unseenServicePeers?: number;
  /**
   * A thin role's worst window (see thinCalibration) on which the unseen-, LAN- or listen-service term fired is
   * judged by the population's tail, as a beacon beyond the thin pool is: the thin pool's tail is wide because
   * its captures, scored without themselves, look like new types, yet "a service no training device used at all"
   * is said against every training capture, the device's own type's included, and none of the pool's scores
   * held it (those terms stay out of the cross-validated scores). False: the thin tail for every window.
   */
  thinUnseenPopulation?: boolean;
  /**
   * Added once when a host of the local network accepted a TCP connection from the device on a service (a
   * server port) that no training device connected to on a local host (0: off): a worm's way in to a neighbour
   * — its web admin page, default-credential logins — is a handful of short connections that the distance
   * barely sees, while devices connect to their clouds, not to their neighbours. Scaled by 1 − the rate at which
   * new captures of the neighbours' types meet such a service (labelLanUnseenRates): a workstation type that
   * opens new local services routinely gets little of it.
   */
  lanServiceWeight?: number;
  /**
   * Added once when the device accepted and served a TCP connection (see BehaviorBin.acceptedServices) on a
   * server port below the ephemeral range on which no training device did, or on any port from an internet
   * address when no training device was reached from the internet on it (0: off): a SOCKS or HTTP proxy a bot
   * opened, a bind shell, a backdoor's listener, a port knocked open. A device's own local API is one too when no
   * training capture shows it used — train on captures of its ordinary use. Web ports (WEB_SERVER_TCP) are left to
   * the other terms, unless an internet address came in. Scaled by 1 − the rate at which new captures of the
   * neighbours' types meet such a service (labelListenUnseenRates).
   */
  listenServiceWeight?: number;
  /**
   * Added once when the window talked to a public address and every training capture of the device's maker (its
   * MAC vendor prefix) talked to none, or, for a maker training has no device of, every capture of the role it was
   * given (0: off): industrial controllers and LAN-only devices are kept off the internet, and one that reaches out
   * (or is reached) is being used from outside.
   */
  offlineMakerWeight?: number;
  /**
   * Weight of the type-range contacts term (0: off): a window's contacts with one public address none of its
   * nearest normal devices talked to (novelPeerFlows), beyond the most any cross-validated training window of the
   * neighbours' types had (labelPeerMost, at least peerFlowFree), add w · ln((1 + x) / (1 + most)). The peer-flow
   * term judges those contacts by the population's tail, where the chattiest type (a bridge that meets 40 new cloud
   * addresses in 5 minutes) sets the bar for all; a camera whose own captures never met more than 3 is judged by
   * them. The number of such addresses in the window (novelPeers) is judged the same way against labelNewPeersMost:
   * a bot that sends each check-in to the next of 20 relays meets 20 where a camera's captures met 3 at most. So are
   * the contacts with such addresses beyond the first with each, the busiest address left out (novelRepeats, against
   * labelNewRepeatsMost): a spray or a C2 spread over several servers returns to each of them, where neither the
   * busiest address nor the number of addresses need be beyond what the type met.
   * Outside the cross-validated scores, as the unseen-service terms are.
   */
  typePeerWeight?: number;
  /**
   * Weight of the type-range counts term (0: off): a count feature beyond the most any training window had (the
   * beyond-range term's) is beyond its neighbours' types' most by more still, and each such feature adds
   * w · ln((1 + population most) / (1 + the types' most)) — what the population's range forgives because some other
   * type had it (a tunnel's 98 echoed datagrams beyond a P2P camera's 12, where no plug had one). Only when every
   * neighbour's label has calibrationMinCaptures captures or more; outside the cross-validated scores.
   */
  typeBeyondWeight?: number;
  /**
   * Weight υ of the vendor term: how much worse a window fits the normal windows of the labels whose training
   * devices had its MAC vendor prefix than it fits the population's (0: off).
   */
  vendorWeight?: number;
  /** v₀: how much worse than the population's the vendor's labels may fit for free (score units). */
  vendorFree?: number;
  /** Windows with fewer packets are not judged by the vendor term (a few packets do not show a type). */
  vendorMinPackets?: number;
  /**
   * A capture with fewer of the device's packets than this share of the smallest normal training capture of
   * its kind (its maker's types, else its role, else any), in a capture shorter than one window, is not judged:
   * `unknown`, with a note (0: off). Ten seconds of a device whose normal captures hold a thousand packets is a
   * fragment of its usual traffic, and a fragment is unlike every whole: prefixes of held-out normal captures
   * (10–100 packets) were called abnormal 9–26 % of the time, by deviations below their neighbours and by the
   * one-type and vendor terms. A device as quiet while a whole window is watched (a longer capture, a watch
   * bin) is judged: its quiet is its behaviour.
   */
  evidenceShare?: number;
  /**
   * Two labels are one type to the one-type term when at least this share of either's training windows fit
   * the other's references best in cross-validation (0: off; windows of labels with two or more captures
   * only). Sibling types (one firmware sold as two models) cannot be told apart from headers: a long capture
   * of one has windows that fit either, which is no sign of a second type. Labels the model tells apart (a
   * D-Link day camera and a D-Link camera) stay apart.
   */
  labelConfusableShare?: number;
}

/** One training or query host-bin. */
export interface BehaviorSample {
  values: readonly number[];
  /** The window's packets (either direction); optional: without it the vendor term judges every window. */
  packets?: number;
  services: readonly (readonly [number, number, number])[];
  /** Public peers (address ids); optional: without them, peer novelty is not scored. */
  publicPeers?: readonly number[];
  /** Connections with each of publicPeers (same order); optional. */
  publicPeerFlows?: readonly number[];
  /** Resumptions of held connections with each of publicPeers (see BehaviorBin.publicPeerResumes); optional. */
  publicPeerResumes?: readonly number[];
  /** The host's network-stack mask from its first window through this one; optional (0: none seen). */
  stacks?: number;
  /** The window's ARP frames claiming another address than the host's own; optional (0: none). */
  arpClaims?: number;
  /** The window's packets from a foreign source (see BehaviorBin.foreignSources); optional (0: none). */
  foreignSources?: number;
  /** The last such packet's source (BehaviorBin.foreignSourceAddress); optional, for the reasons only. */
  foreignSourceAddress?: number;
  /** One-way UDP bytes to each of publicPeers (see BehaviorBin.publicPeerOneWayBytes); optional (none). */
  publicPeerOneWayBytes?: readonly number[];
  /** The window's regular endpoints (see BehaviorBin.beacons); optional (none). */
  beacons?: readonly BeaconEntry[];
  /** Outgoing TCP and UDP services of sessions held with a public peer (see BehaviorBin.heldSessions); optional (none). */
  heldSessions?: readonly number[];
  /** Outgoing services local hosts accepted or answered (see BehaviorBin.lanConnections); optional (none). */
  lanConnections?: readonly number[];
  /** Incoming TCP services on which the host accepted a connection (see BehaviorBin.acceptedServices); optional. */
  acceptedServices?: readonly number[];
}

export interface TrainingSample extends BehaviorSample {
  /** Cross-validation group: samples of one group are never each other's references (one capture). */
  group: string;
  label: string | null;
  /** The device's MAC vendor prefix ("b0:c5:54", see macVendor), when its host is a MAC. */
  vendor?: string;
}

/** Cross-validated figures of training windows, one column each, in the windows' order (see BinScore). */
interface CrossValidated {
  score: number[];
  novelPeerFlows: number[];
  novelPeers: number[];
  novelRepeats: number[];
  novelOneWayBytes: number[];
  beyond: number[];
}

export interface BehaviorState {
  names: string[];
  kinds: BehaviorFeatureKind[];
  center: number[];
  scale: number[];
  refs: number[][];
  refServices: number[][];
  refPeers: number[][];
  refGroups: string[];
  refLabels: (string | null)[];
  /** Each reference's own cross-validated score before the local scale (the local scale's input). */
  refLocal: number[];
  /** Cross-validated raw scores of the training bins, ascending. */
  cvScores: number[];
  tau: number;
  /** Scores above this (the cvScores quantile 1 − tailShare) have an exponential tail probability. */
  tailStart: number;
  threshold: number;
  /**
   * Per role (training label) with at least roleCalibrationMin calibration windows: that role's own
   * cross-validated scores and tail, so a role whose normal windows spread more (or less) than the
   * population's gets its own false-alarm rate right. Other roles use the population's.
   */
  roleTails: Record<string, ScoreTail>;
  /**
   * The thinCalibration tail and the roles it judges (those with fewer than calibrationMinCaptures training
   * captures); absent when off or too few windows (THIN_TAIL_MIN_WINDOWS) to fit it.
   */
  thinTail?: ScoreTail;
  thinRoles?: string[];
  /** The most contacts with one new public peer in any window of the thin pool (beyond: a beacon, not a phase). */
  thinPeerFlows?: number;
  /**
   * Per training label with at least calibrationMinCaptures captures, the most contacts with one new public peer
   * (BinScore.novelPeerFlows) in any of its calibration windows, each scored without its capture; absent when the
   * type-range contacts term is off.
   */
  labelPeerMost?: Record<string, number>;
  /**
   * Per training label as labelPeerMost, the most distinct public peers none of the nearest normal windows talked to
   * (BinScore.novelPeers) in one calibration window; absent in files made before it (that part of the term is silent).
   */
  labelNewPeersMost?: Record<string, number>;
  /**
   * Per training label as labelPeerMost, the most repeat contacts with new public peers other than the busiest one
   * (BinScore.novelRepeats) in one calibration window; absent in files made before it (that part is silent).
   */
  labelNewRepeatsMost?: Record<string, number>;
  /**
   * Per training label as labelPeerMost, the most one-way UDP bytes to one new public peer (BinScore
   * .novelOneWayBytes) in one calibration window; absent in files made before it (that part is silent).
   */
  labelNewOneWayMost?: Record<string, number>;
  /**
   * Whether a held connection's resumptions with a public peer count as contacts with it beside its connections
   * (BehaviorBin.publicPeerResumes); absent in models made before they were counted (connections alone).
   */
  peerResumes?: boolean;
  /**
   * Whether inTcpServices holds the UDP services internet addresses asked and the device answered at once (see
   * BehaviorBin.acceptedServices); absent in models made before they were listed (the term judges TCP alone).
   */
  listenUdp?: boolean;
  /**
   * The largest beyond-anything-normal sum (BinScore.beyond) of any window of the thin pool, each scored without
   * its capture: a thin role's window beyond it is counting what no such type's capture did (absent: off).
   */
  thinBeyond?: number;
  /** The one-type term counts windows whose population score is at most this (see labelNormalQuantile). */
  labelBound: number;
  /** Label pairs the one-type term treats as one type (see labelConfusableShare); absent when off. */
  confusableLabels?: [string, string][];
  /** Each training capture's (group's) device MAC vendor prefix, where known; absent when the vendor term is off. */
  groupVendors?: Record<string, string>;
  /** Each training capture's (group's) network-stack mask over the whole capture; absent when the stack term is off. */
  groupStacks?: Record<string, number>;
  /** Each training capture's (group's) most ARP claims on another address in one window; absent when the ARP term is off. */
  groupArpClaims?: Record<string, number>;
  /**
   * Each training capture's (group's) most packets from a foreign source in one window; absent when that term is
   * off.
   */
  groupForeignSources?: Record<string, number>;
  /**
   * Each training capture's (group's) most regular endpoints of one service in one window, by service code;
   * absent when the beacon term is off.
   */
  groupBeacons?: Record<string, Record<string, number>>;
  /**
   * Every outgoing TCP service code a training window used (any peer, answered or not), ascending; absent when
   * the unseen-service term is off.
   */
  outTcpServices?: number[];
  /**
   * Per training label, how often a new capture of it uses an outgoing TCP service no other capture used:
   * s / (n + 1), s of its n captures having one (Good–Turing's singletons, smoothed for small n). A device type
   * that opens new server ports routinely (a workstation) gets little of the unseen-service term.
   */
  labelUnseenRates?: Record<string, number>;
  /**
   * Every outgoing UDP service code a training window used (any peer, answered or not), ascending; absent when
   * the unseen-service term is off or the model was made before UDP sessions counted (the UDP part is silent).
   */
  outUdpServices?: number[];
  /** Per training label, as labelUnseenRates for outgoing UDP services. */
  labelUdpUnseenRates?: Record<string, number>;
  /**
   * Every outgoing IP protocol other than TCP, UDP and ICMP a training window sent (service codes, ascending), and
   * per label the rate at which a new capture of it sends one no other capture did (as labelUnseenRates); absent
   * in files made before they were kept (IP-protocol sessions are not scored).
   */
  outIpServices?: number[];
  labelIpUnseenRates?: Record<string, number>;
  /**
   * Every outgoing service code on which a local host accepted a training window's connection (or answered its
   * UDP request: see BehaviorBin.lanConnections), ascending; absent when the LAN-service term is off. The name is
   * the format's since TCP was all it held.
   */
  lanTcpServices?: number[];
  /**
   * True when the training windows' lanConnections could hold UDP request services on unlisted high ports
   * (isLanRequestService); absent in files made before, whose LAN-service term leaves those codes out, as it did.
   */
  lanUdpRequests?: boolean;
  /** Per training label, as labelUnseenRates for the LAN-service term's services. */
  labelLanUnseenRates?: Record<string, number>;
  /**
   * Every incoming TCP service code on which a training device accepted a connection, ascending; absent when the
   * listen-service term is off.
   */
  inTcpServices?: number[];
  /** Per training label, as labelUnseenRates for the listen-service term's services. */
  labelListenUnseenRates?: Record<string, number>;
  /** Per training label, the fewest device packets in one of its training captures; absent when the floor is off. */
  minPacketsByLabel?: Record<string, number>;
  /** Per MAC vendor prefix of training devices, the fewest device packets in a capture of any of their labels (the same). */
  minPacketsByVendor?: Record<string, number>;
}

/** A calibration: ascending cross-validated normal scores and the exponential tail above tailStart. */
export interface ScoreTail {
  cvScores: number[];
  tau: number;
  tailStart: number;
}

export interface BinScore {
  score: number;
  distance: number;
  novelty: number;
  /** Public peers none of the nearest normal bins talked to. */
  novelPeers: number;
  /** Most connections with one of those new public peers. */
  novelPeerFlows: number;
  /** That peer's address id (-1: none). */
  busiestNovelPeer: number;
  /** Contacts with the other new public peers beyond the first with each: Σ (contacts − 1). */
  novelRepeats: number;
  /** How many of those other new public peers were contacted more than once. */
  novelRepeatPeers: number;
  /** Most one-way UDP bytes (see BehaviorBin.publicPeerOneWayBytes) to one new public peer, and that peer (-1: none). */
  novelOneWayBytes: number;
  oneWayPeer: number;
  /**
   * When the second-stack term fired: the host's stack bits the neighbours' captures never used, and those
   * they did; both 0 otherwise.
   */
  newStacks: number;
  knownStacks: number;
  /** When the ARP-claims term fired: the window's ARP frames claiming another address; 0 otherwise. */
  arpClaims: number;
  /** When the foreign-source term fired: the window's packets from a foreign source; 0 otherwise. */
  foreignSources: number;
  /** What the unseen-, LAN- and listen-service terms added to the score (0: none fired). */
  unseenTerms: number;
  /**
   * When the beacon term fired: the regular endpoint it fired for, the regular endpoints of its service in the
   * window, and the most any window of its types' training captures had; null otherwise.
   */
  beacon: { entry: BeaconEntry; regular: number; normalMost: number } | null;
  /**
   * The maker rule held for this device (vendorIndustrialUdp: training devices with its MAC vendor prefix spoke no
   * industrial protocol), so industrial UDP it sent counts as industrial wherever its neighbours spoke none.
   */
  industrialUdp: boolean;
  /**
   * What the offline-maker term fired on (see BehaviorOptions.offlineMakerWeight): public peers from a device whose
   * maker's training captures, or (a maker training has none of) whose role's, never talked to the internet.
   */
  offlineMaker: 'maker' | 'role' | null;
  /**
   * The type-range contacts term's most (see BehaviorOptions.typePeerWeight) when novelPeerFlows went beyond it;
   * -1 when within it or off.
   */
  typePeerMost: number;
  /** The same for the number of new public peers (novelPeers) against labelNewPeersMost; -1 when within it or off. */
  typeNewPeersMost: number;
  /** The same for novelRepeats against labelNewRepeatsMost; -1 when within it, off, or the model predates it. */
  typeNewRepeatsMost: number;
  /**
   * The same for novelOneWayBytes against labelNewOneWayMost (at least ONE_WAY_FREE_BYTES); -1 when within it, off,
   * or the model predates it.
   */
  typeNewOneWayMost: number;
  /** The type-range counts term's sum (see BehaviorOptions.typeBeyondWeight; 0: silent). */
  typeBeyond: number;
  /** Tail probability among normal bins. */
  p: number;
  /** Indices (into the references) of the k nearest. */
  neighbours: number[];
  novel: [number, number, number][];
  /** The population score before the one-type term (equals score when that term is off). */
  populationScore: number;
  /** Raw score against each training label's references alone (the model's `labels` order); empty when off. */
  labelScores: number[];
  /** The label this window alone fits best (-1: none). */
  bestLabel: number;
  /**
   * The label (not one of the nearest normal windows') whose one normal window used the most of this window's
   * new services, and those services; null when fewer than otherTypeMin or the term is off.
   */
  otherType: { label: string; services: number[] } | null;
  /** B of the beyond-the-training-range term (0 when off or within range). */
  beyond: number;
  /** The capture's one label (index into `labels`, -1: off) and this window's score against it. */
  captureLabel: number;
  labelScore: number;
  /**
   * The label of the device's MAC vendor (among those training devices with that prefix had) that fits this
   * window best, when the vendor term raised the window's score; else null.
   */
  vendorLabel: string | null;
}

export interface CaptureScore {
  abnormality: number;
  /** Index (into the scored bins) of the worst bin. */
  worst: number;
  bins: BinScore[];
  /** What made the worst bin unusual, in words; empty when nothing stands out. */
  reasons: string[];
  /** The role whose own normal windows calibrated the score, or null: the population's. */
  calibratedOn: string | null;
  /**
   * The training label whose normal windows fit the whole capture best, and the share of its windows that fit
   * another label better (with the label most of those fit); null when the one-type term is off.
   */
  fit: LabelFit | null;
}

/** A capture's windows, read one at a time (a long capture's are not held at once). */
export interface WindowSource {
  readonly length: number;
  get(i: number): BehaviorSample;
}

/**
 * A capture's score as scoreStream gives it: what `score` gives, with the worst window's BinScore in full
 * and only the final score of every window (a ~11 GB capture's device has ~17,000 windows).
 */
export interface StreamedCaptureScore {
  abnormality: number;
  /** Index of the worst window. */
  worst: number;
  /** Each window's final score (BinScore.score), in order. */
  scores: Float64Array;
  /** Each window's BinScore.distance and .novelty, in order (what the detail shows when another window decides). */
  distances: Float64Array;
  novelties: Float64Array;
  /** The worst window's BinScore, as `score` gives it. */
  worstBin: BinScore;
  /**
   * Window i's BinScore, as `score` gives it (worstBin for the worst): scored again when asked, for the rare
   * window the device's own history makes the deciding one.
   */
  windowBin(i: number): BinScore;
  reasons: string[];
  calibratedOn: string | null;
  fit: LabelFit | null;
}

export interface LabelFit {
  label: string;
  /** Windows whose best label is another one, and the most common such label. */
  otherWindows: number;
  other: string | null;
  /** Each label some window fits best, with its number of windows, most first (ties: label order). */
  windows: [string, number][];
}

const FLOOR: Record<BehaviorFeatureKind, number> = { count: 0.5, share: 0.1, signed: 0.5, range: 0.5 };

/** Counts (in the distance or only judged against their training range): log1p-scaled, and checked for excess. */
function isCount(kind: BehaviorFeatureKind): boolean {
  return kind === 'count' || kind === 'range';
}

function transform(kind: BehaviorFeatureKind, x: number): number {
  return isCount(kind) ? Math.log1p(Math.max(x, 0)) : x;
}

function quantileSorted(s: readonly number[], q: number): number {
  if (s.length === 0) return 0;
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * Per label, the fewest device packets in one of its training captures (groups); per MAC vendor prefix, the
 * fewest of any label its training devices were (a maker's types, every device of them: one long capture of
 * the maker's own device is not the measure of a small one).
 */
function smallestCaptures(samples: readonly TrainingSample[]): {
  byLabel: Record<string, number>;
  byVendor: Record<string, number>;
} {
  const groups = new Map<string, { packets: number; label: string | null; vendor?: string }>();
  for (const x of samples) {
    const g = groups.get(x.group);
    if (g) g.packets += x.packets ?? 0;
    else groups.set(x.group, { packets: x.packets ?? 0, label: x.label, vendor: x.vendor });
  }
  // Maps, then own properties: a label named `__proto__` or `constructor` is a label like any other.
  const byLabel = new Map<string, number>();
  for (const g of groups.values())
    if (g.label !== null) byLabel.set(g.label, Math.min(byLabel.get(g.label) ?? g.packets, g.packets));
  const byVendor = new Map<string, number>();
  for (const g of groups.values()) {
    if (!g.vendor || g.label === null) continue;
    const smallest = byLabel.get(g.label)!;
    byVendor.set(g.vendor, Math.min(byVendor.get(g.vendor) ?? smallest, smallest));
  }
  return { byLabel: Object.fromEntries(byLabel), byVendor: Object.fromEntries(byVendor) };
}

export class BehaviorModel {
  readonly windowS: number;
  readonly k: number;
  readonly noveltyWeight: number;
  readonly peerWeight: number;
  readonly peerFlowWeight: number;
  readonly peerFlowFree: number;
  readonly adminNoveltyWeight: number;
  readonly adminServiceBonus: number;
  readonly industrialServiceBonus: number;
  readonly stackWeight: number;
  readonly arpClaimWeight: number;
  readonly foreignSourceWeight: number;
  readonly beaconWeight: number;
  readonly vendorIndustrialUdp: boolean;
  readonly otherTypeSkipsVendor: boolean;
  readonly shareEvidence: number;
  readonly clip: number;
  readonly localFloor: number;
  readonly calibrationMinCaptures: number;
  readonly roleCalibrationMin: number;
  readonly thinCalibration: boolean;
  readonly falseAlarmRate: number;
  readonly maxReferences: number;
  readonly seed: number;
  readonly norm: number;
  readonly windowExponent: number;
  readonly tailShare: number;
  readonly belowWeight: number;
  readonly labelWeight: number;
  readonly labelFit: 'max' | 'mean';
  readonly labelNormalQuantile: number;
  readonly labelFitNormalOnly: boolean;
  readonly otherTypeWeight: number;
  readonly otherTypeMin: number;
  readonly beyondWeight: number;
  readonly beyondFree: number;
  readonly uploadWeight: number;
  readonly unseenServiceWeight: number;
  readonly unseenServicePeers: number;
  readonly thinUnseenPopulation: boolean;
  readonly lanServiceWeight: number;
  readonly listenServiceWeight: number;
  readonly offlineMakerWeight: number;
  readonly typePeerWeight: number;
  readonly typeBeyondWeight: number;
  readonly vendorWeight: number;
  readonly vendorFree: number;
  readonly vendorMinPackets: number;
  readonly evidenceShare: number;
  readonly labelConfusableShare: number;
  /** belowWeight^(1/p): applied to |q − r| before the power, so the p-th power carries belowWeight. */
  private readonly belowFactor: number;
  state: BehaviorState | null = null;
  private z: Float64Array[] = [];
  private serviceSets: Set<number>[] = [];
  private peerSets: Set<number>[] = [];
  /** Whether each reference used any industrial control service. */
  private industrialRefs: Uint8Array = new Uint8Array(0);
  /** Each reference's capture's network-stack mask (0 when the model has none). */
  private refStacks: Int32Array = new Int32Array(0);
  private refArpClaims: Int32Array = new Int32Array(0);
  private refForeignSources: Int32Array = new Int32Array(0);
  /** Each training label's references, and each group's most regular endpoints of a service in one window. */
  private labelRefs: number[][] = [];
  private groupBeacons = new Map<string, Map<number, number>>();
  /** state.outTcpServices as a set (null: the model has none, the unseen-service term is silent). */
  private outTcpSeen: Set<number> | null = null;
  /** state.outIpServices as a set (null: the model has none, IP-protocol sessions are not scored). */
  private outIpSeen: ReadonlySet<number> | null = null;
  /** state.outUdpServices as a set (null: the model has none, UDP sessions are not scored). */
  private outUdpSeen: Set<number> | null = null;
  /** state.lanTcpServices as a set (null: the model has none, the LAN-service term is silent). */
  private lanTcpSeen: Set<number> | null = null;
  /** state.inTcpServices as a set (null: the model has none, the listen-service term is silent). */
  private inTcpSeen: Set<number> | null = null;
  /** The distinct training labels (sorted) and each reference's index among them (-1: unlabelled). */
  labels: string[] = [];
  private refLabelIdx = new Int32Array(0);
  /** confusableLabels as a labels × labels matrix (1: one type to the one-type term). */
  private confusable = new Uint8Array(0);
  /**
   * Per feature, the largest training value and its capture, and the largest of any other capture: the
   * training range a window is compared against without its own capture (cross-validation).
   */
  private rangeMax = new Float64Array(0);
  private rangeGroup: string[] = [];
  private rangeNext = new Float64Array(0);
  /** Per label (row) and feature, the most of its reference windows; a label of few captures has a row of NaN. */
  private labelRangeMax = new Float64Array(0);
  /** Per MAC vendor prefix, per label index, the training captures of that label with that prefix. */
  private vendorCaptures = new Map<string, Map<number, Set<string>>>();
  /** Per MAC vendor prefix, its training captures and whether each spoke an industrial protocol. */
  private vendorIndustrial = new Map<string, Map<string, boolean>>();
  /** Per MAC vendor prefix, and per label, whether each of its training captures (group) talked to a public address. */
  private vendorOnline = new Map<string, Map<string, boolean>>();
  private labelOnline = new Map<string, Map<string, boolean>>();

  constructor(options: BehaviorOptions = {}) {
    this.windowS = options.windowS ?? DEFAULT_BEHAVIOR_WINDOW_S;
    this.k = options.k ?? 2;
    this.noveltyWeight = options.noveltyWeight ?? 1;
    this.peerWeight = options.peerWeight ?? 1;
    this.peerFlowWeight = options.peerFlowWeight ?? 1.5;
    this.peerFlowFree = options.peerFlowFree ?? 3;
    this.adminNoveltyWeight = options.adminNoveltyWeight ?? 1;
    this.adminServiceBonus = options.adminServiceBonus ?? 2;
    this.industrialServiceBonus = options.industrialServiceBonus ?? 2;
    this.stackWeight = options.stackWeight ?? 20;
    this.arpClaimWeight = options.arpClaimWeight ?? 50;
    this.foreignSourceWeight = options.foreignSourceWeight ?? 50;
    this.beaconWeight = options.beaconWeight ?? 20;
    this.vendorIndustrialUdp = options.vendorIndustrialUdp ?? true;
    this.otherTypeSkipsVendor = options.otherTypeSkipsVendor ?? true;
    this.shareEvidence = options.shareEvidence ?? 4;
    this.clip = options.clip ?? 3;
    this.localFloor = options.localFloor ?? 0;
    this.calibrationMinCaptures = options.calibrationMinCaptures ?? 5;
    this.roleCalibrationMin = options.roleCalibrationMin ?? 50;
    this.thinCalibration = options.thinCalibration ?? true;
    this.falseAlarmRate = options.falseAlarmRate ?? DEFAULT_FALSE_ALARM_RATE;
    this.maxReferences = options.maxReferences ?? 4000;
    this.seed = options.seed ?? 0;
    this.norm = options.norm ?? 1;
    this.windowExponent = options.windowExponent ?? 0.5;
    this.tailShare = options.tailShare ?? 0.1;
    this.belowWeight = options.belowWeight ?? 0.5;
    this.belowFactor = this.belowWeight ** (1 / this.norm);
    this.labelWeight = options.labelWeight ?? 2;
    this.labelFit = options.labelFit ?? 'max';
    this.labelNormalQuantile = options.labelNormalQuantile ?? 0.9;
    this.labelFitNormalOnly = options.labelFitNormalOnly ?? true;
    this.otherTypeWeight = options.otherTypeWeight ?? 4;
    this.otherTypeMin = options.otherTypeMin ?? 3;
    this.beyondWeight = options.beyondWeight ?? 4;
    this.beyondFree = options.beyondFree ?? Math.LN2;
    this.uploadWeight = options.uploadWeight ?? 4;
    this.unseenServiceWeight = options.unseenServiceWeight ?? 10;
    this.unseenServicePeers = options.unseenServicePeers ?? 3;
    this.thinUnseenPopulation = options.thinUnseenPopulation ?? true;
    this.lanServiceWeight = options.lanServiceWeight ?? 10;
    this.listenServiceWeight = options.listenServiceWeight ?? 10;
    this.offlineMakerWeight = options.offlineMakerWeight ?? 10;
    this.typePeerWeight = options.typePeerWeight ?? 4;
    this.typeBeyondWeight = options.typeBeyondWeight ?? 2;
    this.vendorWeight = options.vendorWeight ?? 1;
    this.vendorFree = options.vendorFree ?? 2;
    this.vendorMinPackets = options.vendorMinPackets ?? 5;
    this.evidenceShare = options.evidenceShare ?? 0.25;
    this.labelConfusableShare = options.labelConfusableShare ?? 0.25;
    if (!(this.windowS > 0)) throw new UsageError(`the behaviour window must be > 0 s, not ${this.windowS}`);
    if (!(this.k >= 1 && Number.isInteger(this.k))) throw new UsageError(`k must be a whole number >= 1`);
    if (!(this.falseAlarmRate > 0 && this.falseAlarmRate < 1))
      throw new UsageError(`--false-alarm-rate must be between 0 and 1, not ${this.falseAlarmRate}`);
  }

  fit(samples: readonly TrainingSample[]): this {
    if (samples.length === 0) throw new UsageError('no host-bins to learn normal behaviour from');
    if (new Set(samples.map((s) => s.group)).size < 2)
      throw new UsageError(
        'behaviour training needs at least two normal captures (they cross-validate each other)',
      );
    let kept = samples;
    if (samples.length > this.maxReferences) {
      const rng = new Rng(this.seed);
      const idx = Array.from({ length: samples.length }, (_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      kept = idx
        .slice(0, this.maxReferences)
        .sort((a, b) => a - b)
        .map((i) => samples[i]!);
    }
    const kinds = BEHAVIOR_FEATURES.map((f) => f.kind);
    const d = kinds.length;
    const center: number[] = [];
    const scale: number[] = [];
    for (let f = 0; f < d; f++) {
      const col = kept.map((s) => transform(kinds[f]!, this.weighed(s.values, f))).sort((a, b) => a - b);
      const med = quantileSorted(col, 0.5);
      const iqr = quantileSorted(col, 0.75) - quantileSorted(col, 0.25);
      center.push(med);
      scale.push(Math.max(iqr, FLOOR[kinds[f]!]));
    }
    this.state = {
      names: BEHAVIOR_FEATURES.map((f) => f.name),
      kinds,
      center,
      scale,
      refs: kept.map((s) => [...s.values]),
      refServices: kept.map((s) => s.services.map((x) => x[0])),
      refPeers: kept.map((s) => [...(s.publicPeers ?? [])]),
      refGroups: kept.map((s) => s.group),
      refLabels: kept.map((s) => s.label),
      refLocal: [],
      cvScores: [],
      tau: 1,
      tailStart: 0,
      threshold: 1 - this.falseAlarmRate,
      roleTails: {},
      labelBound: 0,
      peerResumes: true,
      listenUdp: true,
    };
    if (this.vendorWeight > 0) {
      const vendors: Record<string, string> = {};
      for (const x of kept) if (x.vendor) vendors[x.group] = x.vendor;
      this.state.groupVendors = vendors;
    }
    if (this.stackWeight > 0) {
      // Of every sample, not only the kept references: the last window of a capture has its whole mask.
      const stacks: Record<string, number> = {};
      for (const x of samples) stacks[x.group] = (stacks[x.group] ?? 0) | (x.stacks ?? 0);
      this.state.groupStacks = stacks;
    }
    if (this.arpClaimWeight > 0) this.state.groupArpClaims = mostPerGroup(samples, (x) => x.arpClaims);
    if (this.foreignSourceWeight > 0)
      this.state.groupForeignSources = mostPerGroup(samples, (x) => x.foreignSources);
    if (this.beaconWeight > 0) {
      const beacons: Record<string, Record<string, number>> = {};
      for (const x of samples) {
        if (x.beacons === undefined || x.beacons.length === 0) continue;
        const most = beacons[x.group] ?? {};
        for (const [service, regular] of regularByService(x.beacons))
          most[service] = Math.max(most[service] ?? 0, regular);
        beacons[x.group] = most;
      }
      this.state.groupBeacons = beacons;
    }
    if (this.unseenServiceWeight > 0) {
      // TCP and UDP apart: a type's P2P ports must not make it lenient about new TCP servers, nor the reverse.
      const outgoing = (proto: number) =>
        servicesSeen(samples, (x) =>
          x.services
            .map(([code]) => code)
            .filter((code) => isOutgoingService(code) && ((code >> 16) & 3) === proto),
        );
      const seen = outgoing(0);
      this.state.outTcpServices = seen.codes;
      this.state.labelUnseenRates = seen.labelRates;
      const seenUdp = outgoing(1);
      this.state.outUdpServices = seenUdp.codes;
      this.state.labelUdpUnseenRates = seenUdp.labelRates;
      const seenIp = outgoing(3);
      this.state.outIpServices = seenIp.codes;
      this.state.labelIpUnseenRates = seenIp.labelRates;
    }
    if (this.lanServiceWeight > 0) {
      const seen = servicesSeen(samples, (x) => x.lanConnections ?? []);
      this.state.lanTcpServices = seen.codes;
      this.state.lanUdpRequests = true;
      this.state.labelLanUnseenRates = seen.labelRates;
    }
    if (this.listenServiceWeight > 0) {
      // The web ports the term leaves out count for neither the services nor the rates.
      const seen = servicesSeen(samples, (x) =>
        (x.acceptedServices ?? []).filter((code) => !WEB_SERVER_TCP.has(code)),
      );
      this.state.inTcpServices = seen.codes;
      this.state.labelListenUnseenRates = seen.labelRates;
    }
    if (this.evidenceShare > 0 && samples.every((x) => x.packets !== undefined)) {
      const sizes = smallestCaptures(samples);
      this.state.minPacketsByLabel = sizes.byLabel;
      this.state.minPacketsByVendor = sizes.byVendor;
    }
    this.prepare();
    // Cross-validated scores: every training bin against the bins of the other captures only; first
    // without the local scale (its input), then with it.
    if (this.localFloor > 0)
      this.state.refLocal = kept.map((s) => this.scoreBin(s, s.group, undefined, s.vendor).score);
    const capturesOf = new Map<string, Set<string>>();
    for (const s of kept) {
      const key = s.label ?? '';
      if (!capturesOf.has(key)) capturesOf.set(key, new Set());
      capturesOf.get(key)!.add(s.group);
    }
    let calibrating = kept.filter((s) => capturesOf.get(s.label ?? '')!.size >= this.calibrationMinCaptures);
    if (calibrating.length < 20) calibrating = [...kept];
    if (this.labelTerm) {
      const inCalibration = new Set(calibrating);
      const population: number[] = [];
      const fits: { label: number; best: number; score: number }[] = [];
      // The windows of labels outside calibration are scored only for the confusable pairs.
      for (const s of this.labelConfusableShare > 0 ? kept : calibrating) {
        const b = this.scoreBin(s, s.group, undefined, s.vendor);
        if (inCalibration.has(s)) population.push(b.populationScore);
        // A label seen in one capture has no references left when that capture is scored: its windows fit
        // another label by necessity, which says nothing about telling the two apart.
        const label =
          s.label === null || capturesOf.get(s.label)!.size < 2 ? -1 : this.labels.indexOf(s.label);
        if (
          label >= 0 &&
          b.bestLabel >= 0 &&
          !((s.packets ?? Number.POSITIVE_INFINITY) < this.vendorMinPackets)
        )
          fits.push({ label, best: b.bestLabel, score: b.populationScore });
      }
      population.sort((a, b) => a - b);
      this.state.labelBound =
        this.labelNormalQuantile >= 1
          ? Number.MAX_VALUE
          : quantileSorted(population, this.labelNormalQuantile);
      if (this.labelConfusableShare > 0) {
        this.state.confusableLabels = this.confusableOf(fits.filter((f) => this.nearNormal(f.score)));
        this.readConfusable();
      }
    }
    const cv = this.crossValidated(calibrating);
    if (this.typePeerWeight > 0) {
      const mostOf = (values: readonly number[]) => {
        const most: Record<string, number> = {};
        calibrating.forEach((s, i) => {
          if (s.label === null || capturesOf.get(s.label)!.size < this.calibrationMinCaptures) return;
          most[s.label] = Math.max(most[s.label] ?? 0, values[i]!);
        });
        return most;
      };
      this.state.labelPeerMost = mostOf(cv.novelPeerFlows);
      this.state.labelNewPeersMost = mostOf(cv.novelPeers);
      this.state.labelNewRepeatsMost = mostOf(cv.novelRepeats);
      this.state.labelNewOneWayMost = mostOf(cv.novelOneWayBytes);
    }
    Object.assign(this.state, this.fitTail([...cv.score].sort((a, b) => a - b)));
    const byRole = new Map<string, number[]>();
    calibrating.forEach((s, i) => {
      if (s.label === null) return;
      if (!byRole.has(s.label)) byRole.set(s.label, []);
      byRole.get(s.label)!.push(cv.score[i]!);
    });
    for (const [role, scores] of [...byRole].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      if (scores.length >= this.roleCalibrationMin)
        this.state.roleTails[role] = this.fitTail(scores.sort((a, b) => a - b));
    if (this.thinCalibration && calibrating.length < kept.length) this.fitThinTail(kept, capturesOf);
    return this;
  }

  /**
   * The label pairs of which either's cross-validated training windows (`fits`: label, best-fitting label)
   * fit the other best at least labelConfusableShare of the time.
   */
  private confusableOf(fits: readonly { label: number; best: number }[]): [string, string][] {
    const nl = this.labels.length;
    const counts = new Float64Array(nl * nl);
    const totals = new Float64Array(nl);
    for (const f of fits) {
      counts[f.label * nl + f.best]!++;
      totals[f.label]!++;
    }
    const share = (a: number, b: number) => (totals[a]! > 0 ? counts[a * nl + b]! / totals[a]! : 0);
    const out: [string, string][] = [];
    for (let a = 0; a < nl; a++)
      for (let b = a + 1; b < nl; b++)
        if (Math.max(share(a, b), share(b, a)) >= this.labelConfusableShare)
          out.push([this.labels[a]!, this.labels[b]!]);
    return out;
  }

  /** The thinCalibration tail, from the training bins of labels with 2 to calibrationMinCaptures − 1 captures. */
  private fitThinTail(
    kept: readonly TrainingSample[],
    capturesOf: ReadonlyMap<string, ReadonlySet<string>>,
  ): void {
    const s = this.state!;
    const thin = (label: string | null, least: number) => {
      const n = label === null ? 0 : capturesOf.get(label)!.size;
      return n >= least && n < this.calibrationMinCaptures;
    };
    const pooled = kept.filter((x) => thin(x.label, 2));
    if (pooled.length < THIN_TAIL_MIN_WINDOWS) return;
    const cv = this.crossValidated(pooled);
    s.thinTail = this.fitTail(cv.score.sort((a, b) => a - b));
    s.thinPeerFlows = cv.novelPeerFlows.reduce((a, b) => Math.max(a, b), 0);
    s.thinBeyond = cv.beyond.reduce((a, b) => Math.max(a, b), 0);
    s.thinRoles = [...capturesOf.keys()].filter((l) => l !== '' && thin(l, 1)).sort();
  }

  /**
   * Each sample's raw score against the other captures' references, scored capture by capture (the one-type
   * term picks one label per capture), and the counts the calibration keeps beside it, in the order given.
   */
  private crossValidated(samples: readonly TrainingSample[]): CrossValidated {
    const byGroup = new Map<string, number[]>();
    samples.forEach((s, i) => {
      const list = byGroup.get(s.group);
      if (list) list.push(i);
      else byGroup.set(s.group, [i]);
    });
    const column = () => new Array<number>(samples.length).fill(0);
    const out: CrossValidated = {
      score: column(),
      novelPeerFlows: column(),
      novelPeers: column(),
      novelRepeats: column(),
      novelOneWayBytes: column(),
      beyond: column(),
    };
    for (const [group, idx] of byGroup) {
      const scored = this.scoreWindows(
        idx.map((i) => samples[i]!),
        group,
        undefined,
        samples[idx[0]!]!.vendor,
      );
      idx.forEach((i, j) => {
        const w = scored[j]!;
        out.score[i] = w.score;
        out.novelPeerFlows[i] = w.novelPeerFlows;
        out.novelPeers[i] = w.novelPeers;
        out.novelRepeats[i] = w.novelRepeats;
        out.novelOneWayBytes[i] = w.novelOneWayBytes;
        out.beyond[i] = w.beyond;
      });
    }
    return out;
  }

  /** The calibration of ascending cross-validated scores `cv`. */
  private fitTail(cv: number[]): ScoreTail {
    const top = cv[cv.length - 1]!;
    // The tail beyond the largest normal score decays on the scale of the upper decile's spread.
    const tau = Math.max(top - quantileSorted(cv, 0.9), 0.05 * Math.max(top, 1), 1e-3);
    if (this.tailShare <= 0) return { cvScores: cv, tau, tailStart: 0 };
    // Peaks over threshold: above u, the excesses of normal scores are modelled as exponential with their
    // mean excess, so tail probabilities far beyond the largest training score are estimated, not guessed.
    const u = quantileSorted(cv, 1 - this.tailShare);
    let sum = 0;
    let count = 0;
    for (const x of cv)
      if (x > u) {
        sum += x - u;
        count++;
      }
    return { cvScores: cv, tailStart: u, tau: count > 0 ? Math.max(sum / count, 1e-3) : tau };
  }

  private prepare(): void {
    const s = this.state!;
    this.z = s.refs.map((r) => this.standardise(r));
    this.serviceSets = s.refServices.map((c) => new Set(c));
    this.peerSets = s.refPeers.map((c) => new Set(c));
    this.industrialRefs = Uint8Array.from(s.refServices, (c) => (c.some(isIndustrialService) ? 1 : 0));
    this.refStacks = perReference(s.refGroups, s.groupStacks);
    this.refArpClaims = perReference(s.refGroups, s.groupArpClaims);
    this.refForeignSources = perReference(s.refGroups, s.groupForeignSources);
    this.labels = [...new Set(s.refLabels.filter((l): l is string => l !== null))].sort();
    const at = new Map(this.labels.map((l, i) => [l, i]));
    this.refLabelIdx = Int32Array.from(s.refLabels, (l) => (l === null ? -1 : at.get(l)!));
    this.labelRefs = this.labels.map(() => []);
    for (let r = 0; r < this.refLabelIdx.length; r++) {
      const li = this.refLabelIdx[r]!;
      if (li >= 0) this.labelRefs[li]!.push(r);
    }
    this.groupBeacons = new Map(
      Object.entries(s.groupBeacons ?? {}).map(([g, most]) => [
        g,
        new Map(Object.entries(most).map(([code, n]) => [Number(code), n])),
      ]),
    );
    this.outTcpSeen = s.outTcpServices ? new Set(s.outTcpServices) : null;
    this.outUdpSeen = s.outUdpServices ? new Set(s.outUdpServices) : null;
    this.outIpSeen = s.outIpServices ? new Set(s.outIpServices) : null;
    this.lanTcpSeen = s.lanTcpServices ? new Set(s.lanTcpServices) : null;
    this.inTcpSeen = s.inTcpServices ? new Set(s.inTcpServices) : null;
    this.readConfusable();
    const d = s.kinds.length;
    this.rangeMax = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    this.rangeNext = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
    this.rangeGroup = new Array<string>(d).fill('');
    this.vendorCaptures = new Map();
    this.vendorIndustrial = new Map();
    this.vendorOnline = new Map();
    this.labelOnline = new Map();
    const vendors = s.groupVendors ?? {};
    s.refGroups.forEach((g, i) => {
      const label = s.refLabels[i];
      const online = s.refPeers[i]!.length > 0;
      if (label !== null && label !== undefined) orGroupFlag(this.labelOnline, label, g, online);
      const v = Object.hasOwn(vendors, g) ? vendors[g] : undefined;
      if (v !== undefined) {
        orGroupFlag(this.vendorIndustrial, v, g, this.industrialRefs[i] === 1);
        orGroupFlag(this.vendorOnline, v, g, online);
      }
      const li = this.refLabelIdx[i]!;
      if (v === undefined || li < 0) return;
      const byLabel = this.vendorCaptures.get(v) ?? new Map<number, Set<string>>();
      this.vendorCaptures.set(v, byLabel);
      const groups = byLabel.get(li) ?? new Set<string>();
      byLabel.set(li, groups);
      groups.add(g);
    });
    if (this.beyondWeight <= 0) return;
    for (let f = 0; f < d; f++) {
      s.refs.forEach((r, i) => {
        if (r[f]! > this.rangeMax[f]!) {
          this.rangeMax[f] = r[f]!;
          this.rangeGroup[f] = s.refGroups[i]!;
        }
      });
      // The largest value of a capture other than the top one's: the range a window of that capture is
      // compared against in cross-validation.
      let next = Number.NEGATIVE_INFINITY;
      s.refs.forEach((r, i) => {
        if (s.refGroups[i] !== this.rangeGroup[f] && r[f]! > next) next = r[f]!;
      });
      this.rangeNext[f] = next;
    }
    if (this.typeBeyondWeight <= 0) return;
    this.labelRangeMax = new Float64Array(this.labels.length * d).fill(Number.NEGATIVE_INFINITY);
    this.labelRefs.forEach((refs, li) => {
      const row = li * d;
      if (new Set(refs.map((r) => s.refGroups[r]!)).size < this.calibrationMinCaptures) {
        this.labelRangeMax.fill(Number.NaN, row, row + d);
        return;
      }
      for (const r of refs)
        for (let f = 0; f < d; f++) {
          const v = s.refs[r]![f]!;
          if (v > this.labelRangeMax[row + f]!) this.labelRangeMax[row + f] = v;
        }
    });
  }

  /**
   * The type-range counts term's sum (see BehaviorOptions.typeBeyondWeight) and the feature it weighs most (-1:
   * none); 0 when off, within range, or a neighbour's label has too few captures or none.
   */
  typeBeyond(
    values: readonly number[],
    neighbours: readonly number[],
  ): { total: number; feature: number; most: number } {
    const none = { total: 0, feature: -1, most: 0 };
    if (this.typeBeyondWeight <= 0 || this.beyondWeight <= 0 || neighbours.length === 0) return none;
    const d = this.state!.kinds.length;
    const rows: number[] = [];
    for (const n of neighbours) {
      const li = this.refLabelIdx[n]!;
      if (li < 0 || Number.isNaN(this.labelRangeMax[li * d]!)) return none;
      rows.push(li * d);
    }
    const kinds = this.state!.kinds;
    let total = 0;
    let feature = -1;
    let largest = 0;
    let most = 0;
    for (let f = 0; f < d; f++) {
      const m = this.rangeMax[f]!;
      if (!isCount(kinds[f]!) || !(values[f]! > m) || !Number.isFinite(m)) continue;
      let typeMost = Number.NEGATIVE_INFINITY;
      for (const row of rows) typeMost = Math.max(typeMost, this.labelRangeMax[row + f]!);
      const e = Math.log((1 + Math.max(m, 0)) / (1 + Math.max(typeMost, 0)));
      if (!(e > 0)) continue;
      total += e;
      if (e > largest) {
        largest = e;
        feature = f;
        most = Math.max(typeMost, 0);
      }
    }
    return { total, feature, most };
  }

  private readConfusable(): void {
    const nl = this.labels.length;
    this.confusable = new Uint8Array(nl * nl);
    const at = new Map(this.labels.map((l, i) => [l, i]));
    for (const [a, b] of this.state!.confusableLabels ?? []) {
      const i = at.get(a);
      const j = at.get(b);
      if (i === undefined || j === undefined) continue;
      this.confusable[i * nl + j] = 1;
      this.confusable[j * nl + i] = 1;
    }
  }

  /**
   * B of the beyond-the-range term: Σ over count features of ln((1 + x) / (1 + training max)) where x exceeds
   * it, the maximum taken over captures other than `excludeGroup`; and the feature beyond it the most (-1: none),
   * its maximum and its ln excess.
   */
  beyondRange(
    values: readonly number[],
    excludeGroup?: string,
  ): { total: number; feature: number; max: number; excess: number } {
    let total = 0;
    let feature = -1;
    let most = 0;
    let max = 0;
    if (this.beyondWeight <= 0) return { total, feature, max, excess: most };
    const kinds = this.state!.kinds;
    for (let f = 0; f < kinds.length; f++) {
      if (!isCount(kinds[f]!)) continue;
      const m =
        excludeGroup !== undefined && excludeGroup === this.rangeGroup[f]
          ? this.rangeNext[f]!
          : this.rangeMax[f]!;
      const x = values[f]!;
      if (!(x > m) || !Number.isFinite(m)) continue;
      const e = Math.log((1 + x) / (1 + Math.max(m, 0)));
      total += e;
      if (e > most) {
        most = e;
        feature = f;
        max = m;
      }
    }
    return { total, feature, max, excess: most };
  }

  /** ln(x / M) − ln UPLOAD_NOTABLE_RATIO of the upload term (see BehaviorOptions.uploadWeight), 0 below it or off. */
  private uploadBeyond(values: readonly number[], neighbours: readonly number[]): number {
    const x = values[MAX_UPLOAD_FEATURE]!;
    if (this.uploadWeight <= 0 || !(x >= UPLOAD_NOTABLE_BYTES) || neighbours.length === 0) return 0;
    const refs = this.state!.refs;
    let most = 0;
    for (const n of neighbours) most = Math.max(most, refs[n]![MAX_UPLOAD_FEATURE]!);
    return Math.max(Math.log(x / Math.max(most, 1)) - Math.log(UPLOAD_NOTABLE_RATIO), 0);
  }

  /**
   * The most often one of the neighbours' labels meets an unseen service in a new capture (`rates`: the state's
   * labelUnseenRates or labelLanUnseenRates; 0 for unlabelled references and files without the rates).
   */
  private unseenRateOf(neighbours: readonly number[], rates: Record<string, number> | undefined): number {
    if (!rates) return 0;
    let most = 0;
    for (const n of neighbours) {
      const label = this.state!.refLabels[n];
      if (label !== null && label !== undefined && Object.hasOwn(rates, label))
        most = Math.max(most, rates[label]!);
    }
    return most;
  }

  /**
   * The window's outgoing TCP services that no training capture used, of sessions held with a public peer or
   * reached on unseenServicePeers distinct peers or more: the unseen-service term's (see
   * BehaviorOptions.unseenServiceWeight); none when off.
   */
  unseenServices(sample: BehaviorSample): number[] {
    const seen = this.outTcpSeen;
    if (this.unseenServiceWeight <= 0 || seen === null) return [];
    const codes = (sample.heldSessions ?? []).filter((code) => ((code >> 16) & 3) === 0 && !seen.has(code));
    // Admin ports and services neighbours accepted have terms of their own (a sweep of the LAN's SMB).
    if (this.unseenServicePeers > 0)
      for (const [code, peers] of sample.services)
        if (
          peers >= this.unseenServicePeers &&
          isOutgoingService(code) &&
          ((code >> 16) & 3) === 0 &&
          !isAdminTcp(code) &&
          !sample.lanConnections?.includes(code) &&
          !seen.has(code) &&
          !codes.includes(code)
        )
          codes.push(code);
    return codes;
  }

  /**
   * The window's outgoing UDP services of conversations held with a public peer (answered, 10 s or more) that no
   * training capture used: the unseen-service term's UDP part, scaled by its own label rates (a VPN, a relay or a
   * tunnel to a port nobody used); none when off or for a model made before it.
   */
  unseenUdpSessions(sample: BehaviorSample): number[] {
    const seen = this.outUdpSeen;
    if (this.unseenServiceWeight <= 0 || seen === null) return [];
    return (sample.heldSessions ?? []).filter((code) => ((code >> 16) & 3) === 1 && !seen.has(code));
  }

  /**
   * The window's outgoing IP protocols other than TCP, UDP and ICMP exchanged with a public peer for 10 s or more
   * (see BehaviorBin.heldSessions) that no training capture sent: the unseen-service term's IP part, scaled by
   * its own label rates (a tunnel with no port); none when off or for a model made before it.
   */
  unseenIpSessions(sample: BehaviorSample): number[] {
    const seen = this.outIpSeen;
    if (this.unseenServiceWeight <= 0 || seen === null) return [];
    return (sample.heldSessions ?? []).filter((code) => ((code >> 16) & 3) === 3 && !seen.has(code));
  }

  /**
   * The window's outgoing services on which a local host accepted its connection (or answered its UDP request)
   * and no training window's did: the LAN-service term's (see BehaviorOptions.lanServiceWeight); none when off.
   */
  unseenLanServices(sample: BehaviorSample): number[] {
    const seen = this.lanTcpSeen;
    if (this.lanServiceWeight <= 0 || seen === null || !sample.lanConnections) return [];
    const requests = this.state!.lanUdpRequests === true;
    return sample.lanConnections.filter(
      (code) => !seen.has(code) && !LAN_RESOLVER_TCP.has(code) && (requests || !isLanRequestService(code)),
    );
  }

  /**
   * The window's incoming TCP services on which the device accepted a connection and no training device did:
   * the listen-service term's (see BehaviorOptions.listenServiceWeight); none when off.
   */
  unseenListenServices(sample: BehaviorSample): number[] {
    const seen = this.inTcpSeen;
    if (this.listenServiceWeight <= 0 || seen === null || !sample.acceptedServices) return [];
    const udp = this.state!.listenUdp === true;
    return sample.acceptedServices.filter(
      (code) => !seen.has(code) && !WEB_SERVER_TCP.has(code) && (udp || ((code >> 16) & 3) === 0),
    );
  }

  /** Whether the one-type term is scored: on, without the local scale, and with at least two labels. */
  private get labelTerm(): boolean {
    return this.labelWeight > 0 && this.localFloor === 0 && this.labels.length >= 2;
  }

  standardise(values: readonly number[]): Float64Array {
    const s = this.state!;
    const out = new Float64Array(s.kinds.length);
    for (let f = 0; f < out.length; f++) {
      // A range feature stays out of the distance (0 for every window): only the beyond-range term reads it.
      if (s.kinds[f] === 'range') continue;
      const v = (transform(s.kinds[f]!, this.weighed(values, f)) - s.center[f]!) / s.scale[f]!;
      out[f] = Math.min(this.clip, Math.max(-this.clip, v));
    }
    return out;
  }

  /** Feature f of a window as the distance reads it: a TCP failure share weighed by its attempts (shareEvidence). */
  private weighed(values: readonly number[], f: number): number {
    const n = this.shareEvidence > 0 ? SHARE_ATTEMPTS[f]! : -1;
    if (n < 0) return values[f]!;
    const attempts = values[n]!;
    return (values[f]! * attempts) / (attempts + this.shareEvidence);
  }

  /**
   * Raw score of one bin; references of `excludeGroup` are skipped (cross-validation); its tail
   * probability is calibrated on `role`'s normal windows when it has its own calibration.
   */
  scoreBin(sample: BehaviorSample, excludeGroup?: string, role?: string, vendor?: string): BinScore {
    const s = this.state;
    if (!s) throw new Error('BehaviorModel: fit or load before scoring');
    const industrialUdp = this.industrialUdpCounts(vendor, excludeGroup);
    const q = this.standardise(sample.values);
    const k = this.k;
    const bestD = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
    const bestI = new Int32Array(k).fill(-1);
    // The k nearest among each label's references too, when the one-type term is on.
    const nl = this.labelTerm ? this.labels.length : 0;
    const labD = new Float64Array(nl * k).fill(Number.POSITIVE_INFINITY);
    const labI = new Int32Array(nl * k).fill(-1);
    for (let r = 0; r < this.z.length; r++) {
      if (excludeGroup !== undefined && s.refGroups[r] === excludeGroup) continue;
      const d2 = this.deviation(q, this.z[r]!);
      insertNearest(bestD, bestI, 0, k, d2, r);
      if (nl > 0) {
        const li = this.refLabelIdx[r]!;
        if (li >= 0) insertNearest(labD, labI, li * k, k, d2, r);
      }
    }
    const nearest = (d: Float64Array, idx: Int32Array, off: number) => {
      const neighbours: number[] = [];
      let distance = 0;
      for (let j = 0; j < k; j++) {
        if (idx[off + j]! < 0) break;
        neighbours.push(idx[off + j]!);
        distance += d[off + j]! ** (1 / this.norm);
      }
      return { neighbours, distance: distance / Math.max(neighbours.length, 1) };
    };
    const { neighbours, distance } = nearest(bestD, bestI, 0);
    const nov = this.noveltyAgainst(sample, neighbours, industrialUdp, excludeGroup);
    const otherType = this.otherTypeOf(nov.novel, neighbours, excludeGroup, vendor);
    let score = nov.plus(distance);
    if (otherType) score += this.otherTypeWeight * Math.log1p(otherType.services.length);
    const beyond = this.beyondRange(sample.values, excludeGroup);
    if (beyond.total > this.beyondFree) score += this.beyondWeight * (beyond.total - this.beyondFree);
    const upload = this.uploadBeyond(sample.values, neighbours);
    if (upload > 0) score += this.uploadWeight * upload;
    // Not in the cross-validated scores: a capture left out makes the ports only it used look unseen, which a
    // new capture of a trained type does not meet, and a few such raised scores would set the whole tail.
    let unseenTerms = 0;
    if (excludeGroup === undefined && this.unseenServices(sample).length > 0)
      unseenTerms += this.unseenServiceWeight * (1 - this.unseenRateOf(neighbours, s.labelUnseenRates));
    if (excludeGroup === undefined && this.unseenUdpSessions(sample).length > 0)
      unseenTerms += this.unseenServiceWeight * (1 - this.unseenRateOf(neighbours, s.labelUdpUnseenRates));
    if (excludeGroup === undefined && this.unseenIpSessions(sample).length > 0)
      unseenTerms += this.unseenServiceWeight * (1 - this.unseenRateOf(neighbours, s.labelIpUnseenRates));
    // Out of them for the same reason.
    if (excludeGroup === undefined && this.unseenLanServices(sample).length > 0)
      unseenTerms += this.lanServiceWeight * (1 - this.unseenRateOf(neighbours, s.labelLanUnseenRates));
    if (excludeGroup === undefined && this.unseenListenServices(sample).length > 0)
      unseenTerms += this.listenServiceWeight * (1 - this.unseenRateOf(neighbours, s.labelListenUnseenRates));
    const offlineMaker =
      excludeGroup === undefined && (sample.publicPeers?.length ?? 0) > 0
        ? this.makerOffline(vendor, role)
        : null;
    if (offlineMaker !== null) unseenTerms += this.offlineMakerWeight;
    const typePeerMost =
      excludeGroup === undefined ? this.typeMostBeyond(nov.novelPeerFlows, neighbours, s.labelPeerMost) : -1;
    if (typePeerMost >= 0) unseenTerms += this.typePeerTerm(nov.novelPeerFlows, typePeerMost);
    const typeNewPeersMost =
      excludeGroup === undefined ? this.typeMostBeyond(nov.novelPeers, neighbours, s.labelNewPeersMost) : -1;
    if (typeNewPeersMost >= 0) unseenTerms += this.typePeerTerm(nov.novelPeers, typeNewPeersMost);
    const typeNewRepeatsMost =
      excludeGroup === undefined
        ? this.typeMostBeyond(nov.novelRepeats, neighbours, s.labelNewRepeatsMost)
        : -1;
    if (typeNewRepeatsMost >= 0) unseenTerms += this.typePeerTerm(nov.novelRepeats, typeNewRepeatsMost);
    const typeNewOneWayMost =
      excludeGroup === undefined
        ? this.typeMostBeyond(nov.novelOneWayBytes, neighbours, s.labelNewOneWayMost, ONE_WAY_FREE_BYTES)
        : -1;
    if (typeNewOneWayMost >= 0) unseenTerms += this.typePeerTerm(nov.novelOneWayBytes, typeNewOneWayMost);
    const typeBeyond = excludeGroup === undefined ? this.typeBeyond(sample.values, neighbours).total : 0;
    unseenTerms += this.typeBeyondWeight * typeBeyond;
    score += unseenTerms;
    if (s.refLocal.length > 0 && neighbours.length > 0) {
      let local = 0;
      for (const n of neighbours) local += s.refLocal[n]!;
      score /= this.localFloor + local / neighbours.length;
    }
    const labelScores: number[] = [];
    let bestLabel = -1;
    for (let li = 0; li < nl; li++) {
      const own = nearest(labD, labI, li * k);
      const v =
        own.neighbours.length === 0
          ? Number.POSITIVE_INFINITY
          : this.noveltyAgainst(sample, own.neighbours, industrialUdp, excludeGroup).plus(own.distance);
      labelScores.push(v);
      if (v < (labelScores[bestLabel] ?? Number.POSITIVE_INFINITY)) bestLabel = li;
    }
    return {
      score,
      distance,
      novelty: nov.novelty,
      novelPeers: nov.novelPeers,
      novelPeerFlows: nov.novelPeerFlows,
      busiestNovelPeer: nov.busiestNovelPeer,
      novelRepeats: nov.novelRepeats,
      novelRepeatPeers: nov.novelRepeatPeers,
      novelOneWayBytes: nov.novelOneWayBytes,
      oneWayPeer: nov.oneWayPeer,
      newStacks: nov.newStacks,
      knownStacks: nov.knownStacks,
      arpClaims: nov.arpClaims,
      foreignSources: nov.foreignSources,
      unseenTerms,
      beacon: nov.beacon,
      industrialUdp,
      offlineMaker,
      typePeerMost,
      typeNewPeersMost,
      typeNewRepeatsMost,
      typeNewOneWayMost,
      typeBeyond,
      p: this.tailProbability(score, role),
      neighbours,
      novel: nov.novel,
      otherType,
      beyond: beyond.total,
      populationScore: score,
      labelScores,
      bestLabel,
      captureLabel: -1,
      labelScore: score,
      vendorLabel: null,
    };
  }

  /**
   * The other label one of whose normal windows used the most of the `novel` services (at least otherTypeMin),
   * labels of the `neighbours` excluded, and the labels of the training devices with the device's MAC vendor
   * prefix (its traffic like its own maker's type is no second type), and the labels the model cannot tell from
   * those (confusableLabels); ties go to the earlier reference.
   */
  private otherTypeOf(
    novel: readonly (readonly [number, number, number])[],
    neighbours: readonly number[],
    excludeGroup?: string,
    vendor?: string,
  ): { label: string; services: number[] } | null {
    if (this.otherTypeWeight <= 0 || novel.length < this.otherTypeMin) return null;
    const s = this.state!;
    const own = new Set(neighbours.map((n) => s.refLabels[n]));
    if (this.otherTypeSkipsVendor)
      for (const li of this.vendorLabels(vendor, excludeGroup)) own.add(this.labels[li]!);
    // A label the model cannot tell from one of those is no other type either (labelConfusableShare; one
    // step, not through a chain of pairs).
    const nl = this.labels.length;
    const named = this.labels.map((l) => own.has(l));
    for (let i = 0; i < nl; i++)
      for (let j = 0; j < nl; j++)
        if (named[i] && this.confusable[i * nl + j] === 1) own.add(this.labels[j]!);
    let best = -1;
    let bestCount = this.otherTypeMin - 1;
    for (let r = 0; r < this.serviceSets.length; r++) {
      const label = s.refLabels[r];
      if (label === null || own.has(label) || s.refGroups[r] === excludeGroup) continue;
      const set = this.serviceSets[r]!;
      let c = 0;
      for (const n of novel) if (set.has(n[0])) c++;
      if (c > bestCount) {
        bestCount = c;
        best = r;
      }
    }
    if (best < 0) return null;
    const set = this.serviceSets[best]!;
    return { label: s.refLabels[best]!, services: novel.filter((n) => set.has(n[0])).map((n) => n[0]) };
  }

  /** Service and public-peer novelty of `sample` against the references `neighbours`, and its weighted total. */
  private noveltyAgainst(
    sample: BehaviorSample,
    neighbours: readonly number[],
    industrialUdp: boolean,
    excludeGroup: string | undefined,
  ) {
    const novel: [number, number, number][] = [];
    for (const svc of sample.services) {
      if (!neighbours.some((n) => this.serviceSets[n]!.has(svc[0]))) novel.push([svc[0], svc[1], svc[2]]);
    }
    const novelty = this.serviceNovelty(
      novel,
      neighbours.some((n) => this.industrialRefs[n] === 1),
      industrialUdp,
    );
    let novelPeers = 0;
    let novelPeerFlows = 0;
    let busiestNovelPeer = -1;
    // Repeats over every new peer, then the busiest one's taken off: the order of peers does not matter.
    let allRepeats = 0;
    let repeatPeers = 0;
    let novelOneWayBytes = 0;
    let oneWayPeer = -1;
    const peers = sample.publicPeers ?? [];
    const peerFlows = sample.publicPeerFlows;
    const resumes = this.state!.peerResumes ? sample.publicPeerResumes : undefined;
    const oneWay = sample.publicPeerOneWayBytes;
    for (let i = 0; i < peers.length; i++)
      if (!neighbours.some((n) => this.peerSets[n]!.has(peers[i]!))) {
        novelPeers++;
        if ((oneWay?.[i] ?? 0) > novelOneWayBytes) {
          novelOneWayBytes = oneWay![i]!;
          oneWayPeer = peers[i]!;
        }
        const flows = (peerFlows?.[i] ?? 0) + (resumes?.[i] ?? 0);
        if (flows > 1) {
          allRepeats += flows - 1;
          repeatPeers++;
        }
        if (flows > novelPeerFlows) {
          novelPeerFlows = flows;
          busiestNovelPeer = peers[i]!;
        }
      }
    const novelRepeats = allRepeats - Math.max(novelPeerFlows - 1, 0);
    const novelRepeatPeers = repeatPeers - (novelPeerFlows > 1 ? 1 : 0);
    const { newStacks, knownStacks } = this.secondStack(sample.stacks ?? 0, neighbours);
    const arpClaims =
      this.arpClaimWeight > 0
        ? countNews(sample.arpClaims ?? 0, ARP_CLAIMS_MIN, this.refArpClaims, neighbours)
        : 0;
    const foreignSources =
      this.foreignSourceWeight > 0
        ? countNews(sample.foreignSources ?? 0, FOREIGN_SOURCES_MIN, this.refForeignSources, neighbours)
        : 0;
    const beacon = this.beaconBeyond(sample.beacons, neighbours, excludeGroup);
    const terms = [
      this.noveltyWeight * novelty,
      this.peerWeight * Math.log1p(novelPeers),
      this.peerFlowWeight * Math.log1p(Math.max(novelPeerFlows - this.peerFlowFree, 0)),
      newStacks !== 0 ? this.stackWeight : 0,
      arpClaims !== 0 ? this.arpClaimWeight : 0,
      beacon !== null ? this.beaconWeight : 0,
      foreignSources !== 0 ? this.foreignSourceWeight : 0,
    ] as const;
    // Added to a distance left to right, d + a + b + c (+ 0 when the stack, ARP, beacon and foreign-source
    // terms are silent): the order scores had before these terms were split out, so a model file's scores keep
    // their last bit.
    const plus = (distance: number) =>
      distance + terms[0] + terms[1] + terms[2] + terms[3] + terms[4] + terms[5] + terms[6];
    return {
      novel,
      novelty,
      novelPeers,
      novelPeerFlows,
      busiestNovelPeer,
      novelRepeats,
      novelRepeatPeers,
      novelOneWayBytes,
      oneWayPeer,
      newStacks,
      knownStacks,
      arpClaims,
      foreignSources,
      beacon,
      plus,
    };
  }

  /**
   * The beacon test (see BehaviorOptions.beaconWeight): among the window's regular endpoints, the one with the
   * most check-ins whose address no reference of the neighbours' types (an unlabelled neighbour: its own
   * capture) talked to, where the window has more regular endpoints of its service than any window of those
   * types' training captures had. References of `excludeGroup` are skipped (cross-validation). Null when none
   * (also when the term is off, or the model file has no regular endpoints of its training captures).
   */
  private beaconBeyond(
    beacons: readonly BeaconEntry[] | undefined,
    neighbours: readonly number[],
    excludeGroup: string | undefined,
  ): { entry: BeaconEntry; regular: number; normalMost: number } | null {
    if (this.beaconWeight <= 0 || beacons === undefined || beacons.length === 0) return null;
    const s = this.state!;
    const related = new Set<number>();
    for (const n of neighbours) {
      const li = this.refLabelIdx[n]!;
      if (li < 0) related.add(n);
      else for (const r of this.labelRefs[li]!) related.add(r);
    }
    const groups = new Set<string>();
    for (const r of related) if (s.refGroups[r] !== excludeGroup) groups.add(s.refGroups[r]!);
    const regular = regularByService(beacons);
    let best: { entry: BeaconEntry; regular: number; normalMost: number } | null = null;
    for (const e of beacons) {
      if (best !== null && e[2] <= best.entry[2]) continue;
      let known = false;
      for (const r of related)
        if (s.refGroups[r] !== excludeGroup && this.peerSets[r]!.has(e[0])) {
          known = true;
          break;
        }
      if (known) continue;
      let normalMost = 0;
      for (const g of groups) normalMost = Math.max(normalMost, this.groupBeacons.get(g)?.get(e[1]) ?? 0);
      const n = regular.get(e[1])!;
      if (n > normalMost) best = { entry: e, regular: n, normalMost };
    }
    return best;
  }

  /**
   * The second-stack test, per kind (TTL class; SYN options): the host's `stacks` has a bit of that kind none
   * of the neighbours' captures had, and one they had. Returns the new and known bits of the kinds that
   * fired (0, 0: none, or the term is off).
   */
  private secondStack(
    stacks: number,
    neighbours: readonly number[],
  ): { newStacks: number; knownStacks: number } {
    if (this.stackWeight <= 0 || stacks === 0) return { newStacks: 0, knownStacks: 0 };
    let known = 0;
    for (const n of neighbours) known |= this.refStacks[n]!;
    let newStacks = 0;
    let knownStacks = 0;
    for (const kind of STACK_KINDS) {
      const mine = stacks & kind;
      const fresh = mine & ~known;
      const seen = mine & known;
      if (fresh !== 0 && seen !== 0) {
        newStacks |= fresh;
        knownStacks |= seen;
      }
    }
    return { newStacks, knownStacks };
  }

  /**
   * Scores a capture's windows. With the one-type term, the capture gets the one label whose references fit
   * all its windows best (the worst window's, or the mean, label score); a window that fits another label
   * better and lies near normal windows (population score at most labelBound) scores its population score
   * plus ω · how much worse it fits the capture's label: a device that also behaves like another type fits no
   * single type, while an unseen type fits none, and its population score already says so.
   */
  scoreWindows(
    bins: readonly BehaviorSample[],
    excludeGroup?: string,
    role?: string,
    vendor?: string,
  ): BinScore[] {
    const scored = bins.map((b) => this.scoreBin(b, excludeGroup, role, vendor));
    if (!this.labelTerm || scored.length === 0) return scored;
    const captureLabel = this.captureLabelOf(
      scored.length,
      (i) => scored[i]!.populationScore,
      (i, li) => scored[i]!.labelScores[li]!,
    );
    if (captureLabel < 0) return scored;
    for (const b of scored) this.applyCaptureLabel(b, captureLabel, role);
    this.applyVendor(bins, scored, excludeGroup, role, vendor);
    return scored;
  }

  /**
   * The label whose references fit the `n` windows best (labelFit), given window i's population score and its
   * score for label li; only the windows that look normal choose when labelFitNormalOnly (all when none do).
   * -1: none.
   */
  private captureLabelOf(
    n: number,
    populationScore: (i: number) => number,
    labelScore: (i: number, li: number) => number,
  ): number {
    const chooses = new Uint8Array(n);
    let choosing = 0;
    for (let i = 0; i < n; i++) {
      if (this.labelFitNormalOnly && !this.nearNormal(populationScore(i))) continue;
      chooses[i] = 1;
      choosing++;
    }
    if (choosing === 0) {
      chooses.fill(1);
      choosing = n;
    }
    let captureLabel = -1;
    let bestFit = Number.POSITIVE_INFINITY;
    for (let li = 0; li < this.labels.length; li++) {
      let fit = 0;
      for (let i = 0; i < n; i++) {
        if (chooses[i] === 0) continue;
        const v = labelScore(i, li);
        fit = this.labelFit === 'max' ? Math.max(fit, v) : fit + v / choosing;
      }
      if (fit < bestFit) {
        bestFit = fit;
        captureLabel = li;
      }
    }
    return captureLabel;
  }

  /** Whether a window looks normal for some label: its population score at most labelBound (NaN: yes). */
  private nearNormal(populationScore: number): boolean {
    return !(populationScore > this.state!.labelBound);
  }

  /** Whether a window (its best label, population score) gets the one-type term under `captureLabel`. */
  private labelAdjusts(captureLabel: number, bestLabel: number, populationScore: number): boolean {
    return (
      captureLabel >= 0 &&
      bestLabel !== captureLabel &&
      this.nearNormal(populationScore) &&
      this.confusable[captureLabel * this.labels.length + bestLabel] !== 1
    );
  }

  private labelAdjusted(populationScore: number, labelScore: number): number {
    return populationScore + this.labelWeight * Math.max(labelScore - populationScore, 0);
  }

  /** Sets a window's score under the capture's one label (captureLabel ≥ 0). */
  private applyCaptureLabel(b: BinScore, captureLabel: number, role?: string): void {
    b.captureLabel = captureLabel;
    b.labelScore = b.labelScores[captureLabel]!;
    if (!this.labelAdjusts(captureLabel, b.bestLabel, b.populationScore)) return;
    b.score = this.labelAdjusted(b.populationScore, b.labelScore);
    b.p = this.tailProbability(b.score, role);
  }

  /**
   * The most the neighbours' types had in a training window by `most` (labelPeerMost, labelNewPeersMost …; at
   * least `free`, peerFlowFree for counts of contacts; the largest over the neighbours' labels) when `count` is
   * beyond it; -1 otherwise, or when a neighbour has no such figure (unlabelled, a type of few captures, a file
   * without the figures).
   */
  private typeMostBeyond(
    count: number,
    neighbours: readonly number[],
    most: Record<string, number> | undefined,
    free = this.peerFlowFree,
  ): number {
    if (this.typePeerWeight <= 0 || most === undefined || neighbours.length === 0) return -1;
    let m = free;
    for (const n of neighbours) {
      const li = this.refLabelIdx[n]!;
      const v = li >= 0 ? most[this.labels[li]!] : undefined;
      if (v === undefined) return -1;
      m = Math.max(m, v);
    }
    return count > m ? m : -1;
  }

  /** What the type-range contacts term adds for `count` beyond its types' `most` (typeMostBeyond ≥ 0). */
  private typePeerTerm(count: number, most: number): number {
    return this.typePeerWeight * Math.log((1 + count) / (1 + most));
  }

  /**
   * Whether every training capture of MAC vendor prefix `vendor` talked to no public address ('maker'), or, when
   * training has no capture of that maker, every capture of label `role` ('role'); null otherwise. Only outside
   * cross-validation, so no capture is left out.
   */
  private makerOffline(vendor: string | undefined, role: string | undefined): 'maker' | 'role' | null {
    if (this.offlineMakerWeight <= 0) return null;
    const offline = (groups: Map<string, boolean> | undefined): boolean | null => {
      if (groups === undefined || groups.size === 0) return null;
      for (const online of groups.values()) if (online) return false;
      return true;
    };
    const byMaker = vendor === undefined ? null : offline(this.vendorOnline.get(vendor));
    if (byMaker !== null) return byMaker ? 'maker' : null;
    return role !== undefined && offline(this.labelOnline.get(role)) === true ? 'role' : null;
  }

  /**
   * Whether industrial UDP counts as industrial for a device of MAC vendor prefix `vendor`: training captures
   * (other than excludeGroup's) had that prefix and none of them spoke an industrial protocol.
   */
  private industrialUdpCounts(vendor: string | undefined, excludeGroup?: string): boolean {
    if (!this.vendorIndustrialUdp || vendor === undefined) return false;
    let known = false;
    for (const [g, industrial] of this.vendorIndustrial.get(vendor) ?? []) {
      if (g === excludeGroup) continue;
      if (industrial) return false;
      known = true;
    }
    return known;
  }

  /** The labels of the training captures (other than excludeGroup's) whose device had MAC vendor prefix `vendor`. */
  vendorLabels(vendor: string | undefined, excludeGroup?: string): number[] {
    const out: number[] = [];
    if (this.vendorWeight <= 0 || vendor === undefined) return out;
    for (const [li, groups] of this.vendorCaptures.get(vendor) ?? [])
      if (groups.size > (excludeGroup !== undefined && groups.has(excludeGroup) ? 1 : 0)) out.push(li);
    return out.sort((a, b) => a - b);
  }

  /**
   * The vendor term: a window of at least vendorMinPackets packets scores at least its population score plus
   * υ · (how much worse it fits the best of the vendor's labels − v₀).
   */
  private applyVendor(
    bins: readonly BehaviorSample[],
    scored: BinScore[],
    excludeGroup: string | undefined,
    role: string | undefined,
    vendor: string | undefined,
  ): void {
    const labels = this.vendorLabels(vendor, excludeGroup);
    if (labels.length === 0) return;
    scored.forEach((b, i) => {
      const best = this.vendorBest(bins[i]!.packets, labels, b.labelScores, 0);
      if (best < 0) return;
      const t = this.vendorRaised(b.populationScore, b.labelScores[best]!);
      if (t > b.score) {
        b.score = t;
        b.p = this.tailProbability(t, role);
        b.vendorLabel = this.labels[best]!;
      }
    });
  }

  /**
   * Among the vendor's `labels`, the one whose references fit the window best (its label scores at
   * scores[offset + li]); -1 when the term does not judge it (too few packets, or no finite fit).
   */
  private vendorBest(
    packets: number | undefined,
    labels: readonly number[],
    scores: ArrayLike<number>,
    offset: number,
  ): number {
    if (labels.length === 0 || (packets ?? Number.POSITIVE_INFINITY) < this.vendorMinPackets) return -1;
    let best = -1;
    for (const li of labels) if (best < 0 || scores[offset + li]! < scores[offset + best]!) best = li;
    return Number.isFinite(scores[offset + best]!) ? best : -1;
  }

  private vendorRaised(populationScore: number, vendorFit: number): number {
    return populationScore + this.vendorWeight * Math.max(vendorFit - populationScore - this.vendorFree, 0);
  }

  /** Σ_f w_f |q_f − r_f|^p, with w_f = belowWeight where the query lies below the reference. */
  private deviation(q: Float64Array, r: Float64Array): number {
    const p = this.norm;
    const below = this.belowFactor;
    let sum = 0;
    for (let f = 0; f < q.length; f++) {
      const t = q[f]! - r[f]!;
      const a = t < 0 ? -t * below : t;
      sum += p === 1 ? a : p === 2 ? a * a : a ** p;
    }
    return sum;
  }

  /**
   * Novelty of services (code, peers, connections) unseen by the comparison:
   * ln(1 + count) + ln(1 + most peers of one) + α ln(1 + their connections on admin/lateral-movement ports, and
   * TCP ones on industrial control ports when the comparison spoke none) + a bonus for each of those two kinds.
   * New connections on SMB, RPC, RDP, SSH, … are what lateral movement looks like, a routing or gateway-redundancy
   * protocol the device sends (OSPF, VRRP, BGP, …) what taking over the network's paths does, and a first industrial
   * protocol what a device tampering with a process does. `industrialKnown`: the comparison used one already;
   * `industrialUdp`: UDP the device sent to an industrial port counts too (see vendorIndustrialUdp).
   */
  serviceNovelty(
    novel: readonly (readonly [number, number, number])[],
    industrialKnown = false,
    industrialUdp = false,
  ): number {
    if (novel.length === 0) return 0;
    let maxPeers = 0;
    let adminFlows = 0;
    let industrialFlows = 0;
    const industrial = this.industrialServiceBonus > 0 && !industrialKnown;
    for (const n of novel) {
      if (n[1] > maxPeers) maxPeers = n[1];
      if (isAdminTcp(n[0]) || isOutgoingRoutingService(n[0])) adminFlows += n[2];
      else if (industrial && (isIndustrialTcp(n[0]) || (industrialUdp && isOutgoingIndustrialUdp(n[0]))))
        industrialFlows += n[2];
    }
    return (
      Math.log1p(novel.length) +
      Math.log1p(maxPeers) +
      this.adminNoveltyWeight * Math.log1p(adminFlows + industrialFlows) +
      (adminFlows > 0 ? this.adminServiceBonus : 0) +
      (industrialFlows > 0 ? this.industrialServiceBonus : 0)
    );
  }

  /** The calibration `role` gets: its own when it had enough training windows, else the population's. */
  tailFor(role?: string): ScoreTail {
    const s = this.state!;
    return (role !== undefined && Object.hasOwn(s.roleTails, role) ? s.roleTails[role] : undefined) ?? s;
  }

  /** Whether `role` is one thinCalibration judges (few training captures, and the model has the tail). */
  isThinRole(role?: string): boolean {
    const s = this.state!;
    return role !== undefined && s.thinTail !== undefined && (s.thinRoles ?? []).includes(role);
  }

  /**
   * The role a device of MAC vendor prefix `vendor` is calibrated as: `role`, unless it is a thin role and
   * training devices with that prefix had a label with enough captures (then undefined: the population's).
   * A D-Link camera the role model calls a MELSEC PLC is a camera doing a PLC's job, not a new PLC.
   */
  calibrationRole(
    role: string | undefined,
    vendor: string | undefined,
    excludeGroup?: string,
  ): string | undefined {
    if (!this.isThinRole(role)) return role;
    const thin = this.state!.thinRoles!;
    const sampled = this.vendorLabels(vendor, excludeGroup).some((li) => !thin.includes(this.labels[li]!));
    return sampled ? undefined : role;
  }

  /** A thin role's worst window with more connections to one new public peer than any window of the thin pool. */
  private beaconBeyondThin(role: string | undefined, w: BinScore): boolean {
    const most = this.state!.thinPeerFlows;
    return (
      most !== undefined &&
      this.calibrationOf(role) === 'thin' &&
      w.novelPeerFlows > Math.max(most, this.peerFlowFree)
    );
  }

  /**
   * A thin role's worst window on which a service no training device used counted (thinUnseenPopulation), or
   * whose counts went further beyond anything normal than any thin-pool window's (thinBeyond).
   */
  private evidenceBeyondThin(role: string | undefined, w: BinScore): boolean {
    if (this.calibrationOf(role) !== 'thin') return false;
    const most = this.state!.thinBeyond;
    return (
      (this.thinUnseenPopulation && w.unseenTerms > 0) ||
      (most !== undefined && w.beyond > Math.max(most, this.beyondFree))
    );
  }

  /**
   * Settles the worst window's calibration: a beacon beyond the thin pool (beaconBeyondThin), or evidence no
   * thin-pool window had (evidenceBeyondThin), takes the population's tail (its p recomputed). Returns the role
   * it is calibrated on (null: the population's).
   */
  private settleCalibration(worst: BinScore, role: string | undefined): string | null {
    if (this.beaconBeyondThin(role, worst) || this.evidenceBeyondThin(role, worst)) {
      worst.p = this.tailProbability(worst.score);
      return null;
    }
    return this.calibrationOf(role) === 'population' ? null : role!;
  }

  /**
   * How `role` is calibrated: its own tail, the pooled one of roles with few training captures (thin), or
   * the population's.
   */
  calibrationOf(role?: string): 'role' | 'thin' | 'population' {
    if (this.tailFor(role) !== this.state) return 'role';
    return this.isThinRole(role) ? 'thin' : 'population';
  }

  /**
   * Share of normal bins (of `role`, when it has its own calibration) scoring at least `score`
   * (interpolated; an exponential tail beyond the largest); for a thin role (thinCalibration), the larger
   * of that and the thin tail's.
   */
  tailProbability(score: number, role?: string): number {
    const p = this.tailShareAbove(this.tailFor(role), score);
    return this.isThinRole(role) ? Math.max(p, this.tailShareAbove(this.state!.thinTail!, score)) : p;
  }

  private tailShareAbove(s: ScoreTail, score: number): number {
    const cv = s.cvScores;
    const n = cv.length;
    if (n === 0) return 1;
    if (this.tailShare > 0 && score > s.tailStart)
      return this.tailShare * Math.exp(-(score - s.tailStart) / s.tau);
    if (score > cv[n - 1]!) return Math.exp(-(score - cv[n - 1]!) / s.tau) / (n + 1);
    if (score <= cv[0]!) return 1;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cv[mid]! < score) lo = mid;
      else hi = mid;
    }
    const frac = cv[hi]! > cv[lo]! ? (score - cv[lo]!) / (cv[hi]! - cv[lo]!) : 1;
    const rank = lo + 1 + frac; // bins scoring below `score`, interpolated
    return Math.max((n + 1 - rank) / (n + 1), 1 / (n + 1));
  }

  /**
   * Scores a capture's bins (at least one): the worst bin decides, corrected for the number of bins.
   * `role` (the predicted role) picks that role's own calibration when the model has one.
   */
  score(
    bins: readonly BehaviorSample[],
    excludeGroup?: string,
    role?: string,
    vendor?: string,
  ): CaptureScore {
    if (bins.length === 0) throw new Error('BehaviorModel.score: no bins');
    role = this.calibrationRole(role, vendor, excludeGroup);
    const scored = this.scoreWindows(bins, excludeGroup, role, vendor);
    let worst = 0;
    for (let i = 1; i < scored.length; i++) if (scored[i]!.score > scored[worst]!.score) worst = i;
    const calibratedOn = this.settleCalibration(scored[worst]!, role);
    const abnormality = this.captureAbnormality(scored[worst]!.p, scored.length);
    const fit = this.labelFitOf(scored.length, scored[0]?.captureLabel ?? -1, (i) => scored[i]!.bestLabel);
    const reasons = this.reasonsOf(bins[worst]!, scored[worst]!, fit, scored.length, vendor);
    return { abnormality, worst, bins: scored, reasons, calibratedOn, fit };
  }

  /**
   * `score` for eval: the windows are read one at a time, twice for the worst (its BinScore is computed
   * again rather than every window's kept), and only each window's final score is kept. Same figures as
   * `score` (scoreBin is deterministic), in a few typed arrays instead of ~1 KiB of objects per window.
   */
  scoreStream(
    windows: WindowSource,
    excludeGroup?: string,
    role?: string,
    vendor?: string,
  ): StreamedCaptureScore {
    const n = windows.length;
    if (n === 0) throw new Error('BehaviorModel.scoreStream: no bins');
    role = this.calibrationRole(role, vendor, excludeGroup);
    const nl = this.labelTerm ? this.labels.length : 0;
    const population = new Float64Array(n);
    const bestLabel = new Int32Array(n);
    const labelScores = new Float64Array(n * nl);
    const packets = new Float64Array(n);
    const distances = new Float64Array(n);
    const novelties = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const sample = windows.get(i);
      packets[i] = sample.packets ?? Number.POSITIVE_INFINITY;
      const b = this.scoreBin(sample, excludeGroup, role, vendor);
      population[i] = b.score;
      distances[i] = b.distance;
      novelties[i] = b.novelty;
      bestLabel[i] = b.bestLabel;
      for (let li = 0; li < nl; li++) labelScores[i * nl + li] = b.labelScores[li]!;
    }
    const captureLabel =
      nl > 0
        ? this.captureLabelOf(
            n,
            (i) => population[i]!,
            (i, li) => labelScores[i * nl + li]!,
          )
        : -1;
    // As scoreWindows: the vendor term only where the one-type term is on.
    const vendorLabels = captureLabel >= 0 ? this.vendorLabels(vendor, excludeGroup) : [];
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const pop = population[i]!;
      let s = this.labelAdjusts(captureLabel, bestLabel[i]!, pop)
        ? this.labelAdjusted(pop, labelScores[i * nl + captureLabel]!)
        : pop;
      const vb = this.vendorBest(packets[i], vendorLabels, labelScores, i * nl);
      if (vb >= 0) s = Math.max(s, this.vendorRaised(pop, labelScores[i * nl + vb]!));
      scores[i] = s;
    }
    let worst = 0;
    for (let i = 1; i < n; i++) if (scores[i]! > scores[worst]!) worst = i;
    const sample = windows.get(worst);
    const w = this.streamedBin(sample, captureLabel, excludeGroup, role, vendor);
    const calibratedOn = this.settleCalibration(w, role);
    const fit = this.labelFitOf(n, captureLabel, (i) => bestLabel[i]!);
    return {
      abnormality: this.captureAbnormality(w.p, n),
      worst,
      scores,
      distances,
      novelties,
      worstBin: w,
      windowBin: (i) =>
        i === worst ? w : this.streamedBin(windows.get(i), captureLabel, excludeGroup, role, vendor),
      reasons: this.reasonsOf(sample, w, fit, n, vendor),
      calibratedOn,
      fit,
    };
  }

  /**
   * The fewest device packets a capture needs to be judged (evidenceShare of the smallest normal training
   * capture of the device's maker's types, else of its role, else of any) and what that smallest capture was;
   * null when the model keeps no sizes (off, or a file from before). The maker comes first: it is the device's
   * hardware, where a fragment's predicted role is often wrong (a Hue bridge's first 10 packets look like a
   * kettle's whole setup).
   */
  evidenceFloor(
    role?: string,
    vendor?: string,
  ): { packets: number; smallest: number; share: number; of: string } | null {
    const s = this.state;
    if (!s?.minPacketsByLabel || this.evidenceShare <= 0) return null;
    const byVendor = s.minPacketsByVendor ?? {};
    let smallest: number;
    let of: string;
    if (vendor !== undefined && Object.hasOwn(byVendor, vendor)) {
      smallest = byVendor[vendor]!;
      of = `the types of the training devices with its MAC vendor prefix ${vendor}`;
    } else if (role !== undefined && Object.hasOwn(s.minPacketsByLabel, role)) {
      smallest = s.minPacketsByLabel[role]!;
      of = `its role ${role}`;
    } else {
      const all = Object.values(s.minPacketsByLabel);
      if (all.length === 0) return null;
      smallest = Math.min(...all);
      of = 'any training type';
    }
    return { packets: Math.ceil(this.evidenceShare * smallest), smallest, share: this.evidenceShare, of };
  }

  /**
   * One window's BinScore under the capture's one label (-1: none), as scoreWindows gives it: the figures
   * scoreStream keeps of every window, in full.
   */
  private streamedBin(
    sample: BehaviorSample,
    captureLabel: number,
    excludeGroup: string | undefined,
    role: string | undefined,
    vendor: string | undefined,
  ): BinScore {
    const b = this.scoreBin(sample, excludeGroup, role, vendor);
    if (captureLabel >= 0) {
      this.applyCaptureLabel(b, captureLabel, role);
      this.applyVendor([sample], [b], excludeGroup, role, vendor);
    }
    return b;
  }

  /** The worst window's reasons, led by the one-type line when that term raised its score. */
  private reasonsOf(
    sample: BehaviorSample,
    w: BinScore,
    fit: LabelFit | null,
    windows: number,
    vendor: string | undefined,
  ): string[] {
    const reasons = this.explain(sample, w);
    if (w.vendorLabel !== null && vendor !== undefined && w.score - w.populationScore >= 1) {
      // The vendor term raised the deciding window: say whose traffic it looks like and whose MAC it has.
      const near = w.neighbours.length > 0 ? this.state!.refLabels[w.neighbours[0]!] : null;
      reasons.unshift(
        `its MAC vendor prefix ${vendor} is that of the ${w.vendorLabel} devices in training, but its traffic ${near ? `looks like ${article(near)}'s` : 'fits other devices'} and not like any ${w.vendorLabel}'s`,
      );
      reasons.splice(4);
    } else if (fit && fit.windows.length >= 2 && w.score - w.populationScore >= 1) {
      // The one-type term raised the deciding window: say which types the windows look like.
      const [[first, n1], [second, n2]] = fit.windows as [[string, number], [string, number]];
      reasons.unshift(
        `${n1} of ${windows} windows look like ${article(first)}'s, ${n2} like ${article(second)}'s: no one normal device type does both`,
      );
      reasons.splice(4);
    }
    return reasons;
  }

  /** The capture's one label `li` (-1: none) and the windows that fit another label better. */
  private labelFitOf(n: number, li: number, bestLabelOf: (i: number) => number): LabelFit | null {
    if (li < 0) return null;
    const others = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const b = bestLabelOf(i);
      if (b >= 0 && b !== li) others.set(b, (others.get(b) ?? 0) + 1);
    }
    let other = -1;
    let otherWindows = 0;
    for (const [l, c] of others) {
      otherWindows += c;
      if (other < 0 || c > others.get(other)! || (c === others.get(other)! && l < other)) other = l;
    }
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const b = bestLabelOf(i);
      if (b >= 0) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const windows = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([l, c]): [string, number] => [this.labels[l]!, c]);
    return {
      label: this.labels[li]!,
      otherWindows,
      other: other < 0 ? null : this.labels[other]!,
      windows,
    };
  }

  /** A capture's abnormality from its worst window's tail probability and its number of windows. */
  captureAbnormality(pmin: number, windows: number): number {
    return (1 - pmin) ** (windows ** this.windowExponent);
  }

  /** The features and services that set a bin apart from its nearest normal bins, in words. */
  explain(sample: BehaviorSample, score: BinScore): string[] {
    const s = this.state!;
    const q = this.standardise(sample.values);
    // Each reason weighs about what its term added to the score, so that the one that decided leads: a flood's
    // 3,000 connections with a new address, not the type its other traffic happens to look like.
    const reasons: { weight: number; text: string }[] = [];
    const other = score.otherType;
    if (other) {
      const own = score.neighbours.length > 0 ? s.refLabels[score.neighbours[0]!] : null;
      const listed = other.services.slice(0, 3).map(serviceText);
      if (other.services.length > 3) listed.push(`${other.services.length - 3} more`);
      reasons.push({
        weight: this.otherTypeWeight * Math.log1p(other.services.length),
        text: `${own ? `most traffic looks like ${article(own)}'s (its nearest normal devices), ` : ''}the rest like ${article(other.label)}'s: ${listed.join(', ')}, which ${other.label} devices use and its nearest normal devices do not`,
      });
    }
    // A count beyond anything normal: said once, with the most any normal window had.
    const beyond = score.beyond > this.beyondFree ? this.beyondRange(sample.values) : null;
    if (beyond && beyond.feature >= 0) {
      const f = beyond.feature;
      const value = sample.values[f]!;
      const minutes = Math.round(this.windowS / 60);
      const typed = score.typeBeyond > 0 ? this.typeBeyond(sample.values, score.neighbours) : null;
      // The type-range counts term's weight joins the reason only when it names that term's main feature.
      const ofType = typed !== null && typed.feature === f ? typed : null;
      const ofTypes = ofType
        ? `; a training capture of the nearest normal devices' types had ${formatNumber(ofType.most)} at most`
        : '';
      reasons.push({
        // Ranked below a new service to peers with as many connections (it names the attack better).
        weight: 1 + beyond.excess + (ofType ? this.typeBeyondWeight * ofType.total : 0),
        text: `${BEHAVIOR_FEATURES[f]!.text}: ${formatNumber(value)}, ${
          beyond.max > 0
            ? `${formatNumber((1 + value) / (1 + beyond.max))}× the most any normal device had in ${minutes} minutes (${formatNumber(beyond.max)})`
            : `where no normal device had any in ${minutes} minutes`
        }${ofTypes}`,
      });
    }
    if (score.arpClaims !== 0) {
      reasons.push({
        weight: this.arpClaimWeight,
        text: `${score.arpClaims} of its ARP frames in ${Math.round(this.windowS / 60)} minutes claimed another IPv4 address than its own (never ${ARP_CLAIMS_MIN} in a window of its nearest normal devices) — answering for another host's address, as ARP spoofing does to intercept its traffic`,
      });
    }
    if (score.foreignSources !== 0) {
      reasons.push({
        weight: this.foreignSourceWeight,
        text: `${score.foreignSources} of its IPv4 packets in ${Math.round(this.windowS / 60)} minutes left from ${
          sample.foreignSourceAddress !== undefined
            ? `${peerText(sample.foreignSourceAddress)}, an address of its local network it was never reached at`
            : 'an address of its local network it was never reached at'
        } (never ${FOREIGN_SOURCES_MIN} in a window of its nearest normal devices) — another host's address: spoofed, the answers going to that host (a reflection or a flood aimed at it), or that host's traffic forwarded one way, as a device in the middle of it does`,
      });
    }
    if (score.typeNewOneWayMost >= 0) {
      reasons.push({
        weight: this.typePeerTerm(score.novelOneWayBytes, score.typeNewOneWayMost),
        text: `${formatNumber(score.novelOneWayBytes)} bytes of UDP sent to ${peerText(score.oneWayPeer)}, a public address none of the nearest normal devices talked to, with nothing coming back, more than any training capture of their types sent one such address one way in ${Math.round(this.windowS / 60)} minutes (${formatNumber(score.typeNewOneWayMost)}) — a push to a collector nobody answers carries data out this way`,
      });
    }
    if (score.beacon !== null) {
      const [peer, service, checkins, meanS, sdS] = score.beacon.entry;
      const { regular, normalMost } = score.beacon;
      const others =
        regular > 1
          ? ` (${regular} endpoints of this service checked in with regularly; their most in a window ${normalMost})`
          : '';
      reasons.push({
        weight: this.beaconWeight,
        text: `regular check-ins with ${peerText(peer)} on ${serviceText(service)}: ${checkins} so far, every ${formatNumber(meanS)} s (± ${formatNumber(sdS)} s)${others}, a public address no training device of its nearest normal devices' types talked to — what an implant's beacon to its controller looks like; the device's own cloud heartbeat goes to addresses its type knows`,
      });
    }
    if (score.newStacks !== 0) {
      reasons.push({
        weight: this.stackWeight,
        // Which of the two is the device's own is not known: a device of a new firmware among attacker packets
        // of a common OS has the new stack. "Its usual" named the attacker's once.
        text: `a second network stack sends from its address: ${stackBitsText(score.newStacks).join(', ')} (never in the captures of its nearest normal devices) beside ${stackBitsText(score.knownStacks).join(', ')} (as in theirs) — another machine or OS behind it (either may be the device's own)`,
      });
    }
    if (score.typeNewPeersMost >= 0) {
      reasons.push({
        weight:
          this.peerWeight * Math.log1p(score.novelPeers) +
          this.typePeerTerm(score.novelPeers, score.typeNewPeersMost),
        text: `${score.novelPeers} public addresses none of the nearest normal devices talked to, more than any training capture of their types met in ${Math.round(this.windowS / 60)} minutes (${score.typeNewPeersMost}) — a bot's list of relays, or its targets, is met this way`,
      });
    }
    if (score.typeNewRepeatsMost >= 0) {
      const n = score.novelRepeatPeers;
      reasons.push({
        weight: this.typePeerTerm(score.novelRepeats, score.typeNewRepeatsMost),
        text: `contacted ${n} public address${n === 1 ? '' : 'es'} none of the nearest normal devices talked to again and again, beside the busiest one: ${score.novelRepeats} repeat contacts, more than any training capture of their types made with such addresses in ${Math.round(this.windowS / 60)} minutes (${score.typeNewRepeatsMost}) — a spray, or a C2 spread over several servers, returns to each of its targets`,
      });
    }
    if ((score.novelPeerFlows >= 5 || score.typePeerMost >= 0) && score.busiestNovelPeer >= 0) {
      const i = this.state!.peerResumes ? (sample.publicPeers ?? []).indexOf(score.busiestNovelPeer) : -1;
      const resumed = i >= 0 ? (sample.publicPeerResumes?.[i] ?? 0) : 0;
      const contacts =
        resumed > 0
          ? `${score.novelPeerFlows} contacts (${score.novelPeerFlows - resumed} connection${score.novelPeerFlows - resumed === 1 ? '' : 's'}, ${resumed} resumed after a pause of ${RESUME_IDLE_US / 1e6} s or more)`
          : `${score.novelPeerFlows} connections`;
      const typeRange =
        score.typePeerMost >= 0
          ? `, more than any training capture of their types had with one such address in ${Math.round(this.windowS / 60)} minutes (${score.typePeerMost})`
          : '';
      reasons.push({
        weight:
          this.peerFlowWeight * Math.log1p(score.novelPeerFlows) +
          (score.typePeerMost >= 0 ? this.typePeerTerm(score.novelPeerFlows, score.typePeerMost) : 0),
        text: `${contacts} with ${peerText(score.busiestNovelPeer)}, a public address none of the nearest normal devices talked to${typeRange}`,
      });
    }
    if (score.offlineMaker !== null) {
      const n = sample.publicPeers?.length ?? 0;
      const whose =
        score.offlineMaker === 'maker'
          ? 'a device of its maker (its MAC vendor prefix)'
          : 'its role (no device of its maker in training)';
      reasons.push({
        weight: this.offlineMakerWeight,
        text: `talked to ${n} public address${n === 1 ? '' : 'es'}, where no training capture of ${whose} talked to any — a device kept off the internet reaches out, or is reached from outside`,
      });
    }
    const unseenUdp = new Set(this.unseenUdpSessions(sample));
    const unseenIp = new Set(this.unseenIpSessions(sample));
    const unseen = new Set([...this.unseenServices(sample), ...unseenUdp, ...unseenIp]);
    const held = new Set(sample.heldSessions ?? []);
    for (const [code, peers, flows] of sample.services) {
      if (!unseen.has(code)) continue;
      const connections = `${flows} connection${flows === 1 ? '' : 's'}`;
      reasons.push({
        weight:
          this.unseenServiceWeight *
          (1 -
            this.unseenRateOf(
              score.neighbours,
              unseenUdp.has(code)
                ? s.labelUdpUnseenRates
                : unseenIp.has(code)
                  ? s.labelIpUnseenRates
                  : s.labelUnseenRates,
            )),
        text: unseenUdp.has(code)
          ? `${servicePeersText(code, peers)} (${flows} conversation${flows === 1 ? '' : 's'}), a UDP conversation held with a public address on a service no training device used at all — a VPN, a relay or a tunnel is reached this way`
          : unseenIp.has(code)
            ? `${servicePeersText(code, peers)}, exchanged with a public address for ${HELD_SESSION_S} s or more, a protocol no training device sent at all — a tunnel with no port (IP in IP, GRE, ESP) carries a VPN or a shell this way`
            : held.has(code)
              ? `${servicePeersText(code, peers)} (${connections}), a session held with a public address on a service no training device used at all — a reverse shell, a bot's chat server or a mining pool is reached this way`
              : `${servicePeersText(code, peers)} (${connections}), a service no training device used at all, to ${peers} hosts — a spam bot's mail servers or a worm's targets are reached this way`,
      });
    }
    const unseenLan = new Set(this.unseenLanServices(sample));
    const lanWeight =
      this.lanServiceWeight * (1 - this.unseenRateOf(score.neighbours, s.labelLanUnseenRates));
    const unseenListen = new Set(this.unseenListenServices(sample));
    const listenWeight =
      this.listenServiceWeight * (1 - this.unseenRateOf(score.neighbours, s.labelListenUnseenRates));
    const novelNamed = new Set<number>();
    for (const [code, peers, flows] of score.novel) {
      if (other?.services.includes(code) || unseen.has(code)) continue;
      novelNamed.add(code);
      const maker =
        score.industrialUdp && isOutgoingIndustrialUdp(code)
          ? '; no device of its maker in training spoke an industrial protocol'
          : '';
      // A new service a neighbour accepted (a scan's open ports, SMB to a LAN host) keeps its counts.
      const lan = unseenLan.has(code) ? lanPartText(code) : '';
      const listen = unseenListen.has(code | FROM_INTERNET)
        ? ((code >> 16) & 3) === 1
          ? `; it answered ${flows === 1 ? 'it' : 'them'} at once: no training device answered internet addresses on it — a reflector, a backdoor or a port opened to the internet answers this way`
          : `; it accepted ${flows === 1 ? 'it' : 'them'} from internet addresses: no training device accepted connections from the internet on it — a bind shell, a backdoor or a port opened to the internet listens this way`
        : unseenListen.has(code)
          ? `; it accepted ${flows === 1 ? 'it' : 'them'}: no training device accepted connections on it — a proxy, a bind shell or a backdoor listens this way`
          : '';
      reasons.push({
        weight: Math.max(
          Math.log1p(peers) + Math.log1p(flows) + 1,
          lan ? lanWeight : 0,
          listen ? listenWeight : 0,
        ),
        text: `new ${servicePeersText(code, peers)} (${flows} connection${flows === 1 ? '' : 's'}; not used by the nearest normal devices${maker}${lan}${listen})`,
      });
    }
    for (const code of unseenListen) {
      if (novelNamed.has(code & ~FROM_INTERNET)) continue;
      reasons.push({
        weight: listenWeight,
        text:
          code & FROM_INTERNET
            ? ((code >> 16) & 3) === 1
              ? `${serviceText(code)}, which it answered at once: no training device answered internet addresses on it — a reflector, a backdoor or a port opened to the internet answers this way`
              : `${serviceText(code)}, which it accepted: no training device accepted connections from the internet on it — a bind shell, a backdoor or a port opened to the internet listens this way`
            : `${serviceText(code)}, which it accepted: no training device accepted connections on it — a proxy, a bind shell or a backdoor listens this way`,
      });
    }
    for (const code of unseenLan) {
      if (novelNamed.has(code)) continue;
      reasons.push({
        weight: lanWeight,
        // The service's peer and connection counts are not the local host's alone (a cloud may serve the port).
        text: lanServiceText(code),
      });
    }
    for (let f = 0; f < q.length; f++) {
      if (f === beyond?.feature) continue;
      const zs: number[] = [];
      const raw: number[] = [];
      for (const n of score.neighbours) {
        zs.push(this.z[n]![f]!);
        raw.push(s.refs[n]![f]!);
      }
      zs.sort((a, b) => a - b);
      raw.sort((a, b) => a - b);
      // Against the neighbours' median (not mean): the typical value shown is the median too.
      const diff = q[f]! - quantileSorted(zs, 0.5);
      const typical = quantileSorted(raw, 0.5);
      const value = sample.values[f]!;
      const info = BEHAVIOR_FEATURES[f]!;
      if (Math.abs(diff) < 2) {
        const most = raw.at(-1) ?? 0;
        if (
          f === MAX_UPLOAD_FEATURE &&
          value >= UPLOAD_NOTABLE_BYTES &&
          value >= UPLOAD_NOTABLE_RATIO * most
        ) {
          reasons.push({
            weight: Math.log2(value / Math.max(most, 1)),
            text: `${info.text}: ${formatNumber(value)}, ${most > 0 ? `${formatNumber(value / most)}× the most of the nearest normal devices (${formatNumber(most)})` : 'where the nearest normal devices uploaded nothing'}`,
          });
        }
        continue;
      }
      const fmt = (x: number) => (info.kind === 'share' ? `${Math.round(x * 100)} %` : formatNumber(x));
      let text: string;
      if (info.kind === 'count' && typical > 0 && value > 0) {
        const ratio = value / typical;
        text = `${info.text}: ${fmt(value)}, ${ratio >= 1 ? `${formatNumber(ratio)}×` : `1/${formatNumber(1 / ratio)} of`} the nearest normal devices' ${fmt(typical)}`;
      } else text = `${info.text}: ${fmt(value)} (nearest normal devices: ${fmt(typical)})`;
      reasons.push({ weight: Math.abs(diff), text });
    }
    return reasons
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 4)
      .map((r) => r.text);
  }

  toJSON(): BehaviorModelFile {
    const s = this.state;
    if (!s) throw new Error('BehaviorModel: not fitted');
    return {
      format: 'networkml-model',
      version: 1,
      kind: 'behavior',
      hyperParameters: {
        windowS: this.windowS,
        k: this.k,
        noveltyWeight: this.noveltyWeight,
        peerWeight: this.peerWeight,
        peerFlowWeight: this.peerFlowWeight,
        peerFlowFree: this.peerFlowFree,
        adminNoveltyWeight: this.adminNoveltyWeight,
        adminServiceBonus: this.adminServiceBonus,
        industrialServiceBonus: this.industrialServiceBonus,
        stackWeight: this.stackWeight,
        arpClaimWeight: this.arpClaimWeight,
        foreignSourceWeight: this.foreignSourceWeight,
        beaconWeight: this.beaconWeight,
        vendorIndustrialUdp: this.vendorIndustrialUdp,
        otherTypeSkipsVendor: this.otherTypeSkipsVendor,
        shareEvidence: this.shareEvidence,
        clip: this.clip,
        localFloor: this.localFloor,
        calibrationMinCaptures: this.calibrationMinCaptures,
        roleCalibrationMin: this.roleCalibrationMin,
        thinCalibration: this.thinCalibration,
        falseAlarmRate: this.falseAlarmRate,
        maxReferences: this.maxReferences,
        seed: this.seed,
        norm: this.norm,
        belowWeight: this.belowWeight,
        tailShare: this.tailShare,
        windowExponent: this.windowExponent,
        labelWeight: this.labelWeight,
        labelFit: this.labelFit,
        labelNormalQuantile: this.labelNormalQuantile,
        labelFitNormalOnly: this.labelFitNormalOnly,
        otherTypeWeight: this.otherTypeWeight,
        otherTypeMin: this.otherTypeMin,
        beyondWeight: this.beyondWeight,
        beyondFree: this.beyondFree,
        uploadWeight: this.uploadWeight,
        unseenServiceWeight: this.unseenServiceWeight,
        unseenServicePeers: this.unseenServicePeers,
        thinUnseenPopulation: this.thinUnseenPopulation,
        lanServiceWeight: this.lanServiceWeight,
        listenServiceWeight: this.listenServiceWeight,
        offlineMakerWeight: this.offlineMakerWeight,
        typePeerWeight: this.typePeerWeight,
        typeBeyondWeight: this.typeBeyondWeight,
        vendorWeight: this.vendorWeight,
        vendorFree: this.vendorFree,
        vendorMinPackets: this.vendorMinPackets,
        evidenceShare: this.evidenceShare,
        labelConfusableShare: this.labelConfusableShare,
      },
      state: s,
    };
  }

  static fromJSON(doc: unknown): BehaviorModel {
    // Checked before the schema: a newer networkml may also add a feature kind this one cannot parse.
    const newer = newerFeatures(doc);
    if (newer)
      throw new ModelError(
        `behaviour model made by a newer networkml: it uses features this version does not compute (${newer.join(', ')}); upgrade networkml, or retrain the model with this version`,
      );
    const parsed = behaviorFileSchema().safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new ModelError(`not a behaviour model${where}: ${issue?.message ?? 'invalid'}`);
    }
    const { hyperParameters: h, state } = parsed.data;
    // Features are only ever appended: a model made before one was added scores with the ones it knows
    // (its first d), exactly as it did then.
    const names = BEHAVIOR_FEATURES.map((f) => f.name);
    const d = state.names.length;
    if (d === 0 || state.names.join(',') !== names.slice(0, d).join(','))
      throw new ModelError(
        'behaviour model made with other features than this networkml computes; retrain it',
      );
    const disagree = lengthDisagreement(state, h.localFloor);
    if (disagree) throw new ModelError(`behaviour model: inconsistent array lengths (${disagree})`);
    const m = new BehaviorModel(h);
    m.state = state as BehaviorState;
    m.prepare();
    return m;
  }
}

/**
 * What disagrees in a parsed file's state, or null: per feature one kind, centre and scale and one value in each
 * reference; per reference one entry in each ref* array, and a local-scale input exactly when the local scale
 * is on (fit writes none otherwise). A file edited with its checksum recomputed would otherwise be scored with
 * features or references silently dropped, or fail in the middle of a capture.
 */
function lengthDisagreement(state: BehaviorModelFile['state'], localFloor: number): string | null {
  const d = state.names.length;
  for (const [name, a] of [
    ['kinds', state.kinds],
    ['center', state.center],
    ['scale', state.scale],
  ] as const)
    if (a.length !== d) return `${d} features but ${a.length} ${name}`;
  const r = state.refs.findIndex((v) => v.length !== d);
  if (r >= 0) return `${d} features but ${state.refs[r]!.length} values in reference ${r}`;
  const n = state.refs.length;
  for (const [name, a] of [
    ['refServices', state.refServices],
    ['refPeers', state.refPeers],
    ['refGroups', state.refGroups],
    ['refLabels', state.refLabels],
    ['refLocal', localFloor > 0 ? state.refLocal : null],
  ] as const)
    if (a !== null && a.length !== n) return `${n} references but ${a.length} ${name}`;
  if (localFloor === 0 && state.refLocal.length > 0)
    return `${n} references but ${state.refLocal.length} refLocal (the local scale is off)`;
  return null;
}

/**
 * The features after this version's own, when a file has all of this version's features first and more
 * after them (features are only ever appended: a newer networkml's file); else null.
 */
function newerFeatures(doc: unknown): string[] | null {
  const names = (doc as { state?: { names?: unknown } } | null)?.state?.names;
  if (!Array.isArray(names) || names.length <= BEHAVIOR_FEATURE_COUNT) return null;
  if (!BEHAVIOR_FEATURES.every((f, i) => names[i] === f.name)) return null;
  return names.slice(BEHAVIOR_FEATURE_COUNT).map(String);
}

/**
 * Inserts distance d of reference r into the ascending k-nearest list at off..off+k of (dist, idx); a tie
 * keeps the earlier reference first.
 */
function insertNearest(
  dist: Float64Array,
  idx: Int32Array,
  off: number,
  k: number,
  d: number,
  r: number,
): void {
  if (d >= dist[off + k - 1]!) return;
  let j = k - 1;
  while (j > 0 && dist[off + j - 1]! > d) {
    dist[off + j] = dist[off + j - 1]!;
    idx[off + j] = idx[off + j - 1]!;
    j--;
  }
  dist[off + j] = d;
  idx[off + j] = r;
}

/** "a WeMoSwitch", "an EdimaxPlug1101W": the label with its indefinite article. */
function article(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

/** The regular endpoints of each service among a window's (see BehaviorBin.beacons). */
/** Sets group g's flag under `key` (key → group → flag), or-ed with what the group's earlier references set. */
function orGroupFlag(flags: Map<string, Map<string, boolean>>, key: string, g: string, flag: boolean): void {
  const byGroup = flags.get(key) ?? new Map<string, boolean>();
  flags.set(key, byGroup);
  byGroup.set(g, (byGroup.get(g) ?? false) || flag);
}

function regularByService(beacons: readonly BeaconEntry[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of beacons) out.set(e[1], (out.get(e[1]) ?? 0) + 1);
  return out;
}

/** A public peer's address id as text: IPv4 dotted; IPv6 ids are hashes, so only "an IPv6 address". */
/**
 * The service codes `codesOf` gives for any training window (of every sample, not only the kept references: a
 * port one dropped window used is not unseen), ascending, and per label how often a new capture of it meets one
 * no other capture had: s / (n + 1), s of its n captures being the only one with some code (Good–Turing's
 * singletons, smoothed for small n).
 */
function servicesSeen(
  samples: readonly TrainingSample[],
  codesOf: (x: TrainingSample) => readonly number[],
): { codes: number[]; labelRates: Record<string, number> } {
  const groupsOf = new Map<number, Set<string>>();
  for (const x of samples)
    for (const code of codesOf(x)) {
      const groups = groupsOf.get(code) ?? new Set<string>();
      groups.add(x.group);
      groupsOf.set(code, groups);
    }
  const alone = new Set<string>();
  for (const groups of groupsOf.values()) if (groups.size === 1) alone.add([...groups][0]!);
  const tally = new Map<string, { n: number; s: number }>();
  const labelOf = new Map(samples.map((x) => [x.group, x.label]));
  for (const [group, label] of labelOf) {
    if (label === null) continue;
    const t = tally.get(label) ?? { n: 0, s: 0 };
    t.n++;
    if (alone.has(group)) t.s++;
    tally.set(label, t);
  }
  return {
    codes: [...groupsOf.keys()].sort((a, b) => a - b),
    labelRates: Object.fromEntries(
      [...tally].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, t]) => [label, t.s / (t.n + 1)]),
    ),
  };
}

/** Each training capture's (group's) most of a window's count, over its samples (absent counts as 0). */
function mostPerGroup(
  samples: readonly TrainingSample[],
  count: (x: TrainingSample) => number | undefined,
): Record<string, number> {
  const most: Record<string, number> = {};
  for (const x of samples) most[x.group] = Math.max(most[x.group] ?? 0, count(x) ?? 0);
  return most;
}

/** A per-group figure (a stack mask, mostPerGroup's counts) for each reference, by its group; 0 where none. */
function perReference(refGroups: readonly string[], byGroup: Record<string, number> | undefined): Int32Array {
  const figures = byGroup ?? {};
  return Int32Array.from(refGroups, (g) => (Object.hasOwn(figures, g) ? figures[g]! : 0));
}

/**
 * The test of the ARP-claims and foreign-source terms: `count` is news when it reaches `min` and no capture of the
 * neighbours (`refs`: each reference's capture's most in a window) had as many (a proxy-ARP router or a relay, were
 * one normal, would not be). Returns the count when it is, else 0.
 */
function countNews(count: number, min: number, refs: Int32Array, neighbours: readonly number[]): number {
  if (count < min) return 0;
  for (const n of neighbours) if (refs[n]! >= min) return 0;
  return count;
}

function peerText(id: number): string {
  if (id >= 2 ** 32) return 'an IPv6 address';
  return [id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255].join('.');
}

function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 100) return `${Math.round(x)}`;
  if (Math.abs(x) >= 10) return x.toFixed(1).replace(/\.0$/, '');
  return x.toPrecision(2).replace(/\.?0+$/, '');
}

/** The behaviour model's file schema, built with `z` (zod-lazy.ts: on first use). */
function behaviorFileSchemaOf(z: typeof Zod) {
  const finite = z.number().refine(Number.isFinite, 'not a finite number');
  const finites = finiteArray(z);
  /** A calibration (ScoreTail). */
  const tail = z.object({
    cvScores: finites.refine((a) => a.length >= 1, 'no cross-validated scores'),
    tau: finite.positive(),
    tailStart: finite,
  });
  const intArray = z.custom<number[]>(
    (v) => Array.isArray(v) && v.every((x) => Number.isInteger(x)),
    'not an array of whole numbers',
  );

  return z.object({
    format: z.literal('networkml-model'),
    version: z.literal(1),
    kind: z.literal('behavior'),
    // Fields added after the first release default to what models without them were made with.
    hyperParameters: z.object({
      windowS: finite.positive().default(900),
      k: z.number().int().positive(),
      noveltyWeight: finite,
      peerWeight: finite,
      peerFlowWeight: finite.min(0).default(0),
      peerFlowFree: finite.min(0).default(0),
      adminNoveltyWeight: finite.min(0).default(0),
      adminServiceBonus: finite.min(0).default(0),
      industrialServiceBonus: finite.min(0).default(0),
      stackWeight: finite.min(0).default(0),
      arpClaimWeight: finite.min(0).default(0),
      foreignSourceWeight: finite.min(0).default(0),
      beaconWeight: finite.min(0).default(0),
      vendorIndustrialUdp: z.boolean().default(false),
      otherTypeSkipsVendor: z.boolean().default(false),
      shareEvidence: finite.min(0).default(0),
      clip: finite.positive(),
      localFloor: finite.nonnegative(),
      calibrationMinCaptures: z.number().int().positive(),
      roleCalibrationMin: z.number().int().positive().default(50),
      thinCalibration: z.boolean().default(false),
      falseAlarmRate: finite.positive().lt(1),
      maxReferences: z.number().int().positive(),
      seed: z.number().int(),
      norm: finite.positive().default(2),
      belowWeight: finite.positive().default(1),
      tailShare: finite.min(0).lt(1).default(0),
      windowExponent: finite.min(0).max(1).default(1),
      labelWeight: finite.min(0).default(0),
      labelFit: z.enum(['max', 'mean']).default('max'),
      labelNormalQuantile: finite.min(0).max(1).default(0.9),
      labelFitNormalOnly: z.boolean().default(false),
      otherTypeWeight: finite.min(0).default(0),
      otherTypeMin: z.number().int().positive().default(3),
      beyondWeight: finite.min(0).default(0),
      beyondFree: finite.min(0).default(Math.LN2),
      uploadWeight: finite.min(0).default(0),
      unseenServiceWeight: finite.min(0).default(0),
      unseenServicePeers: z.number().int().min(0).default(0),
      thinUnseenPopulation: z.boolean().default(false),
      lanServiceWeight: finite.min(0).default(0),
      listenServiceWeight: finite.min(0).default(0),
      offlineMakerWeight: finite.min(0).default(0),
      typePeerWeight: finite.min(0).default(0),
      typeBeyondWeight: finite.min(0).default(0),
      vendorWeight: finite.min(0).default(0),
      vendorFree: finite.min(0).default(2),
      vendorMinPackets: finite.min(0).default(5),
      evidenceShare: finite.min(0).max(1).default(0),
      labelConfusableShare: finite.min(0).max(1).default(0),
    }),
    state: z.object({
      names: z.array(z.string()),
      kinds: z.array(z.enum(['count', 'share', 'signed', 'range'])),
      center: finites,
      scale: z.array(finite.positive()),
      refs: z.array(finites).min(1),
      refServices: z.array(intArray),
      refPeers: z.array(finites),
      refGroups: z.array(z.string()),
      refLabels: z.array(z.string().nullable()),
      refLocal: finites,
      cvScores: finites.refine((a) => a.length >= 1, 'no cross-validated scores'),
      tau: finite.positive(),
      tailStart: finite.default(0),
      threshold: finite.min(0).max(1),
      roleTails: z.record(z.string(), tail).default({}),
      labelBound: finite.default(0),
      confusableLabels: z.array(z.tuple([z.string(), z.string()])).optional(),
      thinTail: tail.optional(),
      thinRoles: z.array(z.string()).optional(),
      thinPeerFlows: finite.min(0).optional(),
      labelPeerMost: z.record(z.string(), finite.min(0)).optional(),
      labelNewPeersMost: z.record(z.string(), finite.min(0)).optional(),
      labelNewRepeatsMost: z.record(z.string(), finite.min(0)).optional(),
      labelNewOneWayMost: z.record(z.string(), finite.min(0)).optional(),
      peerResumes: z.boolean().optional(),
      listenUdp: z.boolean().optional(),
      thinBeyond: finite.min(0).optional(),
      groupVendors: z.record(z.string(), z.string()).optional(),
      groupStacks: z
        .record(
          z.string(),
          z
            .number()
            .int()
            .min(0)
            .max(STACK_TTL_MASK | STACK_SYN_MASK),
        )
        .optional(),
      groupArpClaims: z.record(z.string(), z.number().int().min(0)).optional(),
      groupForeignSources: z.record(z.string(), z.number().int().min(0)).optional(),
      groupBeacons: z.record(z.string(), z.record(z.string(), z.number().int().min(0))).optional(),
      outTcpServices: z.array(z.number().int().min(0)).optional(),
      labelUnseenRates: z.record(z.string(), finite.min(0).max(1)).optional(),
      outUdpServices: z.array(z.number().int().min(0)).optional(),
      outIpServices: z.array(z.number().int().min(0)).optional(),
      labelIpUnseenRates: z.record(z.string(), finite.min(0).max(1)).optional(),
      labelUdpUnseenRates: z.record(z.string(), finite.min(0).max(1)).optional(),
      lanTcpServices: z.array(z.number().int().min(0)).optional(),
      lanUdpRequests: z.boolean().optional(),
      labelLanUnseenRates: z.record(z.string(), finite.min(0).max(1)).optional(),
      inTcpServices: z.array(z.number().int().min(0)).optional(),
      labelListenUnseenRates: z.record(z.string(), finite.min(0).max(1)).optional(),
      minPacketsByLabel: z.record(z.string(), finite.min(0)).optional(),
      minPacketsByVendor: z.record(z.string(), finite.min(0)).optional(),
    }),
  });
}

const behaviorFileSchema = lazy(() => behaviorFileSchemaOf(zod()));

export type BehaviorModelFile = Zod.infer<ReturnType<typeof behaviorFileSchemaOf>>;
