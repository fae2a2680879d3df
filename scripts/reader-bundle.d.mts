export const READER_ENTRIES: Record<string, string>;
export function bundleReader(entry: string, opts?: { root?: string; minify?: boolean }): Promise<string>;
