import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFloeError } from '../../../src/errors.js';
import {
  deserializeValue,
  serializeValue,
  truncateLowerBound,
  truncateUpperBound,
  valueFromJson,
  valueToJson,
} from '../../../src/iceberg/spec/bounds.js';
import type { PrimitiveValue } from '../../../src/iceberg/spec/types.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));
const metadataInvalid = (e: unknown): boolean => isFloeError(e, 'METADATA_INVALID');
const UUID = 'f79c3e09-677c-4bbd-a479-3f349cb785e7';

function roundTrip(type: string, value: PrimitiveValue): void {
  const back = deserializeValue(type, serializeValue(type, value));
  if (typeof value === 'number' && Number.isNaN(value)) assert.ok(Number.isNaN(back), type);
  else if (typeof value === 'number') assert.ok(Object.is(back, value), `${type} ${value} → ${String(back)}`);
  else assert.deepEqual(back, value, type);
}

test('known byte layouts (Appendix D)', () => {
  assert.equal(hex(serializeValue('boolean', false)), '00');
  assert.equal(hex(serializeValue('boolean', true)), '01');
  assert.equal(hex(serializeValue('int', 1)), '01000000');
  assert.equal(hex(serializeValue('int', -2)), 'feffffff');
  assert.equal(hex(serializeValue('date', 17486)), '4e440000');
  assert.equal(hex(serializeValue('long', 1n)), '0100000000000000');
  assert.equal(hex(serializeValue('long', -1n)), 'ffffffffffffffff');
  assert.equal(hex(serializeValue('timestamp', 1510871468000000n)), '00c3262d215e0500');
  assert.equal(hex(serializeValue('float', 1)), '0000803f');
  assert.equal(hex(serializeValue('double', 1)), '000000000000f03f');
  assert.equal(hex(serializeValue('double', -2.5)), '00000000000004c0');
  assert.equal(hex(serializeValue('string', 'iceberg')), '69636562657267');
  assert.equal(hex(serializeValue('string', 'é😀')), 'c3a9f09f9880');
  assert.equal(hex(serializeValue('uuid', UUID)), 'f79c3e09677c4bbda4793f349cb785e7');
  assert.equal(hex(serializeValue('fixed[4]', bytes('00010203'))), '00010203');
  assert.equal(hex(serializeValue('binary', new Uint8Array(0))), '');
  // Decimals: minimal two's complement, big-endian.
  assert.equal(hex(serializeValue('decimal(9,2)', 1420n)), '058c');
  assert.equal(hex(serializeValue('decimal(9,2)', 0n)), '00');
  assert.equal(hex(serializeValue('decimal(9,2)', 127n)), '7f');
  assert.equal(hex(serializeValue('decimal(9,2)', 128n)), '0080');
  assert.equal(hex(serializeValue('decimal(9,2)', -1n)), 'ff');
  assert.equal(hex(serializeValue('decimal(9,2)', -128n)), '80');
  assert.equal(hex(serializeValue('decimal(9,2)', -129n)), 'ff7f');
  assert.equal(serializeValue('decimal(38,0)', -(10n ** 38n - 1n)).length, 16);
});

test('round-trips every primitive type including edge values', () => {
  roundTrip('boolean', true);
  roundTrip('boolean', false);
  for (const v of [0, 1, -1, 2147483647, -2147483648]) roundTrip('int', v);
  for (const v of [0, -1, 17486, -719528]) roundTrip('date', v);
  for (const t of ['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']) {
    for (const v of [0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n]) roundTrip(t, v);
  }
  for (const v of [0, -0, 1.5, -3.25, Infinity, -Infinity, NaN, Math.fround(0.1), Math.fround(3.4e38)]) roundTrip('float', v);
  for (const v of [0, -0, 0.1, -1e308, 5e-324, Infinity, -Infinity, NaN, Number.MAX_VALUE]) roundTrip('double', v);
  for (const v of [0n, 1n, -1n, 1420n, -1420n, 10n ** 38n - 1n, -(10n ** 38n - 1n), -(10n ** 37n)]) roundTrip('decimal(38,10)', v);
  for (const v of ['', 'iceberg', 'héllo wörld', '😀𝄞中文', '\uFEFFbom', '\u0000nul']) roundTrip('string', v);
  roundTrip('uuid', UUID);
  roundTrip('uuid', '00000000-0000-0000-0000-000000000000');
  roundTrip('fixed[4]', bytes('000102ff'));
  roundTrip('fixed[0]', new Uint8Array(0));
  roundTrip('binary', new Uint8Array(0));
  roundTrip('binary', bytes('deadbeef00'));
  assert.equal(deserializeValue('boolean', bytes('02')), true);
  assert.equal(deserializeValue('uuid', bytes('F79C3E09677C4BBDA4793F349CB785E7')), UUID);
  assert.equal(deserializeValue({ kind: 'decimal', precision: 9, scale: 2 }, bytes('058c')), 1420n);
  // Reads through a view's offset, and returns a copy rather than aliasing the input.
  const backing = bytes('ff01000000ff');
  assert.equal(deserializeValue('int', backing.subarray(1, 5)), 1);
  const out = deserializeValue('binary', backing) as Uint8Array;
  out[0] = 0;
  assert.equal(backing[0], 0xff);
});

test('bounds written before a type promotion', () => {
  assert.equal(deserializeValue('long', bytes('feffffff')), -2n);
  assert.equal(deserializeValue('double', serializeValue('float', 1.5)), 1.5);
  assert.equal(deserializeValue('double', serializeValue('float', Math.fround(0.1))), Math.fround(0.1));
  assert.equal(deserializeValue('timestamp', serializeValue('date', -1)), -86400000000n);
  assert.equal(deserializeValue('timestamp_ns', serializeValue('date', 1)), 86400000000000n);
  assert.equal(deserializeValue('decimal(38,2)', serializeValue('decimal(9,2)', 1420n)), 1420n);
});

test('wrong lengths and invalid bytes throw METADATA_INVALID', () => {
  const cases: [string, string][] = [
    ['boolean', ''], ['boolean', '0000'], ['int', '010000'], ['int', '0100000000000000'], ['date', '01'],
    ['long', '010000000000'], ['time', '01000000'], ['timestamptz', '01000000'], ['timestamptz_ns', '01'],
    ['float', '0000803f00'], ['double', '000000'], ['uuid', 'f79c3e09677c4bbda4793f349cb785'],
    ['fixed[4]', '000102'], ['decimal(9,2)', ''], ['decimal(2,0)', '0100'], ['string', 'ff'], ['string', 'c3'],
    ['string', 'eda080'],
  ];
  for (const [type, h] of cases) {
    assert.throws(() => deserializeValue(type, bytes(h)), metadataInvalid, `${type} ${h}`);
  }
  assert.throws(() => deserializeValue('variant', bytes('00')), (e) => isFloeError(e, 'UNSUPPORTED'));
});

test('serializeValue rejects values that do not fit the type', () => {
  const bad = (e: unknown): boolean => isFloeError(e, 'INVALID_ARGUMENT');
  assert.throws(() => serializeValue('int', 2147483648), bad);
  assert.throws(() => serializeValue('int', 1.5), bad);
  assert.throws(() => serializeValue('long', 1n << 63n), bad);
  assert.throws(() => serializeValue('decimal(2,0)', 100n), bad);
  assert.throws(() => serializeValue('fixed[4]', new Uint8Array(3)), bad);
  assert.throws(() => serializeValue('uuid', 'not-a-uuid'), bad);
  assert.throws(() => serializeValue('string', 'a\uD800'), bad);
  assert.throws(() => serializeValue('boolean', 1), bad);
  assert.throws(() => serializeValue('geometry', 'POINT (1 2)'), (e) => isFloeError(e, 'UNSUPPORTED'));
});

test('JSON single values: the spec table examples', () => {
  const cases: [string, unknown, PrimitiveValue][] = [
    ['boolean', true, true],
    ['int', 34, 34],
    ['long', 34, 34n],
    ['float', 1, 1],
    ['double', 1.5, 1.5],
    ['decimal(9,2)', '14.20', 1420n],
    ['decimal(9,2)', '-0.05', -5n],
    ['decimal(38,0)', '-99999999999999999999999999999999999999', -(10n ** 38n - 1n)],
    ['date', '2017-11-16', 17486],
    ['date', '1969-12-31', -1],
    ['time', '22:31:08.123456', 81068123456n],
    ['timestamp', '2017-11-16T22:31:08.123456', 1510871468123456n],
    ['timestamptz', '2017-11-16T22:31:08.123456+00:00', 1510871468123456n],
    ['timestamp_ns', '2017-11-16T22:31:08.123456789', 1510871468123456789n],
    ['timestamptz_ns', '2017-11-16T22:31:08.123456789+00:00', 1510871468123456789n],
    ['timestamp', '1969-12-31T23:59:59.999999', -1n],
    ['string', 'iceberg', 'iceberg'],
    ['uuid', UUID, UUID],
    ['fixed[4]', '000102ff', bytes('000102ff')],
    ['binary', '000102ff', bytes('000102ff')],
  ];
  for (const [type, json, value] of cases) {
    assert.deepEqual(valueFromJson(type, json), value, `${type} from ${String(json)}`);
    assert.deepEqual(valueToJson(type, value), json, `${type} to JSON`);
  }
  assert.equal(valueToJson('long', 9007199254740993n), 9007199254740993n);
  assert.equal(valueFromJson('long', 9007199254740993n), 9007199254740993n);
  assert.equal(valueToJson('float', Math.fround(0.1)), 0.1);
  assert.equal(valueFromJson('float', 0.1), Math.fround(0.1));
  assert.equal(valueToJson('double', NaN), 'NaN');
  assert.ok(Number.isNaN(valueFromJson('double', 'NaN')));
  assert.equal(valueToJson('time', 81068000000n), '22:31:08');
  assert.equal(valueFromJson('time', '22:31'), 81060000000n);
  assert.equal(valueToJson('timestamptz', 0n), '1970-01-01T00:00:00+00:00');
  assert.equal(valueFromJson('timestamptz', '1970-01-01T00:00:00Z'), 0n);
  assert.equal(valueToJson('date', 2932897), '+10000-01-01');
  assert.equal(valueFromJson('uuid', UUID.toUpperCase()), UUID);
  assert.deepEqual(valueFromJson('binary', 'DEADBEEF'), bytes('deadbeef'));
  assert.equal(valueFromJson('string', null), null);
  assert.equal(valueToJson('decimal(9,2)', null), null);
  assert.equal(valueFromJson('variant', null), null);
});

test('invalid JSON single values throw METADATA_INVALID', () => {
  const cases: [string, unknown][] = [
    ['boolean', 'true'], ['int', 1.5], ['int', 2147483648], ['int', '1'], ['long', 1.5], ['float', '1.0'],
    ['decimal(9,2)', '14.2'], ['decimal(9,2)', 14.2], ['decimal(9,2)', 'abc'], ['decimal(2,0)', '100'],
    ['date', '2017-02-29'], ['date', '2017-13-01'], ['date', 17486], ['time', '24:00:00'],
    ['timestamp', '2017-11-16T22:31:08+00:00'], ['timestamptz', '2017-11-16T22:31:08'],
    ['timestamptz', '2017-11-16T14:31:08-08:00'], ['timestamp', '2017-11-16 22:31:08'],
    ['uuid', 'f79c3e09677c4bbda4793f349cb785e7'], ['fixed[4]', '000102'], ['binary', '0g'], ['binary', '012'],
    ['variant', {}], ['string', 5],
  ];
  for (const [type, json] of cases) {
    assert.throws(() => valueFromJson(type, json), metadataInvalid, `${type} ${String(json)}`);
  }
});

test('truncated lower and upper bounds', () => {
  assert.equal(truncateLowerBound('iceberg', 3), 'ice');
  assert.equal(truncateUpperBound('iceberg', 3), 'icf');
  assert.equal(truncateLowerBound('ice', 3), 'ice');
  assert.equal(truncateUpperBound('ice', 3), 'ice');
  // Code points, never half a surrogate pair.
  assert.equal(truncateLowerBound('😀😀😀', 2), '😀😀');
  assert.equal(truncateUpperBound('😀😀😀', 2), '😀😁');
  assert.equal(truncateUpperBound('a😀', 1), 'b');
  // U+10FFFF cannot be incremented: the previous code point is, and the rest dropped.
  assert.equal(truncateUpperBound('a\u{10FFFF}z', 2), 'b');
  assert.equal(truncateUpperBound('\u{10FFFF}\u{10FFFF}z', 2), null);
  // Surrogates are skipped when incrementing.
  assert.equal(truncateUpperBound('\uD7FFz', 1), '\uE000');
  assert.equal(truncateUpperBound('\uFFFFz', 1), '\u{10000}');
  assert.deepEqual(truncateLowerBound(bytes('0102ff04'), 3), bytes('0102ff'));
  assert.deepEqual(truncateUpperBound(bytes('0102ff04'), 3), bytes('0103'));
  assert.deepEqual(truncateUpperBound(bytes('0102fe04'), 3), bytes('0102ff'));
  assert.equal(truncateUpperBound(bytes('ffff00'), 2), null);
  assert.deepEqual(truncateUpperBound(bytes('0102'), 2), bytes('0102'));
  const input = bytes('0102ff04');
  truncateUpperBound(input, 2);
  assert.deepEqual(input, bytes('0102ff04'));
  assert.throws(() => truncateLowerBound('abc', -1), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});
