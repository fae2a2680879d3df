/**
 * The IDs of the steps that sign other people's master keys. In a module of their own so the
 * popup's repair chunk can mark those steps without bundling the planners (and the catalogue of
 * sentences they say, src/core/words).
 */

/** The step of verify-user and reverify-users. */
export const SIGN_USERS_STEP_ID = 'sign-users';
/** The step a reset or a user-signing-key regeneration appends after its upload. */
export const KEEP_VERIFIED_STEP_ID = 'keep-verified';
