import { test, describe, before, after } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FloeError } from '../../src/errors.js';
import { interpolateEnv, interpolateEnvDeep } from '../../src/config/env-interpolation.js';
import {
  DEFAULT_CATALOG,
  defaultFloeConfig,
  loadFloeConfig,
  normalizeFloeConfig,
  parseFloeConfig,
  resolveCatalog,
  s3OptionsFor,
} from '../../src/config/floe-config.js';
import { s3OptionsFromProperties } from '../../src/iceberg/io/s3-file-io.js';

/** Asserts `fn` throws a FloeError of `code` whose context.key is `key` (when given); returns it. */
function throwsWith(fn: () => unknown, code: string, key?: string): FloeError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof FloeError, `expected FloeError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  if (key !== undefined) assert.equal(caught.context.key, key);
  return caught;
}

async function rejectsWith(fn: () => Promise<unknown>, code: string, key?: string): Promise<FloeError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  return throwsWith(() => {
    if (caught !== undefined) throw caught;
  }, code, key);
}

describe('env interpolation', () => {
  const env = { HOST: 'db.local', EMPTY: '', PORT: '5432' };

  test('replaces ${VAR}, keeps other dollars, honours $${ escapes and :- fallbacks', () => {
    assert.equal(interpolateEnv('postgresql://${HOST}:${PORT}/x', env, 'k'), 'postgresql://db.local:5432/x');
    assert.equal(interpolateEnv('cost $5 and $HOST', env, 'k'), 'cost $5 and $HOST');
    assert.equal(interpolateEnv('literal $${HOST}', env, 'k'), 'literal ${HOST}');
    assert.equal(interpolateEnv('${MISSING:-fallback}', env, 'k'), 'fallback');
    assert.equal(interpolateEnv('${EMPTY:-fallback}', env, 'k'), 'fallback');
    assert.equal(interpolateEnv('${HOST:-fallback}', env, 'k'), 'db.local');
    assert.equal(interpolateEnv('${EMPTY}', env, 'k'), '');
  });

  test('an unset variable → CONFIG_INVALID naming the variable and the key', () => {
    const err = throwsWith(() => interpolateEnv('x-${NOPE_NOT_SET}', env, 'catalogs.a.uri'), 'CONFIG_INVALID', 'catalogs.a.uri');
    assert.equal(err.context.variable, 'NOPE_NOT_SET');
  });

  test('malformed references → CONFIG_INVALID', () => {
    for (const bad of ['${}', '${1X}', '${A B}', 'tail ${HOST']) throwsWith(() => interpolateEnv(bad, env, 'k'), 'CONFIG_INVALID', 'k');
  });

  test('deep interpolation walks mappings and lists, leaves keys and non-strings alone', () => {
    const out = interpolateEnvDeep({ '${HOST}': ['${PORT}', 3, true, null], n: { m: '${HOST}' } }, env);
    assert.deepEqual(out, { '${HOST}': ['5432', 3, true, null], n: { m: 'db.local' } });
    throwsWith(() => interpolateEnvDeep({ a: [{ b: '${NOPE_NOT_SET}' }] }, env), 'CONFIG_INVALID', 'a.0.b');
  });
});

describe('parseFloeConfig', () => {
  const env = { TOKEN: 'secret-token', MINIO: 'http://localhost:9000', PS: 'true' };

  test('catalogs map with default_catalog, catalog-specific keys and an s3 section', () => {
    const cfg = parseFloeConfig(
      [
        'default_catalog: prod',
        'catalogs:',
        '  prod:',
        '    type: rest',
        '    uri: https://catalog.example.com/api',
        '    warehouse: s3://lake/wh',
        '    token: ${TOKEN}',
        '    page-size: 100',
        '    s3: { endpoint: "${MINIO}", path-style-access: true }',
        '  local:',
        '    type: sql',
        '    uri: sqlite:./cat.db',
        's3:',
        '  endpoint: ${MINIO}',
        '  region: eu-west-1',
        '  path_style: ${PS}',
        '  access_key_id: AK',
        '  secret_access_key: SK',
      ].join('\n'),
      { env, source: 'floe.yaml' },
    );
    assert.equal(cfg.defaultCatalog, 'prod');
    assert.equal(cfg.source, 'floe.yaml');
    assert.deepEqual(cfg.catalogs.prod, {
      name: 'prod',
      type: 'rest',
      uri: 'https://catalog.example.com/api',
      warehouse: 's3://lake/wh',
      properties: {
        token: 'secret-token',
        'page-size': '100',
        's3.endpoint': 'http://localhost:9000',
        's3.path-style-access': 'true',
      },
    });
    assert.deepEqual(cfg.catalogs.local, { name: 'local', type: 'sql', uri: 'sqlite:./cat.db', properties: {} });
    assert.deepEqual(cfg.s3, {
      endpoint: 'http://localhost:9000',
      region: 'eu-west-1',
      pathStyle: true,
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    });
    assert.equal(resolveCatalog(cfg).name, 'prod');
    assert.equal(resolveCatalog(cfg, 'local').type, 'sql');
  });

  test('the iceberg.writer contract shape becomes one catalog named default', () => {
    const cfg = parseFloeConfig(
      'catalog: sql\ncatalog_config:\n  uri: sqlite:/tmp/c.db\n  warehouse: s3://bucket/prefix\n  s3:\n    endpoint: http://minio:9000\ntable: ns.t\nwrite_mode: append\n',
      { env },
    );
    assert.deepEqual(Object.keys(cfg.catalogs), ['default']);
    assert.equal(cfg.defaultCatalog, 'default');
    assert.deepEqual(cfg.catalogs.default, {
      name: 'default',
      type: 'sql',
      uri: 'sqlite:/tmp/c.db',
      warehouse: 's3://bucket/prefix',
      properties: { 's3.endpoint': 'http://minio:9000' },
    });
    // The same shape as an object (a pipeline step's config), not YAML text.
    const obj = normalizeFloeConfig({ catalog: 'memory', catalog_config: {} });
    assert.equal(resolveCatalog(obj).type, 'memory');
  });

  test('an empty document or one without catalogs gives the default catalog', () => {
    for (const text of ['', '# nothing\n', 's3:\n  region: us-east-1\n']) {
      const cfg = parseFloeConfig(text, { env });
      assert.deepEqual(resolveCatalog(cfg), { ...DEFAULT_CATALOG, properties: {} });
    }
    assert.deepEqual(defaultFloeConfig().catalogs.default, {
      name: 'default',
      type: 'sql',
      uri: 'sqlite:./.floe/catalog.db',
      warehouse: './.floe/warehouse',
      properties: {},
    });
  });

  test('default catalog: `default` by name, else the only one, else none until named', () => {
    assert.equal(parseFloeConfig('catalogs:\n  solo: {type: memory}\n').defaultCatalog, 'solo');
    const two = parseFloeConfig('catalogs:\n  a: {type: memory}\n  default: {type: memory}\n');
    assert.equal(two.defaultCatalog, 'default');
    const ambiguous = parseFloeConfig('catalogs:\n  a: {type: memory}\n  b: {type: memory}\n');
    assert.equal(ambiguous.defaultCatalog, undefined);
    throwsWith(() => resolveCatalog(ambiguous), 'CONFIG_INVALID', 'default_catalog');
    assert.equal(resolveCatalog(ambiguous, 'b').name, 'b');
    const err = throwsWith(() => resolveCatalog(ambiguous, 'zzz'), 'INVALID_ARGUMENT');
    assert.equal(err.context.catalog, 'zzz');
  });

  test('invalid YAML → CONFIG_INVALID with a position', () => {
    const err = throwsWith(() => parseFloeConfig('catalogs:\n  a: {type: sql\n  b: [', { env }), 'CONFIG_INVALID', '');
    assert.equal(typeof err.context.line, 'number');
    throwsWith(() => parseFloeConfig('catalogs:\n  a: {type: sql}\n  a: {type: rest}\n'), 'CONFIG_INVALID', '');
    throwsWith(() => parseFloeConfig('- just\n- a list\n'), 'CONFIG_INVALID', '');
    throwsWith(() => parseFloeConfig('"a scalar"'), 'CONFIG_INVALID', '');
  });

  test('wrong types and unknown values → CONFIG_INVALID naming the key', () => {
    const cases: [string, string][] = [
      ['catalogs:\n  a: {type: oracle}\n', 'catalogs.a.type'],
      ['catalogs:\n  a: {uri: x}\n', 'catalogs.a.type'],
      ['catalogs:\n  a: {type: 5}\n', 'catalogs.a.type'],
      ['catalogs:\n  a: {type: sql, uri: 42}\n', 'catalogs.a.uri'],
      ['catalogs:\n  a: {type: sql, warehouse: [x]}\n', 'catalogs.a.warehouse'],
      ['catalogs:\n  a: {type: sql, tags: [x, y]}\n', 'catalogs.a.tags'],
      ['catalogs:\n  a: sql\n', 'catalogs.a'],
      ['catalogs: [a, b]\n', 'catalogs'],
      ['catalogs: {}\n', 'catalogs'],
      ['catalogs:\n  a: {type: rest}\n', 'catalogs.a.uri'],
      ['catalogs:\n  a: {type: hadoop}\n', 'catalogs.a.warehouse'],
      ['default_catalog: b\ncatalogs:\n  a: {type: sql}\n', 'default_catalog'],
      ['default_catalog: 3\ncatalogs:\n  a: {type: sql}\n', 'default_catalog'],
      ['s3: yes-please\n', 's3'],
      ['s3:\n  path_style: maybe\n', 's3.path_style'],
      ['s3:\n  endpoint: 9000\n', 's3.endpoint'],
      ['s3:\n  acess_key_id: typo\n', 's3.acess_key_id'],
      ['s3:\n  constructor: x\n', 's3.constructor'],
      ['catalog: nosql\ncatalog_config: {}\n', 'catalog'],
      ['catalog_config: {uri: x}\n', 'catalog'],
      ['catalog: sql\ncatalog_config: [1]\n', 'catalog_config'],
      ['catalog: sql\ncatalogs:\n  a: {type: sql}\n', 'catalog'],
      ['catalogs:\n  a: {type: sql, uri: "${UNSET_FLOE_TEST_VAR}"}\n', 'catalogs.a.uri'],
    ];
    for (const [text, key] of cases) {
      try {
        parseFloeConfig(text, { env: {} });
        assert.fail(`expected CONFIG_INVALID for ${JSON.stringify(text)}`);
      } catch (err) {
        assert.ok(err instanceof FloeError, `${JSON.stringify(text)}: ${String(err)}`);
        assert.equal(err.code, 'CONFIG_INVALID', text);
        assert.equal(err.context.key, key, text);
      }
    }
  });
});

describe('s3 options', () => {
  test('top-level s3 section, overridden by the catalog’s s3.* properties', () => {
    const cfg = parseFloeConfig(
      [
        'catalogs:',
        '  a: {type: sql}',
        '  b: {type: sql, s3.endpoint: "http://other:9000", s3.path-style-access: "false", s3: {region: ap-south-1}}',
        's3: {endpoint: "http://minio:9000", region: us-east-1, path_style: true, access_key_id: AK, secret_access_key: SK}',
      ].join('\n'),
    );
    assert.deepEqual(s3OptionsFor(cfg, resolveCatalog(cfg, 'a')), {
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    });
    assert.deepEqual(s3OptionsFor(cfg, resolveCatalog(cfg, 'b')), {
      endpoint: 'http://other:9000',
      region: 'ap-south-1',
      forcePathStyle: false,
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    });
    assert.deepEqual(s3OptionsFor(defaultFloeConfig()), {});
  });

  test('Iceberg property names (and snake_case spellings) map to S3FileIO options', () => {
    assert.deepEqual(
      s3OptionsFromProperties({
        's3.endpoint': 'http://e',
        'client.region': 'r',
        's3.path-style-access': 'true',
        's3.access-key-id': 'a',
        's3.secret_access_key': 's',
        's3.session-token': 't',
        unrelated: 'x',
      }),
      { endpoint: 'http://e', region: 'r', forcePathStyle: true, accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't' },
    );
    throwsWith(() => s3OptionsFromProperties({ 's3.path-style-access': 'yes' }), 'CONFIG_INVALID', 's3.path-style-access');
  });
});

describe('loadFloeConfig lookup order', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-config-'));
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'floe.yaml'), 'catalogs:\n  cwd: {type: memory}\n');
    await writeFile(join(dir, 'conf', 'flag.yaml'), 'catalogs:\n  flag: {type: memory}\n');
    await writeFile(join(dir, 'conf', 'env.yaml'), 'catalogs:\n  envfile: {type: sql, uri: "${DB}"}\n');
    await writeFile(join(dir, 'conf', 'broken.yaml'), 'catalogs: [\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('--config beats FLOE_CONFIG beats ./floe.yaml', async () => {
    const env = { FLOE_CONFIG: 'conf/env.yaml', DB: 'sqlite:x.db' };
    const flag = await loadFloeConfig({ cwd: dir, env, configPath: 'conf/flag.yaml' });
    assert.deepEqual(Object.keys(flag.catalogs), ['flag']);
    assert.equal(flag.source, join(dir, 'conf', 'flag.yaml'));
    const fromEnv = await loadFloeConfig({ cwd: dir, env });
    assert.deepEqual(Object.keys(fromEnv.catalogs), ['envfile']);
    assert.equal(fromEnv.catalogs.envfile.uri, 'sqlite:x.db');
    const fromCwd = await loadFloeConfig({ cwd: dir, env: { FLOE_CONFIG: '' } });
    assert.deepEqual(Object.keys(fromCwd.catalogs), ['cwd']);
    assert.equal(fromCwd.source, join(dir, 'floe.yaml'));
  });

  test('no file anywhere → the default sql catalog', async () => {
    const cfg = await loadFloeConfig({ cwd: join(dir, 'conf'), env: {} });
    assert.equal(cfg.source, undefined);
    assert.deepEqual(resolveCatalog(cfg), { ...DEFAULT_CATALOG, properties: {} });
  });

  test('a named file that is missing → CONFIG_INVALID naming where it came from', async () => {
    await rejectsWith(() => loadFloeConfig({ cwd: dir, env: {}, configPath: 'nope.yaml' }), 'CONFIG_INVALID', '--config');
    await rejectsWith(() => loadFloeConfig({ cwd: dir, env: { FLOE_CONFIG: 'nope.yaml' } }), 'CONFIG_INVALID', 'FLOE_CONFIG');
    await rejectsWith(() => loadFloeConfig({ cwd: dir, env: {}, configPath: 'conf' }), 'CONFIG_INVALID', '--config');
  });

  test('errors inside the file surface as CONFIG_INVALID', async () => {
    await rejectsWith(() => loadFloeConfig({ cwd: dir, env: {}, configPath: 'conf/broken.yaml' }), 'CONFIG_INVALID', '');
    // env.yaml references ${DB}, unset here.
    const err = await rejectsWith(
      () => loadFloeConfig({ cwd: dir, env: {}, configPath: 'conf/env.yaml' }),
      'CONFIG_INVALID',
      'catalogs.envfile.uri',
    );
    assert.equal(err.context.variable, 'DB');
  });
});
