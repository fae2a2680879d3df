/**
 * The English of every sentence the core and the background say to a person (see say.ts), one
 * file an area. Each id starts with `core_` and is also in `public/_locales/<lang>/messages.json`
 * for every language, English there word for word as here (core-messages.test.ts holds the two
 * together), so the popup can say it again in the UI language. `$1…$9` are data (IDs, keys,
 * counts, paths) or another said sentence; a counted message is an `_one` / `_other` pair with
 * the count as $1.
 */
import { APP_MESSAGES } from './app-messages.ts';
import { BASE_MESSAGES } from './base-messages.ts';
import { ENGINE_MESSAGES } from './engine-messages.ts';
import { INSPECT_MESSAGES } from './inspect-messages.ts';
import { MATRIX_MESSAGES } from './matrix-messages.ts';
import { PLAN_MESSAGES } from './plan-messages.ts';
import { RECOVERY_PLAN_MESSAGES } from './recovery-plan-messages.ts';

// Built in a pure function: esbuild keeps an object with spreads in any bundle that reaches this
// module, even where no say() is left after tree-shaking (the popup's repair chunk).
export const CORE_MESSAGES = /* @__PURE__ */ (() => ({
  // src/core/repair/plan-devices.ts
  core_plan_sign_devices: 'Cross-sign your sessions',
  core_step_sign_devices: 'Cross-sign $1',
  core_note_sign_only_recognised: 'Only sign sessions you recognise: a signed session is trusted by everyone who verified you.',
  // Each area's file: whoever says its sentences.
  ...RECOVERY_PLAN_MESSAGES, // src/core/repair/plan-recovery*.ts, plan-backup.ts, plan-users.ts
  ...PLAN_MESSAGES, // src/core/repair/build-plans.ts, plan-reset.ts, plan-secret-storage.ts, plan-new-keys.ts, plan-manual.ts, plan-upload-seeds.ts
  ...ENGINE_MESSAGES, // the rest of src/core/repair: UIA, exports, key shapes, signing, execution
  ...APP_MESSAGES, // src/core/app
  ...BASE_MESSAGES, // src/core/*.ts (encodings, recovery key, schema, secret storage), src/background, src/readers/parse
  ...INSPECT_MESSAGES, // src/core/inspect, src/core/users
  ...MATRIX_MESSAGES, // src/core/matrix, src/readers/parse
}) as const satisfies Record<string, string>)();

export type CoreMessageId = keyof typeof CORE_MESSAGES;
