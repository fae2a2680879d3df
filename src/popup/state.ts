import { signal } from '@preact/signals';
import type { SessionView } from '../ext/protocol.ts';

export const tabId = signal<number | undefined>(undefined);
export const session = signal<SessionView | null>(null);
export const loading = signal(true);
export const error = signal<string | null>(null);
