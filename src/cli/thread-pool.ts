/**
 * Sizes libuv's thread pool to the machine, before anything uses it (libuv reads
 * UV_THREADPOOL_SIZE once, when the pool first starts; an explicit setting is kept).
 *
 * Why: `status` queues two Ed25519 verifications per device on the pool (node-ed25519.ts), and
 * the main thread has to keep feeding it. With libuv's default of 4 threads on a 2-core machine,
 * five busy threads share two cores and the main thread gets two fifths of one, so it, not
 * OpenSSL, sets the pace; one thread per core measured 6 % faster there at 1 000 devices, and a
 * single thread slower still (docs/design.md#cli-crypto). It only works because the CLI is
 * CommonJS: Node's ES module loader reads the entry file through the pool, starting it first.
 */
import { availableParallelism } from 'node:os';

const MIN_THREADS = 2; // a DNS lookup also takes a pool thread while it waits
const MAX_THREADS = 16;

/** The pool size to set: undefined when the environment already chose one. */
export function threadPoolSize(env: Readonly<Record<string, string | undefined>>, cores: number): string | undefined {
  if (env.UV_THREADPOOL_SIZE !== undefined) return undefined;
  return String(Math.min(Math.max(Math.floor(cores) || 1, MIN_THREADS), MAX_THREADS));
}

const size = threadPoolSize(process.env, availableParallelism());
if (size !== undefined) process.env.UV_THREADPOOL_SIZE = size;
