const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values: every user string (file names, labels, addresses) goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/**
 * JSON for a `<script type="application/json">` body: `<`, `>` and `&` as \u escapes so no value can close
 * the element or open a comment; JSON.parse restores them.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Library code inlined in a `<script>`: the HTML parser ends the element at the first `</script` and treats
 * `<!--` specially, whatever the JavaScript means. `<\/` and `<\!` are the same characters to JavaScript
 * inside strings, regular expressions and template literals, where such sequences can legitimately occur.
 */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Epoch seconds as `YYYY-MM-DD HH:MM` in UTC, so a report reads the same in every time zone. */
export function utcMinute(epochSeconds: number): string {
  return utcText(epochSeconds, 16);
}

/** Epoch seconds as `YYYY-MM-DD HH:MM:SS` in UTC (a behaviour window's bounds). */
export function utcSecond(epochSeconds: number): string {
  return utcText(epochSeconds, 19);
}

/** The first `length` characters of the ISO time, 'T' as a space; '' for a time no Date holds. */
function utcText(epochSeconds: number, length: number): string {
  const d = new Date(epochSeconds * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, length).replace('T', ' ');
}
