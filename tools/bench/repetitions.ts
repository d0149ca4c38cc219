/**
 * The insert baseline and the end-to-end throughput each move by about a fifth between runs on a
 * shared two-core machine. The benchmark therefore takes them in pairs, one right after the other,
 * and reports the pair whose ratio is the median, beside every pair.
 */

/** One insert baseline and the end-to-end run taken right after it. */
export interface PairedRun {
  insertRowsPerSecond: number;
  endToEndEventsPerSecond: number;
}

/** Returns the pair's end-to-end events per second over its insert rows per second, to two decimals. */
export function pairRatio(pair: PairedRun): number {
  if (!(pair.insertRowsPerSecond > 0)) throw new Error(`insert baseline must be a positive rate, got ${pair.insertRowsPerSecond}`);
  return Math.round((pair.endToEndEventsPerSecond / pair.insertRowsPerSecond) * 100) / 100;
}

/**
 * Returns the index of the pair whose ratio is the median. With an even number of pairs it is the lower of
 * the two middle ones, so the reported figure never rounds in the product's favour.
 */
export function medianPairIndex(pairs: readonly PairedRun[]): number {
  if (pairs.length === 0) throw new Error('no paired runs to choose from');
  const byRatio = pairs.map((pair, index) => ({ index, ratio: pairRatio(pair) })).sort((a, b) => a.ratio - b.ratio || a.index - b.index);
  return byRatio[Math.floor((byRatio.length - 1) / 2)].index;
}
