// Start a real, throw-away Synapse homeserver for end-to-end tests.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { writeSynapseConfig } from "./synapse-config.ts";
import { hasExited, spawnSynapse, terminate } from "./synapse-process.ts";
import { ensureSynapseVenv } from "./synapse-venv.ts";

export type StartSynapseOptions = {
  /** Keep Synapse's default rc_* limits so 429s are reachable. Default false (all relaxed). */
  rateLimited?: boolean;
  /** Directory for the log file (kept after stop). Default: inside the data dir. */
  logDir?: string;
  /** Never delete the data dir. Also enabled by XSIGN_KEEP_SYNAPSE=1. */
  keepOnFailure?: boolean;
  /** Readiness timeout. Default 30 000 ms. */
  readyTimeoutMs?: number;
};

export type StopOptions = {
  /** Keep the data dir (e.g. because the test failed). */
  keep?: boolean;
};

export type SynapseHandle = {
  baseUrl: string;
  serverName: string;
  port: number;
  registrationSharedSecret: string;
  dataDir: string;
  logFile: string;
  /** Time from startSynapse() call to the first 200 from /_matrix/client/versions. */
  startupMs: number;
  /** OS pid of the Synapse process. */
  pid: number;
  stop(opts?: StopOptions): Promise<void>;
  /** Let node exit while Synapse runs; the exit hook then stops it (for per-file test servers). */
  unref(): void;
};

/**
 * `localhost:<port>`: a server name a client can resolve on this machine. Its well-known
 * (http://localhost:<port>/.well-known/matrix/client, served by Synapse itself) names the base
 * URL http://127.0.0.1:<port>, so sessions are proven the account's through real discovery.
 */
const serverNameFor = (port: number) => `localhost:${port}`;
const POLL_MS = 100;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export function logTail(logFile: string, lines = 40): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log file)";
  }
}

async function waitReady(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(child)) return `Synapse exited early (code ${child.exitCode ?? child.signalCode})`;
    try {
      const res = await fetch(`${baseUrl}/_matrix/client/versions`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return null;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return `Synapse not ready after ${timeoutMs} ms`;
}

function keepRequested(opts: StartSynapseOptions): boolean {
  return opts.keepOnFailure === true || process.env.XSIGN_KEEP_SYNAPSE === "1";
}

/** Start Synapse from the project venv and wait until the client API answers. */
export async function startSynapse(opts: StartSynapseOptions = {}): Promise<SynapseHandle> {
  const t0 = performance.now();
  const python = await ensureSynapseVenv();
  const dataDir = mkdtempSync(join(tmpdir(), "xsign-synapse-"));
  const port = await freePort();
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const logFile = join(opts.logDir ?? dataDir, opts.logDir ? `synapse-${port}.log` : "homeserver.log");
  const registrationSharedSecret = randomBytes(24).toString("hex");
  const { configPath } = writeSynapseConfig({
    dataDir,
    port,
    serverName: serverNameFor(port),
    logFile,
    registrationSharedSecret,
    rateLimited: opts.rateLimited === true,
  });

  const child = spawnSynapse(python, configPath, dataDir, logFile, () => {
    if (!keepRequested(opts)) rmSync(dataDir, { recursive: true, force: true });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const failure = await waitReady(baseUrl, child, opts.readyTimeoutMs ?? 30_000);
  if (failure) {
    await terminate(child, 2000);
    throw new Error(`${failure}; data dir kept at ${dataDir}; last 40 log lines of ${logFile}:\n${logTail(logFile)}`);
  }
  const startupMs = Math.round(performance.now() - t0);

  let stopped = false;
  const stop = async (stopOpts: StopOptions = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const crashed = hasExited(child);
    await terminate(child);
    const keep = stopOpts.keep === true || crashed || keepRequested(opts);
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
    else if (existsSync(dataDir)) process.stderr.write(`[synapse] data dir kept at ${dataDir}\n`);
  };

  return {
    baseUrl,
    serverName: serverNameFor(port),
    port,
    registrationSharedSecret,
    dataDir,
    logFile,
    startupMs,
    pid: child.pid ?? -1,
    stop,
    unref: () => child.unref(),
  };
}
