/**
 * Which host of a capture is its device, one rule for the v2 and behaviour features: among hosts that sent
 * from a private address, the one that took part in the most packets at a private address, sent or received.
 * The device of a one-device capture is in all of them; a LAN server it reads from or attacks, however much
 * it sends, only in that conversation. Ties: the one that sent more of them (then the caller's first seen).
 */
export function isMoreLikelyDevice(
  sentA: number,
  receivedA: number,
  sentB: number,
  receivedB: number,
): boolean {
  const inA = sentA + receivedA;
  const inB = sentB + receivedB;
  return inA > inB || (inA === inB && sentA > sentB);
}
