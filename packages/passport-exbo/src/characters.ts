/**
 * A user's STALCRAFT characters as `GET /{region}/characters` returns them (user token only; the
 * token owner's characters in that region), typed and checked once here.
 */

export interface ExboCharacterInformation {
  id: string;
  name: string;
  /** ISO 8601 date-time. */
  creationTime: string;
  [key: string]: unknown;
}

/** A clan as the game API describes it (`clan.info` of a character); unknown fields are kept. */
export interface ExboClanInfo {
  id: string;
  name: string;
  tag: string;
  level: number;
  levelPoints: number;
  registrationTime: string;
  alliance?: string | null;
  description: string;
  leader: string;
  memberCount: number;
  [key: string]: unknown;
}

/** A character's membership in its clan (`clan.member`): rank and join date. */
export interface ExboClanMember {
  name: string;
  /** `RECRUIT`, `COMMONER`, `SOLDIER`, `SERGEANT`, `OFFICER`, `COLONEL` or `LEADER`. */
  rank: string;
  joinTime: string;
  [key: string]: unknown;
}

/** One entry of `GET /{region}/characters`: the character and, if any, its clan. */
export interface ExboCharacter {
  information: ExboCharacterInformation;
  /** Absent when the character is in no clan. */
  clan?: { info: ExboClanInfo; member: ExboClanMember };
  [key: string]: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether a `/characters` body has the documented shape: an array of `{information: {id, name}}`
 * (the rest is passed through as sent, so new fields reach the caller).
 */
export function isCharacterList(value: unknown): value is ExboCharacter[] {
  return (
    Array.isArray(value) &&
    value.every(
      (character) =>
        isObject(character) &&
        isObject(character.information) &&
        typeof character.information.id === 'string' &&
        typeof character.information.name === 'string' &&
        (character.clan === undefined || character.clan === null || isObject(character.clan)),
    )
  );
}
