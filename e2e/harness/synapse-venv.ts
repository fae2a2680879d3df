// Project-local Python venv with a pinned Synapse, created on first use.
//
// Layout: <repo>/.venv/synapse (git-ignored). A marker file records the
// installed version; a different pin triggers a reinstall. A mkdir-based
// lock keeps parallel test processes from installing at the same time.

import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Exact matrix-synapse release installed into the venv. */
export const SYNAPSE_VERSION = "1.163.2";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SYNAPSE_VENV_DIR = join(REPO_ROOT, ".venv", "synapse");

const MARKER = join(SYNAPSE_VENV_DIR, ".xsign-synapse-version");
const LOCK = join(REPO_ROOT, ".venv", "synapse.lock");
const INSTALL_LOG = join(REPO_ROOT, ".venv", "synapse-install.log");
const LOCK_STALE_MS = 15 * 60_000;

/** Path of the venv's python interpreter. */
export function synapsePython(): string {
  return join(SYNAPSE_VENV_DIR, "bin", "python");
}

function isInstalled(): boolean {
  if (!existsSync(synapsePython()) || !existsSync(MARKER)) return false;
  return readFileSync(MARKER, "utf8").trim() === SYNAPSE_VERSION;
}

function hostPython(): string {
  const candidate = process.env.XSIGN_PYTHON ?? "python3";
  const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `synapse-venv: '${candidate}' not found on PATH; install Python 3.10+ (with venv) to run the Synapse e2e harness`,
    );
  }
  return candidate;
}

function run(cmd: string, args: string[], logFd: number): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", logFd, logFd] });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolveRun();
      else reject(new Error(`${cmd} ${args.join(" ")} exited with ${signal ?? code}`));
    });
  });
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

async function acquireLock(): Promise<() => void> {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // lock vanished between calls: retry
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function install(): Promise<void> {
  const python = hostPython();
  process.stdout.write(
    `[synapse-venv] installing matrix-synapse==${SYNAPSE_VERSION} into ${SYNAPSE_VENV_DIR} (one-time; log: ${INSTALL_LOG})\n`,
  );
  rmSync(SYNAPSE_VENV_DIR, { recursive: true, force: true });
  const fd = openSync(INSTALL_LOG, "w");
  try {
    await run(python, ["-m", "venv", SYNAPSE_VENV_DIR], fd);
    await run(
      synapsePython(),
      ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", `matrix-synapse==${SYNAPSE_VERSION}`],
      fd,
    );
  } catch (err) {
    throw new Error(
      `synapse-venv: install failed (${(err as Error).message}); last log lines:\n${tailOf(INSTALL_LOG, 20)}`,
    );
  } finally {
    closeSync(fd);
  }
  writeFileSync(MARKER, `${SYNAPSE_VERSION}\n`);
}

/**
 * Ensure <repo>/.venv/synapse holds matrix-synapse==SYNAPSE_VERSION and
 * return the path of its python interpreter.
 */
export async function ensureSynapseVenv(): Promise<string> {
  if (isInstalled()) return synapsePython();
  const release = await acquireLock();
  try {
    if (!isInstalled()) await install();
  } finally {
    release();
  }
  return synapsePython();
}
