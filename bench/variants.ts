/**
 * The login implementations compared, as data: which provider each talks to, which floor it is
 * measured against, and which npm package it costs an app (for import time and footprint). The
 * code of each lives in apps.ts, loaded only inside the app process.
 */

export type Provider = 'exbo' | 'soa2';

export const VARIANT_NAMES = [
  'passport-exbo',
  'oauth2-exbo',
  'floor-exbo',
  'http-floor-exbo',
  'passport-soa2',
  'floor-soa2',
] as const;

export type VariantName = (typeof VARIANT_NAMES)[number];

export interface VariantInfo {
  name: VariantName;
  /** Shown in tables. */
  label: string;
  provider: Provider;
  /**
   * The floor of the same provider: the same two requests done by hand. Each provider gets its own
   * because the wire differs (EXBO: form POST, ~1 KB JWT; SOA2: JSON POST, base64 bearer).
   */
  floor: VariantName;
  /** The npm package an app installs for it; `undefined` for the hand-written floor. */
  packageName: string | undefined;
}

export const VARIANTS: Record<VariantName, VariantInfo> = {
  'passport-exbo': {
    name: 'passport-exbo',
    label: 'passport-exbo',
    provider: 'exbo',
    floor: 'floor-exbo',
    packageName: 'passport-exbo',
  },
  'oauth2-exbo': {
    name: 'oauth2-exbo',
    label: 'passport-oauth2 + hand-written EXBO',
    provider: 'exbo',
    floor: 'floor-exbo',
    packageName: 'passport-oauth2',
  },
  'floor-exbo': {
    name: 'floor-exbo',
    label: 'floor: fetch by hand (EXBO)',
    provider: 'exbo',
    floor: 'floor-exbo',
    packageName: undefined,
  },
  'http-floor-exbo': {
    name: 'http-floor-exbo',
    label: 'reference: node:http by hand (EXBO)',
    provider: 'exbo',
    floor: 'floor-exbo',
    packageName: undefined,
  },
  'passport-soa2': {
    name: 'passport-soa2',
    label: 'passport-soa2',
    provider: 'soa2',
    floor: 'floor-soa2',
    packageName: 'passport-soa2',
  },
  'floor-soa2': {
    name: 'floor-soa2',
    label: 'floor: fetch by hand (SOA2)',
    provider: 'soa2',
    floor: 'floor-soa2',
    packageName: undefined,
  },
};

/** The alternative an EXBO user would otherwise write: the throughput yardstick of the goal. */
export const ALTERNATIVE: VariantName = 'oauth2-exbo';

/** Packages whose import time and footprint are reported; passport-github2 is the reference. */
export const FOOTPRINT_PACKAGES = [
  'passport-exbo',
  'passport-soa2',
  'passport-oauth2',
  'passport-github2',
] as const;
