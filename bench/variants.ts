/**
 * The login implementations compared, as data: the provider each talks to and the floor it is
 * measured against. Their code is in apps.ts, loaded only inside the app process.
 */
export type Provider = 'exbo' | 'soa2';

export interface VariantInfo {
  /** Shown in tables. */
  label: string;
  provider: Provider;
  /** The same two requests done by hand for this provider (the wires differ: bench/README.md). */
  floor: string;
}

export const VARIANTS = {
  'passport-exbo': { label: 'passport-exbo', provider: 'exbo', floor: 'floor-exbo' },
  'oauth2-exbo': {
    label: 'passport-oauth2 + hand-written EXBO',
    provider: 'exbo',
    floor: 'floor-exbo',
  },
  'floor-exbo': { label: 'floor: fetch by hand (EXBO)', provider: 'exbo', floor: 'floor-exbo' },
  'passport-soa2': { label: 'passport-soa2', provider: 'soa2', floor: 'floor-soa2' },
  'floor-soa2': { label: 'floor: fetch by hand (SOA2)', provider: 'soa2', floor: 'floor-soa2' },
} as const satisfies Record<string, VariantInfo>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

/** What an EXBO user would otherwise write: the throughput yardstick of the goal. */
export const ALTERNATIVE: VariantName = 'oauth2-exbo';
