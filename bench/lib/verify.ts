/**
 * verify_per_sig_ms: Ed25519 signature verification throughput of the core, WebCrypto backend vs
 * the pure-JS @noble/ed25519 backend, over device-key-sized objects (one distinct device_keys
 * object per signature, each signed by the same self-signing key, as when a report checks every
 * device of a user).
 */
import { randomBytes } from 'node:crypto';
import {
  decodeBase64, encodeBase64, nobleEd25519, signingBytes, signJson, verifyJsonSignature, webCryptoEd25519,
  type Ed25519,
} from '../../src/core/index.ts';
import { round } from './stats.ts';

const USER = '@bench-user:localhost';

export type BackendTiming = {
  /** verifyJsonSignature, one at a time: canonical JSON + base64 decode + verify. */
  canonicalise_verify_ms: number;
  /** ed.verify on precomputed bytes, one at a time. */
  verify_only_ms: number;
  /** signingBytes (canonical JSON + UTF-8) alone. */
  canonicalise_only_ms: number;
  /** verifyJsonSignature with 64 in flight, as the core's device checks run (total / count). */
  canonicalise_verify_concurrent64_ms: number;
};

export type VerifyResult = {
  webcrypto: number;
  noble: number;
  detail: { webcrypto: BackendTiming; noble: BackendTiming };
  signatures: number;
  object_bytes: number;
  runtime: string;
  note: string;
};

type Sample = { object: Record<string, unknown>; message: Uint8Array; signature: Uint8Array };

async function makeSamples(count: number, ed: Ed25519): Promise<{ samples: Sample[]; keyId: string; publicKey: Uint8Array }> {
  const sskSeed = new Uint8Array(randomBytes(32));
  const publicKey = await ed.publicKey(sskSeed);
  const keyId = `ed25519:${encodeBase64(publicKey)}`;
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = `BENCH${i.toString().padStart(5, '0')}`;
    const deviceSeed = new Uint8Array(randomBytes(32));
    const device = {
      user_id: USER,
      device_id: deviceId,
      algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
      keys: {
        [`curve25519:${deviceId}`]: encodeBase64(new Uint8Array(randomBytes(32))),
        [`ed25519:${deviceId}`]: encodeBase64(await ed.publicKey(deviceSeed)),
      },
      unsigned: { device_display_name: `bench device ${i}` },
    };
    const selfSigned = await signJson(device, { entity: USER, keyId: `ed25519:${deviceId}`, seed: deviceSeed }, ed);
    const object = await signJson(selfSigned, { entity: USER, keyId, seed: sskSeed }, ed);
    const signature = decodeBase64(object.signatures[USER]![keyId]!);
    samples.push({ object, message: signingBytes(object), signature });
  }
  return { samples, keyId, publicKey };
}

async function perItem(count: number, run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / count;
}

async function timeBackend(ed: Ed25519, samples: Sample[], keyId: string, publicKey: Uint8Array): Promise<BackendTiming> {
  const check = (verdict: string | boolean) => {
    if (verdict !== 'valid' && verdict !== true) throw new Error(`${ed.name}: a correct signature did not verify (${String(verdict)})`);
  };
  // Warm-up (JIT, key import cache), not timed.
  for (const s of samples.slice(0, 100)) check(await verifyJsonSignature(s.object, USER, keyId, publicKey, ed));

  const n = samples.length;
  const canonicaliseVerify = await perItem(n, async () => {
    for (const s of samples) check(await verifyJsonSignature(s.object, USER, keyId, publicKey, ed));
  });
  const verifyOnly = await perItem(n, async () => {
    for (const s of samples) check(await ed.verify(publicKey, s.message, s.signature));
  });
  let sink = 0;
  const canonicaliseOnly = await perItem(n, async () => {
    for (const s of samples) sink += signingBytes(s.object).length;
  });
  if (sink === 0) throw new Error('unreachable');
  const concurrent = await perItem(n, async () => {
    let next = 0;
    const worker = async () => {
      while (next < n) check(await verifyJsonSignature(samples[next++]!.object, USER, keyId, publicKey, ed));
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  });
  return {
    canonicalise_verify_ms: round(canonicaliseVerify, 4),
    verify_only_ms: round(verifyOnly, 4),
    canonicalise_only_ms: round(canonicaliseOnly, 4),
    canonicalise_verify_concurrent64_ms: round(concurrent, 4),
  };
}

export async function benchVerify(count = 2000): Promise<VerifyResult> {
  const webcrypto = webCryptoEd25519();
  const { samples, keyId, publicKey } = await makeSamples(count, webcrypto);
  const objectBytes = Math.round(samples.reduce((sum, s) => sum + JSON.stringify(s.object).length, 0) / samples.length);
  const wc = await timeBackend(webcrypto, samples, keyId, publicKey);
  const nb = await timeBackend(nobleEd25519, samples, keyId, publicKey);
  return {
    webcrypto: wc.canonicalise_verify_ms,
    noble: nb.canonicalise_verify_ms,
    detail: { webcrypto: wc, noble: nb },
    signatures: count,
    object_bytes: objectBytes,
    runtime: `Node ${process.version} (WebCrypto = Node's OpenSSL Ed25519)`,
    note:
      'Headline = verifyJsonSignature (canonical JSON + verify), one signature at a time, per signature. ' +
      'Each signature is over a distinct device_keys object; all by one self-signing key, so WebCrypto imports the key once (cached).',
  };
}
