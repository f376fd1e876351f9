/**
 * A local S3-compatible server for tests: `@20minutes/s3rver` (a maintained fork of s3rver for Node >= 20), run
 * in-process on 127.0.0.1 with a random free port and a throwaway directory. It is a devDependency, so a server
 * that cannot start is a failure, never a reason to skip.
 *
 * What it does and does not emulate (as far as floe's tests rely on it):
 * - it accepts only the access key id of {@link S3_TEST_CREDENTIALS} (InvalidAccessKeyId otherwise), but does not
 *   verify signatures (see `allowMismatchedSignatures` below), so a wrong secret goes unnoticed;
 * - it IGNORES `If-None-Match` on PUT, so S3FileIO's HEAD-then-PUT path is what runs against it;
 * - listings past one page fail (its continuation tokens use DES, absent from Node's OpenSSL 3).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** The one key pair the server accepts (hard-coded in s3rver). */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A running test server. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>`, for the client's endpoint override (path-style). */
  endpoint: string;
  /** A bucket created at start. */
  bucket: string;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/** The slice of s3rver's API this helper uses (the package ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

/** Starts a server with one bucket (`floe-test` unless named). Throws when it cannot start. */
export async function startS3Server(options: { bucket?: string } = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'floe-test';
  const directory = await mkdtemp(join(tmpdir(), 'floe-s3rver-'));
  // s3rver is CommonJS without types; require() keeps the untyped surface to the interface above.
  const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // Path-style only: virtual-host buckets would need DNS for <bucket>.127.0.0.1.
    vhostBuckets: false,
    // The SDK signs bucket-level requests as `/<bucket>/` but s3rver recomputes `/<bucket>`, so every List would
    // fail SignatureDoesNotMatch. Unknown access key ids are still rejected (InvalidAccessKeyId).
    allowMismatchedSignatures: true,
    configureBuckets: [{ name: bucket }],
  });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (err) {
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
