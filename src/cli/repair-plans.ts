/** The repair planning logic lives in the core, shared with the extension's background. */
export * from '../core/repair/build-plans.ts';
