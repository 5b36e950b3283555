/**
 * The start of an offending input, safe to print: at most `max` characters, control characters
 * escaped (`\n`, `\u001b`), so a problem report never carries terminal escapes or raw newlines.
 *
 * @example excerpt('a\nb') // 'a\\nb'
 */
export function excerpt(text: string, max = 80): string {
  const head = text.length > max ? text.slice(0, max) : text;
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const escaped = head.replace(/[\u0000-\u001f\u007f]/g, (char) =>
    char === '\n' ? '\\n' : char === '\r' ? '\\r' : char === '\t' ? '\\t' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > max ? `${escaped}…` : escaped;
}
