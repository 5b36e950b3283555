// A TensorBoard event-file writer for tests, written from the format's specification (TFRecord
// framing in tensorflow/core/lib/io/record_writer.cc; Event, Summary and TensorProto field
// numbers in event.proto, summary.proto and tensor.proto), as PyTorch's SummaryWriter and TF2's
// tf.summary write them: PyTorch puts each scalar in `simple_value`, TF2 in a scalar float tensor
// whose plugin metadata ("scalars") comes only with a tag's first value.
import { maskedCrc32c } from '../../src/sources/formats/crc32c.js';

const varint = (value: number | bigint): number[] => {
  let n = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n > 0n ? byte | 0x80 : byte);
  } while (n > 0n);
  return out;
};
const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const bytesField = (field: number, payload: ArrayLike<number>): number[] => [...key(field, 2), ...varint(payload.length), ...Array.from(payload)];
const textField = (field: number, text: string): number[] => bytesField(field, new TextEncoder().encode(text));
const float32 = (value: number): number[] => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return Array.from(new Uint8Array(view.buffer));
};
const float64 = (value: number): number[] => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, true);
  return Array.from(new Uint8Array(view.buffer));
};

export type ScalarStyle = 'simple' | 'tensor' | 'tensor-content' | 'double' | 'int64';

/** One `Summary.Value` holding a scalar in the given style. */
export function scalarValue(tag: string, value: number, style: ScalarStyle = 'simple', withPlugin = true): number[] {
  const metadata = withPlugin ? bytesField(9, bytesField(1, textField(1, 'scalars'))) : [];
  switch (style) {
    case 'simple':
      return [...textField(1, tag), ...key(2, 5), ...float32(value)];
    case 'tensor': // dtype DT_FLOAT, empty shape, float_val packed
      return [...textField(1, tag), ...metadata, ...bytesField(8, [...key(1, 0), 1, ...bytesField(2, []), ...bytesField(5, float32(value))])];
    case 'tensor-content':
      return [...textField(1, tag), ...metadata, ...bytesField(8, [...key(1, 0), 1, ...bytesField(2, []), ...bytesField(4, float32(value))])];
    case 'double': // DT_DOUBLE, double_val packed
      return [...textField(1, tag), ...metadata, ...bytesField(8, [...key(1, 0), 2, ...bytesField(6, float64(value))])];
    case 'int64': // DT_INT64, int64_val packed (negative values as 10-byte two's complement varints)
      return [...textField(1, tag), ...metadata, ...bytesField(8, [...key(1, 0), 9, ...bytesField(10, varint(value))])];
  }
}

/** A `Summary.Value` that is not a scalar: a text summary (DT_STRING tensor, plugin "text"). */
export function textValue(tag: string, text: string): number[] {
  const metadata = bytesField(9, bytesField(1, textField(1, 'text')));
  return [...textField(1, tag), ...metadata, ...bytesField(8, [...key(1, 0), 7, ...bytesField(8, new TextEncoder().encode(text))])];
}

/** A `Summary.Value` holding a histogram (`histo`, field 5): not a scalar. */
export function histogramValue(tag: string): number[] {
  return [...textField(1, tag), ...bytesField(5, [...key(1, 1), ...float64(0), ...key(2, 1), ...float64(1)])];
}

/** An Event with a summary of the given values at `step`. */
export function summaryEvent(step: number, values: readonly number[][], wallTime = 1.7e9 + step): Uint8Array {
  const summary = values.flatMap((value) => bytesField(1, value));
  return Uint8Array.from([...key(1, 1), ...float64(wallTime), ...key(2, 0), ...varint(step), ...bytesField(5, summary)]);
}

/** The Event every writer opens a file with: `file_version: "brain.Event:2"`. */
export function fileVersionEvent(wallTime = 1.7e9): Uint8Array {
  return Uint8Array.from([...key(1, 1), ...float64(wallTime), ...textField(3, 'brain.Event:2')]);
}

/** One TFRecord frame: length, masked CRC of the length, the record, masked CRC of the record. */
export function frame(record: Uint8Array): Uint8Array {
  const out = new Uint8Array(record.length + 16);
  const view = new DataView(out.buffer);
  view.setUint32(0, record.length, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(record, 12);
  view.setUint32(12 + record.length, maskedCrc32c(record), true);
  return out;
}

/** A whole event file: the file-version event, then the given events, each framed. */
export function eventsFile(events: readonly Uint8Array[]): Uint8Array {
  const frames = [frame(fileVersionEvent()), ...events.map(frame)];
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
