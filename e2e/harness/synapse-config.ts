// homeserver.yaml, log config and signing key for a throw-away test Synapse.
//
// Only documented Synapse config keys are used. The files are written as
// JSON, which is valid YAML, so no YAML serialiser is needed.

import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export type SynapseConfigInput = {
  dataDir: string;
  port: number;
  serverName: string;
  logFile: string;
  registrationSharedSecret: string;
  rateLimited: boolean;
};

export type SynapseConfigFiles = {
  configPath: string;
  logConfigPath: string;
  signingKeyPath: string;
};

const HUGE = 1_000_000;
const relaxed = { per_second: HUGE, burst_count: HUGE };

/**
 * Every client-facing rate limiter Synapse 1.163 reads, set high enough to
 * never trigger. rc_login.failed_attempts also drives the failed-UIA-attempts
 * limiter (the UIA password stage shares it with /login).
 */
export const RELAXED_RATE_LIMITS: Record<string, unknown> = {
  rc_message: relaxed,
  rc_registration: relaxed,
  rc_registration_token_validity: relaxed,
  rc_login: { address: relaxed, account: relaxed, failed_attempts: relaxed },
  rc_admin_redaction: relaxed,
  rc_joins: { local: relaxed, remote: relaxed },
  rc_joins_per_room: relaxed,
  rc_3pid_validation: relaxed,
  rc_invites: { per_room: relaxed, per_user: relaxed, per_issuer: relaxed },
  rc_third_party_invite: relaxed,
  rc_key_requests: relaxed,
  rc_media_create: relaxed,
  rc_presence: { per_user: relaxed },
  rc_delayed_event_mgmt: relaxed,
  rc_room_creation: relaxed,
  rc_reports: relaxed,
  rc_user_directory: relaxed,
  rc_profile: relaxed,
  rc_federation: { window_size: 1000, sleep_limit: HUGE, sleep_delay: 0, reject_limit: HUGE, concurrent: HUGE },
  federation_rr_transactions_per_room_per_second: HUGE,
};

/** Synapse signing key file line: "ed25519 <version> <unpadded base64 seed>". */
function signingKeyLine(): string {
  const seed = randomBytes(32).toString("base64").replace(/=+$/, "");
  return `ed25519 a_${randomBytes(3).toString("hex")} ${seed}\n`;
}

function logConfig(logFile: string): Record<string, unknown> {
  return {
    version: 1,
    formatters: {
      precise: { format: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s" },
    },
    handlers: {
      file: { class: "logging.FileHandler", formatter: "precise", filename: logFile, encoding: "utf8" },
    },
    loggers: {
      "synapse.storage.SQL": { level: "WARNING" },
      "twisted": { level: "WARNING" },
    },
    root: { level: "INFO", handlers: ["file"] },
    disable_existing_loggers: false,
  };
}

function homeserverConfig(input: SynapseConfigInput, files: SynapseConfigFiles): Record<string, unknown> {
  const { dataDir, port, serverName } = input;
  return {
    server_name: serverName,
    public_baseurl: `http://127.0.0.1:${port}/`,
    // The client well-known (client-server API §Server Discovery) names public_baseurl, so a user
    // ID's server name (localhost:<port>) resolves to the base URL every session uses.
    serve_client_wellknown: true,
    pid_file: join(dataDir, "homeserver.pid"),
    listeners: [
      {
        port,
        bind_addresses: ["127.0.0.1"],
        type: "http",
        tls: false,
        x_forwarded: false,
        resources: [{ names: ["client"], compress: false }],
      },
    ],
    database: { name: "sqlite3", args: { database: join(dataDir, "homeserver.db") } },
    log_config: files.logConfigPath,
    media_store_path: join(dataDir, "media_store"),
    signing_key_path: files.signingKeyPath,
    registration_shared_secret: input.registrationSharedSecret,
    macaroon_secret_key: randomBytes(24).toString("hex"),
    form_secret: randomBytes(24).toString("hex"),
    enable_registration: false,
    report_stats: false,
    enable_metrics: false,
    suppress_key_server_warning: true,
    trusted_key_servers: [],
    url_preview_enabled: false,
    presence: { enabled: false },
    // Cheap password hashing: thousands of logins per test run.
    bcrypt_rounds: 4,
    ...(input.rateLimited ? {} : RELAXED_RATE_LIMITS),
  };
}

/** Write homeserver.yaml, log.config and the signing key into dataDir. */
export function writeSynapseConfig(input: SynapseConfigInput): SynapseConfigFiles {
  const files: SynapseConfigFiles = {
    configPath: join(input.dataDir, "homeserver.yaml"),
    logConfigPath: join(input.dataDir, "log.config"),
    signingKeyPath: join(input.dataDir, "signing.key"),
  };
  writeFileSync(files.signingKeyPath, signingKeyLine(), { mode: 0o600 });
  writeFileSync(files.logConfigPath, JSON.stringify(logConfig(input.logFile), null, 2));
  writeFileSync(files.configPath, JSON.stringify(homeserverConfig(input, files), null, 2));
  return files;
}
