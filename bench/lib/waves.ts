/**
 * Request waves: sequential round trips. Requests whose [start, end] intervals overlap (directly
 * or through a chain of overlapping requests) form one wave; a request that starts only after
 * every earlier request has ended begins a new one.
 */

export type Interval = { start: number; end: number; label?: string };

export type WaveCount = { waves: number; requests: number; perWave: string[][] };

export function countWaves(intervals: readonly Interval[]): WaveCount {
  const sorted = [...intervals].sort((a, b) => a.start - b.start || a.end - b.end);
  const perWave: string[][] = [];
  let waveEnd = Number.NEGATIVE_INFINITY;
  for (const r of sorted) {
    if (r.start >= waveEnd) perWave.push([]); // everything before has ended: a new round trip
    perWave[perWave.length - 1]!.push(r.label ?? '');
    waveEnd = Math.max(waveEnd, r.end);
  }
  return { waves: perWave.length, requests: sorted.length, perWave };
}
