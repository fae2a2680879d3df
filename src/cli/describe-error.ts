/**
 * The one line a CLI command prints for a failed request: a refused token says to get a fresh
 * one, other refusals and connection failures say what the server or the network said.
 */
import { ConnectionError, MatrixApiError, UiaRequiredError } from '../core/index.ts';

/** @returns The line, or undefined for an error that is not about the homeserver (a bug: rethrow). */
export function describeError(error: unknown): string | undefined {
  if (error instanceof MatrixApiError) {
    if (error.status === 401) return `the homeserver refused the access token (${error.errcode}); get a fresh one`;
    return `the homeserver refused: ${error.message}`;
  }
  if (error instanceof ConnectionError || error instanceof UiaRequiredError) return error.message;
  return undefined;
}
