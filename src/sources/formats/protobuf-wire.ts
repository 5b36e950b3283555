/**
 * The few pieces of the protocol buffer wire format needed to read TensorBoard event files:
 * walking the fields of one message (varint, 64-bit, length-delimited, 32-bit) without a schema.
 * Unknown fields are skipped by their wire type, as every protobuf reader does, so newer
 * writers' extra fields never break reading. Errors throw a `WireError` naming what was cut.
 */

/** A malformed message: a field or a varint runs past the end, or an unknown wire type. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Protobuf wire types. */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** One field of a message: its number, wire type, and where its value lies in the buffer. */
export interface WireField {
  readonly field: number;
  readonly wire: number;
  /** Varint fields: the value (exact up to 2^53; larger varints lose low bits, as a double). */
  readonly varint: number;
  /** Start and end of the value's bytes (fixed32, fixed64, length-delimited). */
  readonly start: number;
  readonly end: number;
}

/** Reads a varint at `at`; returns [value, next offset]. Values above 2^53 are rounded. */
export function readVarint(bytes: Uint8Array, at: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, i + 1];
    scale *= 128;
  }
  throw new WireError(`varint at byte ${String(at)} is cut off or longer than 10 bytes`);
}

/**
 * Reads a varint at `at` as a signed 64-bit integer (int64 fields write -3 in 10 bytes); returns
 * [value, next offset].
 */
export function readInt64(bytes: Uint8Array, at: number, end: number): [number, number] {
  const [value, next] = readVarint(bytes, at, end);
  // Up to 7 bytes hold 49 bits: non-negative and exact as the double `readVarint` summed.
  if (next - at <= 7) return [value, next];
  let exact = 0n;
  for (let i = next - 1; i >= at; i--) exact = (exact << 7n) | BigInt(bytes[i]! & 0x7f);
  return [Number(BigInt.asIntN(64, exact)), next];
}

/**
 * The fields of the message in `bytes[start, end)`, in order. O(bytes of the message's own
 * fields); nested messages are not entered.
 */
export function* fields(bytes: Uint8Array, start = 0, end = bytes.length): Generator<WireField> {
  let at = start;
  while (at < end) {
    const [key, afterKey] = readVarint(bytes, at, end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    at = afterKey;
    switch (wire) {
      case WIRE.varint: {
        const [value, next] = readVarint(bytes, at, end);
        yield { field, wire, varint: value, start: at, end: next };
        at = next;
        break;
      }
      case WIRE.fixed64:
        if (at + 8 > end) throw new WireError(`field ${String(field)} (64-bit) is cut off`);
        yield { field, wire, varint: 0, start: at, end: at + 8 };
        at += 8;
        break;
      case WIRE.bytes: {
        const [length, next] = readVarint(bytes, at, end);
        if (next + length > end) throw new WireError(`field ${String(field)} declares ${String(length)} bytes, ${String(end - next)} are left`);
        yield { field, wire, varint: 0, start: next, end: next + length };
        at = next + length;
        break;
      }
      case WIRE.fixed32:
        if (at + 4 > end) throw new WireError(`field ${String(field)} (32-bit) is cut off`);
        yield { field, wire, varint: 0, start: at, end: at + 4 };
        at += 4;
        break;
      default:
        throw new WireError(`field ${String(field)} has wire type ${String(wire)}, which no current writer uses`);
    }
  }
}

/** The bytes as a DataView (little-endian reads of fixed32/fixed64 fields). */
export const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const UTF8 = new TextDecoder();

/** A length-delimited field's bytes as UTF-8 text. */
export const textOf = (bytes: Uint8Array, field: WireField): string => UTF8.decode(bytes.subarray(field.start, field.end));
