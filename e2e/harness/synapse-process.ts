// Child-process plumbing for the test Synapse: spawn with parent-death
// signal, kill on node exit, graceful stop.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";

// Live children and a synchronous cleanup to run if node exits before stop().
const live = new Map<ChildProcess, () => void>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const [child, cleanup] of live) {
    try {
      child.kill("SIGKILL");
      cleanup();
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllNow);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      killAllNow();
      process.removeListener(sig, onSignal);
      // Only re-raise if nobody else handles the signal, keeping node's default behaviour.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

// Linux: ask the kernel to SIGTERM Synapse if this node process dies, even by
// SIGKILL. Then run the homeserver module as `python -m` would.
const LAUNCHER = `
import os, sys, signal, runpy
if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    if os.getppid() != int(os.environ.get("XSIGN_PARENT_PID", os.getppid())):
        sys.exit(1)
sys.argv = ["synapse.app.homeserver"] + sys.argv[1:]
runpy.run_module("synapse.app.homeserver", run_name="__main__", alter_sys=True)
`;

/**
 * Spawn Synapse with stdout/stderr appended to logFile. `cleanupSync` runs if
 * node exits while the child is still alive.
 */
export function spawnSynapse(
  python: string,
  configPath: string,
  cwd: string,
  logFile: string,
  cleanupSync: () => void = () => {},
): ChildProcess {
  installExitHooks();
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(python, ["-c", LAUNCHER, "-c", configPath], {
      cwd,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, XSIGN_PARENT_PID: String(process.pid), PYTHONUNBUFFERED: "1" },
    });
    live.set(child, cleanupSync);
    child.once("exit", () => live.delete(child));
    return child;
  } finally {
    closeSync(fd);
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolveWait) => {
    const timer = setTimeout(() => {
      child.removeListener("exit", onExit);
      resolveWait(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolveWait(true);
    };
    child.once("exit", onExit);
  });
}

/** SIGTERM, wait up to graceMs, then SIGKILL and wait for the exit. */
export async function terminate(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (hasExited(child)) return;
  child.kill("SIGTERM");
  if (await waitExit(child, graceMs)) return;
  child.kill("SIGKILL");
  await waitExit(child, 5000);
}
