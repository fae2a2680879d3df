import { error, errorCode } from '../state.ts';

/** The one error banner; `data-code` tells the kinds apart (not-matrix, unreadable-page, …). */
export function SessionError() {
  if (!error.value) return null;
  return (
    <p class="error" role="alert" data-testid="error" data-code={errorCode.value ?? 'error'}>
      {error.value}
    </p>
  );
}
