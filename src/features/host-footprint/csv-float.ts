/**
 * The original wrote its features to CSV with Python's `repr` (shortest round trip) and the model stage
 * read them back with pandas 1.5's default float parser (`precise_xstrtod`), which is not round-trip
 * exact: some values reach the scaler 1 ulp away from the computed feature. `csvRoundTrip` reproduces
 * that re-read, so the model sees exactly the numbers the original's model saw.
 */

/** 1e0 … 1e308 as C double literals (each correctly rounded, as the compiler writes them). */
const POW10: Float64Array = (() => {
  const t = new Float64Array(309);
  for (let i = 0; i <= 308; i++) t[i] = Number(`1e${i}`);
  return t;
})();

const MAX_DIGITS = 17;

/** pandas' `precise_xstrtod` on a number's text (digits, optional '.', optional exponent). */
export function preciseXstrtod(text: string): number {
  let p = 0;
  let negative = false;
  if (text[p] === '-') {
    negative = true;
    p++;
  } else if (text[p] === '+') {
    p++;
  }
  let number = 0;
  let exponent = 0;
  let numDigits = 0;
  let numDecimals = 0;
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  while (isDigit(text[p])) {
    if (numDigits < MAX_DIGITS) {
      number = number * 10 + (text.charCodeAt(p) - 48);
      numDigits++;
    } else {
      exponent++;
    }
    p++;
  }
  if (text[p] === '.') {
    p++;
    while (numDigits < MAX_DIGITS && isDigit(text[p])) {
      number = number * 10 + (text.charCodeAt(p) - 48);
      p++;
      numDigits++;
      numDecimals++;
    }
    while (isDigit(text[p])) p++;
    exponent -= numDecimals;
  }
  if (numDigits === 0) return Number.NaN;
  if (negative) number = -number;
  if (text[p] === 'e' || text[p] === 'E') {
    p++;
    let expNegative = false;
    if (text[p] === '-') {
      expNegative = true;
      p++;
    } else if (text[p] === '+') {
      p++;
    }
    let n = 0;
    let digits = 0;
    while (digits < MAX_DIGITS && isDigit(text[p])) {
      n = n * 10 + (text.charCodeAt(p) - 48);
      digits++;
      p++;
    }
    exponent += expNegative ? -n : n;
  }
  if (exponent > 308) return negative ? -Infinity : Infinity;
  if (exponent > 0) return number * POW10[exponent]!;
  if (exponent < -308) {
    if (exponent < -616) return 0;
    return number / POW10[-308 - exponent]! / POW10[308]!;
  }
  return number / POW10[-exponent]!;
}

/** Python's `repr(float)`: shortest round-trip digits, positional for 1e-4 ≤ |x| < 1e16, else d.ddde±XX. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  // decpt: position of the decimal point relative to the digit string (Python's float_repr_style 'short').
  const decpt = e + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const ee = Math.abs(e);
  return `${sign}${m}e${e < 0 ? '-' : '+'}${ee < 10 ? '0' : ''}${ee}`;
}

/**
 * The value pandas read back for a feature the original wrote as `value`. Integral values (ints, or floats
 * written as 'N.0') come back exact; others may move by 1 ulp.
 */
export function csvRoundTrip(value: number): number {
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) return value;
  return preciseXstrtod(pythonFloatRepr(value));
}
