/**
 * Writing untrusted keys into plain records. `record[key] = value` with the key `__proto__` does
 * not create a key: it calls the `Object.prototype.__proto__` setter, so the entry is lost and,
 * when the value is an object, the record's prototype becomes that attacker-chosen object. Input
 * files name their own components, metrics and meta fields, so every such write goes through
 * {@link setOwn}, which defines `__proto__` as an ordinary own, enumerable property (as JSON.parse,
 * object spread and `Object.fromEntries` already do).
 */

/** Sets `record[key] = value` as an own enumerable property, `__proto__` included. O(1). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}
