/**
 * tempDir: a directory per extraction, named with the process id, and the directories of dead processes (killed
 * mid-window, so their release() never ran) swept away the next time one is made.
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { tempDir } from '../../src/sources/extract.js';

test('tempDir names its directory with the pid, removes it on release, and sweeps those of dead processes', async () => {
  const prefix = `floe-tempdir-test-${process.pid}-x-`;
  // A process that has exited: its pid is dead (spawnSync waits for it).
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const stale = join(tmpdir(), `${prefix}${dead}-abc123`);
  const mine = join(tmpdir(), `${prefix}${process.pid}-keep01`);
  const other = join(tmpdir(), `${prefix}notapid`);
  for (const d of [stale, mine, other]) {
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'chunk-0.csv'), '1,2\n');
  }
  try {
    const t = await tempDir(prefix);
    assert.match(basename(t.dir), new RegExp(`^${prefix}${process.pid}-`));
    assert.ok(existsSync(t.dir));
    assert.equal(existsSync(stale), false, "a dead process's directory is swept");
    assert.ok(existsSync(mine), "this process's own directories stay");
    assert.ok(existsSync(other), 'names without a pid are not touched');
    await t.release();
    assert.equal(existsSync(t.dir), false);
  } finally {
    for (const d of [stale, mine, other]) await rm(d, { recursive: true, force: true });
  }
});
