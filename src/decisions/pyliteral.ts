/**
 * The original stored Redis values as Python `str()` of lists and dicts and read them back with
 * `ast.literal_eval`. These two functions write that text and read it (the subset the original produces,
 * plus NumPy 2's `np.float64(x)` wrappers), so our records and the original's stay interchangeable.
 */

export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue };

/** Python's repr of a float: shortest round-trip digits, always a '.0' or an exponent, 'e-05' style. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    // JS gives "1e+21" / "1.5e-7"; Python gives "1e+21" / "1.5e-07".
    const [mantissa, exp] = x.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const s = String(x);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/**
 * `str(value)` as Python would print it. Every number is written as a float: JS cannot tell 1 from 1.0, and
 * everything numeric the original stored (times, representations, confidences) was a float.
 */
export function toPython(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyFloat(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>, (v) => toPython(v));
    return `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pyString(k)}: ${toPython(v)}`);
    return `{${items.join(', ')}}`;
  }
  return pyString(String(value));
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new SyntaxError(`bad Python literal at ${this.i}: ${what}`);
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  parseAll(): PyValue {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing text');
    return v;
  }

  private sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.ws();
    if (this.s[this.i] === close) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === close) return out;
      if (c !== ',') this.fail(`expected ',' or '${close}'`);
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
    }
  }

  value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') {
      this.i++;
      return this.sequence(']');
    }
    if (c === '(') {
      this.i++;
      return this.sequence(')');
    }
    if (c === '{') {
      this.i++;
      const out: Record<string, PyValue> = {};
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      for (;;) {
        const k = this.value();
        this.ws();
        if (this.s[this.i++] !== ':') this.fail("expected ':'");
        out[String(k)] = this.value();
        this.ws();
        const d = this.s[this.i++];
        if (d === '}') return out;
        if (d !== ',') this.fail("expected ',' or '}'");
        this.ws();
        if (this.s[this.i] === '}') {
          this.i++;
          return out;
        }
      }
    }
    if (c === "'" || c === '"') return this.string(c);
    const m = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|nan)/.exec(
      this.s.slice(this.i),
    );
    if (m) {
      this.i += m[0].length;
      const t = m[0].replace(/inf$/, 'Infinity').replace(/nan$/, 'NaN');
      return Number(t);
    }
    const word = /^[A-Za-z_][\w.]*/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      // NumPy 2 reprs such as np.float64(0.5) or np.str_('x'): keep the wrapped value.
      this.ws();
      if (this.s[this.i] === '(' && /^(np|numpy)\./.test(word[0])) {
        this.i++;
        const inner = this.sequence(')');
        if (inner.length !== 1) this.fail(`${word[0]}(...) with ${inner.length} arguments`);
        return inner[0]!;
      }
      this.fail(`unexpected name ${word[0]}`);
    }
    return this.fail(c === undefined ? 'unexpected end' : `unexpected '${c}'`);
  }

  private string(quote: string): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      const simple: Record<string, string> = {
        n: '\n',
        r: '\r',
        t: '\t',
        '\\': '\\',
        "'": "'",
        '"': '"',
        '0': '\0',
      };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.s.slice(this.i, this.i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail('bad escape');
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.i += len;
      } else this.fail('bad escape');
    }
  }
}

/** `ast.literal_eval` for what the original stored. Throws SyntaxError on anything else. */
export function parsePython(text: string): PyValue {
  return new Parser(text).parseAll();
}
