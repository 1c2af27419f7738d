/**
 * STALCRAFT's game regions, written once for the game-API client, the strategy's character option
 * and their checks. The API takes the region as a path segment and ignores its case; we send it
 * upper-case so logs and caches see one spelling.
 */
import { PACKAGE_NAME } from './version.js';

/** STALCRAFT's region ids, upper-case (see docs/protocols/exbo.md). */
export const EXBO_REGIONS = ['RU', 'EU', 'NA', 'SEA', 'NEA'] as const;

/** A STALCRAFT region id, upper-case: one of {@link EXBO_REGIONS}. */
export type ExboRegion = (typeof EXBO_REGIONS)[number];

/** `'eu'` → `'EU'`; anything that is not a region → `undefined`. */
export function toRegion(value: unknown): ExboRegion | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return (EXBO_REGIONS as readonly string[]).includes(upper) ? (upper as ExboRegion) : undefined;
}

/** Like {@link toRegion}, but a wrong value is a programming error, reported before any request. */
export function requireRegion(value: unknown): ExboRegion {
  const region = toRegion(value);
  if (region === undefined) {
    throw new TypeError(
      `${PACKAGE_NAME}: unknown STALCRAFT region ${JSON.stringify(value)?.slice(0, 40)}; use one of ${EXBO_REGIONS.join(', ')}`,
    );
  }
  return region;
}
