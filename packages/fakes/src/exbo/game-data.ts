/**
 * What the EXBO fake's game API serves: STALCRAFT's regions and, per account, characters in the
 * shape `GET /{region}/characters` returns them.
 */
/** `GET /regions`, in the API's order. */
export const GAME_REGIONS = [
  { id: 'RU', name: 'RUSSIA' },
  { id: 'EU', name: 'EUROPE' },
  { id: 'NA', name: 'NORTH AMERICA' },
  { id: 'SEA', name: 'SOUTH EAST ASIA' },
  { id: 'NEA', name: 'NORTH EAST ASIA' },
] as const;

export type GameRegion = (typeof GAME_REGIONS)[number]['id'];

/** A character exactly as the API sends it. */
export interface ExboCharacterConfig {
  information: { id: string; name: string; creationTime: string };
  clan?: {
    info: {
      id: string;
      name: string;
      tag: string;
      level: number;
      levelPoints: number;
      registrationTime: string;
      alliance: string | null;
      description: string;
      leader: string;
      memberCount: number;
    };
    member: { name: string; rank: string; joinTime: string };
  };
}

/** Characters by EXBO user id, then by region; a region left out means none there. */
export type ExboCharactersConfig = Record<
  number,
  Partial<Record<GameRegion, ExboCharacterConfig[]>>
>;

/**
 * The game API's bucket sizes (points per window) and window; defaults as docs/protocols/exbo.md,
 * "Rate limits", describes.
 */
export interface ExboGameApiLimits {
  /** Points per window for an application (app token or Client-Id/Client-Secret). Default 400. */
  app?: number;
  /** Points per window for a user token. Default 50. */
  user?: number;
  /** Refill period in seconds. Default 60. */
  windowSeconds?: number;
}

export const DEFAULT_GAME_API_LIMITS: Required<ExboGameApiLimits> = Object.freeze({
  app: 400,
  user: 50,
  windowSeconds: 60,
});

/** The configured limits over the defaults, each a positive integer. */
export function gameApiLimits(limits: ExboGameApiLimits = {}): Required<ExboGameApiLimits> {
  const merged = {
    app: limits.app ?? DEFAULT_GAME_API_LIMITS.app,
    user: limits.user ?? DEFAULT_GAME_API_LIMITS.user,
    windowSeconds: limits.windowSeconds ?? DEFAULT_GAME_API_LIMITS.windowSeconds,
  };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`EXBO fake: gameApi.limits.${name} must be a positive integer`);
    }
  }
  return merged;
}

const DUTY_CLAN: NonNullable<ExboCharacterConfig['clan']>['info'] = {
  id: '647d6c53-b3d7-4d30-8d08-de874eb1d845',
  name: 'Долг',
  tag: 'DUTY',
  level: 12,
  levelPoints: 1_350_000,
  registrationTime: '2021-06-02T17:00:00Z',
  alliance: 'duty',
  description: 'Защищаем мир от Зоны.',
  leader: 'Генерал',
  memberCount: 48,
};

/**
 * Characters of the default users (`DEFAULT_EXBO_USERS`): `Test-1` has one in RU and one (in a clan) in EU;
 * `Сталкер` has a Cyrillic-named clan officer in RU; `SteamStalker` has none anywhere.
 */
export const DEFAULT_EXBO_CHARACTERS: ExboCharactersConfig = {
  90102: {
    RU: [
      {
        information: {
          id: '8c1e3a52-7f4d-4e0a-9b2c-1d2e3f4a5b6c',
          name: 'Test-1',
          creationTime: '2022-03-14T10:20:30Z',
        },
      },
    ],
    EU: [
      {
        information: {
          id: '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
          name: 'TestOne',
          creationTime: '2023-01-05T08:00:00Z',
        },
        clan: {
          info: { ...DUTY_CLAN, id: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', tag: 'DTY-EU' },
          member: { name: 'TestOne', rank: 'SOLDIER', joinTime: '2023-02-01T12:00:00Z' },
        },
      },
    ],
  },
  90103: {
    RU: [
      {
        information: {
          id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
          name: 'Сталкер',
          creationTime: '2021-07-01T19:45:00Z',
        },
        clan: {
          info: DUTY_CLAN,
          member: { name: 'Сталкер', rank: 'OFFICER', joinTime: '2021-08-10T09:30:00Z' },
        },
      },
    ],
  },
};
