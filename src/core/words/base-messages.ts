/** English of the core_ messages said in the area named in core-messages.ts (see there). */
export const BASE_MESSAGES = {
} as const satisfies Record<string, string>;
