/**
 * The strategy's `characters` option: the signed-in user's STALCRAFT characters for chosen regions,
 * attached to the profile at login — what clan sites and statistics services need first.
 *
 * It is an extra, so it never costs the user the login: the regions are requested in parallel
 * (alongside the profile), and a region that fails (rate limit, timeout, API down) is reported in
 * `profile.characterErrors` instead of being thrown. Everything that can be prepared once (regions
 * checked, game-API client and transport built) is done when the strategy is constructed.
 */
import {
  type ConnectionOptions,
  connectionOptions,
  OAuthError,
  redactSecrets,
} from '@exbo-soa2/core';
import type { ExboCharacter } from './characters.js';
import { ExboGameApi } from './game-api.js';
import type { ExboProfile } from './profile.js';
import { type ExboRegion, requireRegion } from './regions.js';
import { PACKAGE_NAME } from './version.js';

/** The strategy's `characters` option: which regions' characters to attach to the profile. */
export interface ExboCharactersOption {
  /** Regions to load, e.g. `['RU', 'EU']` (`EXBO_REGIONS`, case-insensitive; checked at construction). */
  regions: readonly string[];
  /** Game API base URL. Default `https://eapi.stalcraft.net`. */
  gameApiURL?: string | undefined;
  /**
   * Milliseconds per character request. Default: the strategy's `timeout`. A shorter one bounds how
   * long a slow game API can delay the login.
   */
  timeout?: number | undefined;
}

/** Why one region's characters are missing; plain data, safe to keep in a session. */
export interface ExboCharacterError {
  /** An `OAuthError` code (`RATE_LIMITED`, `PROVIDER_TIMEOUT`, …) or `'UNEXPECTED'`. */
  code: string;
  message: string;
  /** Seconds, for `RATE_LIMITED`. */
  retryAfter?: number;
}

/** What the option adds to the profile. */
export interface ExboProfileCharacters {
  /** Characters by region, for each region that loaded (an empty array: none there). */
  characters: Partial<Record<ExboRegion, ExboCharacter[]>>;
  /** Present only when some region failed: why, by region. */
  characterErrors?: Partial<Record<ExboRegion, ExboCharacterError>>;
}

/** The profile verify receives when the `characters` option is set. */
export type ExboProfileWithCharacters = ExboProfile & ExboProfileCharacters;

/** Loads the characters for one login; never rejects. */
export type CharacterLoader = (userToken: string) => Promise<ExboProfileCharacters>;

/** Checks the option and prepares the loader (once, at strategy construction). */
export function characterLoader(
  option: ExboCharactersOption,
  transport: ConnectionOptions,
): CharacterLoader {
  if (!option || typeof option !== 'object' || !Array.isArray(option.regions)) {
    throw new TypeError(`${PACKAGE_NAME}: the characters option needs { regions: [...] }`);
  }
  const regions = [...new Set(option.regions.map(requireRegion))];
  if (regions.length === 0) {
    throw new TypeError(`${PACKAGE_NAME}: the characters option needs at least one region`);
  }
  // The strategy's connection options (all of them, whatever they are), with the option's timeout.
  const connection = connectionOptions(PACKAGE_NAME, transport);
  const api = new ExboGameApi({
    ...connection,
    baseURL: option.gameApiURL,
    timeout: option.timeout ?? connection.timeout,
  });
  return async (userToken) => {
    const results = await Promise.allSettled(
      regions.map((region) => api.characters(region, userToken)),
    );
    const loaded: ExboProfileCharacters = { characters: {} };
    results.forEach((result, index) => {
      const region = regions[index] as ExboRegion;
      if (result.status === 'fulfilled') {
        loaded.characters[region] = result.value;
      } else {
        loaded.characterErrors ??= {};
        loaded.characterErrors[region] = describe(result.reason, userToken);
      }
    });
    return loaded;
  };
}

function describe(err: unknown, userToken: string): ExboCharacterError {
  if (err instanceof OAuthError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.retryAfter !== undefined && { retryAfter: err.retryAfter }),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'UNEXPECTED',
    message: redactSecrets(`Loading the characters failed: ${message}`, [userToken]),
  };
}
