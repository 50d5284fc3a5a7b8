/**
 * The one rule for packet times the tool cannot represent. Capture headers and pcapng interface offsets
 * can claim any 64-bit time; the pipeline keeps times as microseconds in doubles and prints them as ISO
 * dates, so a packet time counts only when its microsecond count is an exact double integer:
 * |seconds| <= MAX_TIME_SEC, i.e. 1684-07-28T00:12:27Z to 2255-06-05T23:47:33Z (times before 1970 are
 * fine). The reader skips packets outside that range as invalid (they are counted in the summary and
 * warned about once per capture), so no later stage, output or message ever sees such a time.
 */

/** floor((2^53 - 1 - 999_999) / 10^6): sec * 10^6 + µs stays an exact integer in a double. */
export const MAX_TIME_SEC = 9_007_199_253;
export const MIN_TIME_SEC = -MAX_TIME_SEC;

/** The range in words, for messages and docs. */
export const TIME_RANGE_TEXT = '1684-07-28T00:12:27Z to 2255-06-05T23:47:33Z';

export function isRepresentableTime(sec: number): boolean {
  // Written so NaN is out of range too.
  return sec >= MIN_TIME_SEC && sec <= MAX_TIME_SEC;
}
