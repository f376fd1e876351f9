import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFloeError } from '../../../src/errors.js';
import {
  applyTransform,
  canTransform,
  civilToDays,
  daysToCivil,
  parseTransform,
  preservesOrder,
  resultType,
  transformToHumanString,
  transformToString,
  type Transform,
} from '../../../src/iceberg/spec/transforms.js';

const T = parseTransform;
const DAY_2017_11_16 = 17486;
const TS_2017_11_16T22_31_08 = 1510871468000000n; // µs
const UUID = 'f79c3e09-677c-4bbd-a479-3f349cb785e7';

test('parseTransform and transformToString', () => {
  assert.deepEqual(T('identity'), { kind: 'identity' });
  assert.deepEqual(T('bucket[16]'), { kind: 'bucket', numBuckets: 16 });
  assert.deepEqual(T('truncate[3]'), { kind: 'truncate', width: 3 });
  assert.deepEqual(T('Day'), { kind: 'day' });
  for (const s of ['year', 'month', 'hour', 'void']) assert.deepEqual(T(s), { kind: s });
  assert.deepEqual(T('zorder'), { kind: 'unknown', name: 'zorder' });
  assert.deepEqual(T('geohash[5]'), { kind: 'unknown', name: 'geohash[5]' });
  assert.deepEqual(T('bucket'), { kind: 'unknown', name: 'bucket' });
  assert.equal(transformToString(T('BUCKET[8]')), 'bucket[8]');
  assert.equal(transformToString(T('truncate[10]')), 'truncate[10]');
  assert.equal(transformToString(T('zorder')), 'zorder');
  assert.throws(() => T('bucket[0]'), (e) => isFloeError(e, 'METADATA_INVALID'));
  assert.throws(() => T('truncate[99999999999]'), (e) => isFloeError(e, 'METADATA_INVALID'));
});

test('bucket[N] = (hash & Integer.MAX_VALUE) % N', () => {
  const b16 = T('bucket[16]');
  const b100 = T('bucket[100]');
  assert.equal(applyTransform(b16, 'int', 34), 3);
  assert.equal(applyTransform(b100, 'int', 34), 79);
  assert.equal(applyTransform(b100, 'long', 34n), 79);
  assert.equal(applyTransform(b100, 'decimal(9,2)', 1420n), 59);
  assert.equal(applyTransform(b16, 'date', DAY_2017_11_16), 10);
  assert.equal(applyTransform(b100, 'date', DAY_2017_11_16), 26);
  assert.equal(applyTransform(b100, 'time', 81068000000n), 59);
  assert.equal(applyTransform(b16, 'timestamp', TS_2017_11_16T22_31_08), 7);
  assert.equal(applyTransform(b100, 'timestamptz', TS_2017_11_16T22_31_08 + 1n), 38);
  assert.equal(applyTransform(b100, 'timestamp_ns', TS_2017_11_16T22_31_08 * 1000n + 1001n), 38);
  assert.equal(applyTransform(b100, 'timestamptz_ns', TS_2017_11_16T22_31_08 * 1000n), 7);
  assert.equal(applyTransform(b100, 'string', 'iceberg'), 89);
  assert.equal(applyTransform(b16, 'uuid', UUID), 12);
  assert.equal(applyTransform(b100, 'fixed[4]', Uint8Array.of(0, 1, 2, 3)), 41);
  assert.equal(applyTransform(b16, 'binary', Uint8Array.of(0, 1, 2, 3)), 9);
  assert.equal(applyTransform(b16, 'string', null), null);
  assert.throws(() => applyTransform(b16, 'boolean', true), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => applyTransform(b16, 'double', 1), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => applyTransform(b16, 'int', 'x'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('truncate follows the spec examples with floor semantics', () => {
  const t10 = T('truncate[10]');
  assert.equal(applyTransform(t10, 'int', 1), 0);
  assert.equal(applyTransform(t10, 'int', -1), -10);
  assert.equal(applyTransform(t10, 'int', 10), 10);
  assert.equal(applyTransform(t10, 'int', -10), -10);
  assert.equal(applyTransform(t10, 'int', -11), -20);
  // Java int arithmetic wraps for the most negative value.
  assert.equal(applyTransform(t10, 'int', -2147483648), 2147483646);
  assert.equal(applyTransform(t10, 'long', 1n), 0n);
  assert.equal(applyTransform(t10, 'long', -1n), -10n);
  assert.equal(applyTransform(t10, 'long', 9223372036854775807n), 9223372036854775800n);
  const t50 = T('truncate[50]');
  assert.equal(applyTransform(t50, 'decimal(9,2)', 1065n), 1050n); // 10.65 → 10.50
  assert.equal(applyTransform(t50, 'decimal(9,2)', -1065n), -1100n); // -10.65 → -11.00
  const t3 = T('truncate[3]');
  assert.equal(applyTransform(t3, 'string', 'iceberg'), 'ice');
  assert.equal(applyTransform(t3, 'string', 'ic'), 'ic');
  assert.equal(applyTransform(t3, 'string', ''), '');
  // Code points, not UTF-16 units: each emoji is one code point.
  assert.equal(applyTransform(t3, 'string', '😀a😀b😀'), '😀a😀');
  assert.equal(applyTransform(T('truncate[2]'), 'string', '😀😀😀'), '😀😀');
  assert.equal(applyTransform(T('truncate[1]'), 'string', 'éa'), 'é');
  assert.deepEqual(applyTransform(t3, 'binary', Uint8Array.of(1, 2, 3, 4, 5)), Uint8Array.of(1, 2, 3));
  assert.deepEqual(applyTransform(t3, 'binary', Uint8Array.of(1)), Uint8Array.of(1));
  assert.throws(() => applyTransform(t3, 'fixed[4]', new Uint8Array(4)), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => applyTransform(t3, 'date', 1), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('year, month, day, hour of dates and timestamps', () => {
  const [year, month, day, hour] = ['year', 'month', 'day', 'hour'].map(T) as Transform[];
  assert.equal(applyTransform(year, 'date', DAY_2017_11_16), 47);
  assert.equal(applyTransform(month, 'date', DAY_2017_11_16), 47 * 12 + 10);
  assert.equal(applyTransform(day, 'date', DAY_2017_11_16), DAY_2017_11_16);
  for (const type of ['timestamp', 'timestamptz']) {
    assert.equal(applyTransform(year, type, TS_2017_11_16T22_31_08), 47);
    assert.equal(applyTransform(month, type, TS_2017_11_16T22_31_08), 574);
    assert.equal(applyTransform(day, type, TS_2017_11_16T22_31_08), DAY_2017_11_16);
    assert.equal(applyTransform(hour, type, TS_2017_11_16T22_31_08), DAY_2017_11_16 * 24 + 22);
  }
  for (const type of ['timestamp_ns', 'timestamptz_ns']) {
    const ns = TS_2017_11_16T22_31_08 * 1000n + 999n;
    assert.equal(applyTransform(year, type, ns), 47);
    assert.equal(applyTransform(month, type, ns), 574);
    assert.equal(applyTransform(day, type, ns), DAY_2017_11_16);
    assert.equal(applyTransform(hour, type, ns), DAY_2017_11_16 * 24 + 22);
  }
  assert.equal(applyTransform(year, 'date', 0), 0);
  assert.equal(applyTransform(month, 'timestamp', 0n), 0);
  assert.equal(applyTransform(T('day'), 'date', null), null);
  assert.throws(() => applyTransform(hour, 'date', 1), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => applyTransform(day, 'string', 'x'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('temporal transforms floor values before 1970', () => {
  const [year, month, day, hour] = ['year', 'month', 'day', 'hour'].map(T) as Transform[];
  for (const [type, v] of [['timestamp', -1n], ['timestamptz', -1n], ['timestamp_ns', -1n], ['timestamptz_ns', -1n]] as const) {
    assert.equal(applyTransform(year, type, v), -1, `${type} year`);
    assert.equal(applyTransform(month, type, v), -1, `${type} month`);
    assert.equal(applyTransform(day, type, v), -1, `${type} day`);
    assert.equal(applyTransform(hour, type, v), -1, `${type} hour`);
  }
  assert.equal(applyTransform(year, 'date', -1), -1);
  assert.equal(applyTransform(month, 'date', -1), -1);
  assert.equal(applyTransform(day, 'date', -1), -1);
  assert.equal(applyTransform(year, 'date', -365), -1); // 1969-01-01
  assert.equal(applyTransform(month, 'date', -365), -12);
  assert.equal(applyTransform(year, 'date', -366), -2); // 1968-12-31
  assert.equal(applyTransform(month, 'date', -366), -13);
  // Exactly one hour/day before the epoch, and one µs past the boundary.
  assert.equal(applyTransform(hour, 'timestamp', -3600000000n), -1);
  assert.equal(applyTransform(hour, 'timestamp', -3600000001n), -2);
  assert.equal(applyTransform(hour, 'timestamp', -3599000001n), -1);
  assert.equal(applyTransform(day, 'timestamp', -86400000000n), -1);
  assert.equal(applyTransform(day, 'timestamp', -86400000001n), -2);
  // 1900-01-01T00:00:00Z = -2208988800 s.
  assert.equal(applyTransform(year, 'timestamp', -2208988800000000n), -70);
  assert.equal(applyTransform(month, 'timestamp', -2208988800000000n), -840);
  assert.equal(applyTransform(month, 'timestamp', -2208988800000001n), -841);
});

test('identity and void', () => {
  assert.equal(applyTransform(T('identity'), 'long', 5n), 5n);
  assert.equal(applyTransform(T('identity'), 'string', 'x'), 'x');
  assert.equal(applyTransform(T('void'), 'string', 'x'), null);
  assert.equal(applyTransform(T('void'), 'variant', 'x'), null);
  assert.throws(() => applyTransform(T('identity'), 'geometry', 'x'), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  assert.throws(() => applyTransform(T('zorder'), 'int', 1), (e) => isFloeError(e, 'UNSUPPORTED'));
});

test('resultType, canTransform, preservesOrder', () => {
  assert.deepEqual(resultType(T('bucket[4]'), 'string'), { kind: 'int' });
  assert.deepEqual(resultType(T('year'), 'timestamp'), { kind: 'int' });
  assert.deepEqual(resultType(T('month'), 'date'), { kind: 'int' });
  assert.deepEqual(resultType(T('hour'), 'timestamptz_ns'), { kind: 'int' });
  assert.deepEqual(resultType(T('day'), 'timestamptz'), { kind: 'date' });
  assert.deepEqual(resultType(T('truncate[4]'), 'decimal(9,2)'), { kind: 'decimal', precision: 9, scale: 2 });
  assert.deepEqual(resultType(T('identity'), 'fixed[16]'), { kind: 'fixed', length: 16 });
  assert.deepEqual(resultType(T('void'), 'long'), { kind: 'long' });
  assert.deepEqual(resultType(T('zorder'), 'long'), { kind: 'string' });
  assert.throws(() => resultType(T('bucket[4]'), 'boolean'), (e) => isFloeError(e, 'METADATA_INVALID'));
  assert.equal(canTransform(T('bucket[2]'), 'uuid'), true);
  assert.equal(canTransform(T('bucket[2]'), 'float'), false);
  assert.equal(canTransform(T('truncate[2]'), 'binary'), true);
  assert.equal(canTransform(T('truncate[2]'), 'uuid'), false);
  assert.equal(canTransform(T('hour'), 'date'), false);
  assert.equal(canTransform(T('day'), 'time'), false);
  assert.equal(canTransform(T('identity'), 'geography'), false);
  assert.equal(canTransform(T('identity'), 'boolean'), true);
  assert.equal(canTransform(T('void'), 'geometry'), true);
  assert.deepEqual(
    ['identity', 'bucket[2]', 'truncate[2]', 'year', 'month', 'day', 'hour', 'void', 'zorder'].map((s) => preservesOrder(T(s))),
    [true, false, true, true, true, true, true, false, false],
  );
});

test('human-readable partition values', () => {
  const day2023 = Date.UTC(2023, 4, 15) / 86400000;
  assert.equal(transformToHumanString(T('day'), day2023), '2023-05-15');
  assert.equal(transformToHumanString(T('month'), (2023 - 1970) * 12 + 4), '2023-05');
  assert.equal(transformToHumanString(T('hour'), day2023 * 24 + 14), '2023-05-15-14');
  assert.equal(transformToHumanString(T('year'), 53), '2023');
  assert.equal(transformToHumanString(T('day'), -1), '1969-12-31');
  assert.equal(transformToHumanString(T('month'), -1), '1969-12');
  assert.equal(transformToHumanString(T('hour'), -1), '1969-12-31-23');
  assert.equal(transformToHumanString(T('year'), -1), '1969');
  assert.equal(transformToHumanString(T('bucket[16]'), 3), '3');
  assert.equal(transformToHumanString(T('void'), null), 'null');
  assert.equal(transformToHumanString(T('day'), null), 'null');
  const id = T('identity');
  assert.equal(transformToHumanString(id, DAY_2017_11_16, 'date'), '2017-11-16');
  assert.equal(transformToHumanString(id, 81068000000n, 'time'), '22:31:08');
  assert.equal(transformToHumanString(id, 81060000000n, 'time'), '22:31');
  assert.equal(transformToHumanString(id, 81068500000n, 'time'), '22:31:08.500');
  assert.equal(transformToHumanString(id, TS_2017_11_16T22_31_08 + 1n, 'timestamp'), '2017-11-16T22:31:08.000001');
  assert.equal(transformToHumanString(id, TS_2017_11_16T22_31_08, 'timestamptz'), '2017-11-16T22:31:08+00:00');
  assert.equal(transformToHumanString(id, -1n, 'timestamp_ns'), '1969-12-31T23:59:59.999999999');
  assert.equal(transformToHumanString(id, 1420n, 'decimal(9,2)'), '14.20');
  assert.equal(transformToHumanString(id, -5n, 'decimal(9,2)'), '-0.05');
  assert.equal(transformToHumanString(id, 1n, 'decimal(20,8)'), '1E-8');
  assert.equal(transformToHumanString(id, 1, 'double'), '1.0');
  assert.equal(transformToHumanString(id, 1e10, 'double'), '1.0E10');
  assert.equal(transformToHumanString(id, 0.1, 'float'), '0.1');
  assert.equal(transformToHumanString(id, Uint8Array.of(0, 1, 2, 3), 'binary'), 'AAECAw==');
  assert.equal(transformToHumanString(id, 34n, 'long'), '34');
  assert.equal(transformToHumanString(id, true, 'boolean'), 'true');
  assert.equal(transformToHumanString(id, 'a/b', 'string'), 'a/b');
  assert.equal(transformToHumanString(T('truncate[3]'), 'ice', 'string'), 'ice');
  assert.throws(() => transformToHumanString(id, 1), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
});

test('calendar helpers agree with Date for a wide range', () => {
  for (let d = -800000; d <= 800000; d += 997) {
    const dt = new Date(d * 86400000);
    assert.deepEqual(daysToCivil(d), { year: dt.getUTCFullYear(), month: dt.getUTCMonth() + 1, day: dt.getUTCDate() });
    assert.equal(civilToDays(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()), d);
  }
});
