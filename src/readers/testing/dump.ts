/** Test-only: a page dump with defaults. */
import type { PageDump } from '../parse/types.ts';

export function dumpOf(storage: Record<string, string>, extra: Partial<PageDump> = {}): PageDump {
  return { v: 1, href: 'https://app.example/', secureContext: true, webCrypto: true, storage, element: null, flutter: [], notes: [], ...extra };
}
