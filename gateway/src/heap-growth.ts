import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection
 * before it collects again. V8's own factor goes up to 4x when the process allocates fast
 * and collects fast, which is the gateway at hundreds of requests a second: about 50 MB
 * survive, and the old generation was let grow to about 200 MB before each full collection
 * (peak RSS 320 MB, against 210-280 MB when the same code served a tenth of the requests).
 * A fixed 1.5x keeps the peak near the live size plus half, whatever the request rate, at
 * the price of more frequent (mostly concurrent) marking. No hard cap: a cache that fills
 * grows the heap with it instead of ending the process as `--max-old-space-size` would.
 *
 * Set from the process's entry point at start (a per-process V8 setting, not a per-app one):
 * V8 reads it each time it sets the next collection's limit, so it applies from the first
 * full collection on, whatever command started the process (npm start, the image, the bench).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${Math.floor(percent)}`);
}
