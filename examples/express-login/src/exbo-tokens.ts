/**
 * The signed-in user's EXBO tokens, kept in the database (the `exbo_tokens` table) and refreshed
 * before they expire, for calls to the STALCRAFT API on the user's behalf (the characters page).
 *
 * EXBO rotates the pair on every refresh: the answer carries a new refresh token and the old access
 * and refresh tokens stop working (docs/protocols/exbo.md, "Refresh"). So a pair must be refreshed
 * exactly once, even when several instances of the app (or several requests of one user) find it
 * expiring at the same moment; a second refresh with the old refresh token would be refused, and
 * whoever stored that answer last would lose the pair. ExboClient already shares one refresh per
 * refresh token inside a process; across processes the database decides:
 *
 * 1. An instance that needs a refresh claims it with one conditional UPDATE: it sets
 *    `refresh_claimed_until` only if nobody holds a live claim and the row still has the refresh
 *    token it read. The database lets exactly one such UPDATE change the row.
 * 2. The winner refreshes, stores the new pair and clears the claim in one UPDATE.
 * 3. The others wait for the claim to clear (polling the row, bounded), then use the new pair.
 * 4. A claim expires by itself after {@link CLAIM_MS}, so a winner that crashed blocks nobody long.
 *
 * A failed refresh never throws a working pair away. Only EXBO refusing the refresh token itself
 * (`REFRESH_REJECTED`: revoked, or already used) marks the pair as rejected; the user then links
 * EXBO again. A timeout, a 5xx or a network error only clears the claim: the old access token is
 * used while it is still valid, and the next request tries the refresh again.
 */
import { isOAuthError } from 'passport-exbo';
import { type Database, first } from './database.js';
import type { ExboLoginTokens } from './user.js';

/** What refreshes a pair: the EXBO strategy's `client` (an ExboClient) has this method. */
export interface ExboRefresher {
  refresh(refreshToken: string): Promise<{
    access_token: string;
    refresh_token?: string;
    expires_in: number;
  }>;
}

/** Refresh when the access token expires within this many milliseconds. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/**
 * How long a claim to refresh lasts: longer than the refresh request may take (ExboClient's
 * default timeout is 10 s), so a live refresh is never claimed twice.
 */
export const CLAIM_MS = 15_000;
const POLL_MS = 50;

export type ExboTokenProblemKind =
  /** No EXBO tokens for this user (no EXBO account linked, or unlinked). */
  | 'none'
  /** EXBO refused the refresh token: the user must log in with EXBO again. */
  | 'rejected'
  /** The refresh failed for now (EXBO down, slow, 5xx) and the old access token has expired. */
  | 'unavailable';

export class ExboTokenProblem extends Error {
  constructor(
    readonly kind: ExboTokenProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'ExboTokenProblem';
  }
}

interface TokenRow {
  access_token: string;
  refresh_token: string;
  expires_at: number | string;
  refresh_claimed_until: number | string | null;
  rejected: number;
}

export interface StoredExboTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** A refresh is claimed (in progress somewhere) until then. */
  claimedUntil: number | undefined;
  rejected: boolean;
}

export interface ExboTokensOptions {
  /** Default {@link REFRESH_MARGIN_MS}. */
  refreshMarginMs?: number;
  /** Default {@link CLAIM_MS}. */
  claimMs?: number;
  /** Where refresh failures are logged; default console.error. */
  log?: (line: string) => void;
}

export class ExboTokens {
  readonly #db: Database;
  readonly #refresher: ExboRefresher;
  readonly #marginMs: number;
  readonly #claimMs: number;
  readonly #log: (line: string) => void;

  constructor(db: Database, refresher: ExboRefresher, options: ExboTokensOptions = {}) {
    this.#db = db;
    this.#refresher = refresher;
    this.#marginMs = options.refreshMarginMs ?? REFRESH_MARGIN_MS;
    this.#claimMs = options.claimMs ?? CLAIM_MS;
    this.#log = options.log ?? console.error;
  }

  /** Stores the pair a login (or link) with EXBO just received, replacing any older one. */
  async save(userId: number, tokens: ExboLoginTokens): Promise<void> {
    const now = Date.now();
    const expiresAt = now + tokens.expiresIn * 1000;
    await this.#db.run(
      `INSERT INTO exbo_tokens (user_id, access_token, refresh_token, expires_at, refresh_claimed_until, rejected, updated_at)
       VALUES (?, ?, ?, ?, NULL, 0, ?)
       ON CONFLICT (user_id) DO UPDATE SET access_token = excluded.access_token,
         refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,
         refresh_claimed_until = NULL, rejected = 0, updated_at = excluded.updated_at`,
      [userId, tokens.accessToken, tokens.refreshToken, expiresAt, now],
    );
  }

  /** The stored pair, as it is now. */
  async read(userId: number): Promise<StoredExboTokens | undefined> {
    const row = await first<TokenRow>(
      this.#db,
      'SELECT access_token, refresh_token, expires_at, refresh_claimed_until, rejected FROM exbo_tokens WHERE user_id = ?',
      [userId],
    );
    if (!row) return undefined;
    return {
      accessToken: row.access_token,
      refreshToken: row.refresh_token,
      // PostgreSQL returns BIGINT as a string.
      expiresAt: Number(row.expires_at),
      claimedUntil:
        row.refresh_claimed_until === null ? undefined : Number(row.refresh_claimed_until),
      rejected: row.rejected === 1,
    };
  }

  /**
   * An access token for `userId` that is valid for at least the refresh margin, refreshing the pair
   * first when needed (once across every instance). Throws {@link ExboTokenProblem}.
   */
  async validAccessToken(userId: number): Promise<string> {
    const deadline = Date.now() + this.#claimMs + 1000;
    let tokens = await this.#readUsable(userId);
    while (tokens.expiresAt - Date.now() <= this.#marginMs) {
      if (await this.#claim(userId, tokens.refreshToken)) return this.#refresh(userId, tokens);
      // Someone else is refreshing this pair: wait until the row changes or the claim ends.
      const before = tokens;
      tokens = await this.#waitForRefresh(userId, before, deadline);
      if (tokens.refreshToken === before.refreshToken) {
        // Their refresh failed (the claim was cleared, the pair kept) or took too long.
        return this.#stillValid(tokens);
      }
    }
    return tokens.accessToken;
  }

  async #readUsable(userId: number): Promise<StoredExboTokens> {
    const tokens = await this.read(userId);
    if (!tokens) throw new ExboTokenProblem('none', 'No EXBO tokens are stored for this user.');
    if (tokens.rejected) {
      throw new ExboTokenProblem(
        'rejected',
        'EXBO no longer accepts the stored tokens (revoked or replaced): log in with EXBO again.',
      );
    }
    return tokens;
  }

  /** One conditional UPDATE: true for exactly one of the instances that ask at the same time. */
  async #claim(userId: number, refreshToken: string): Promise<boolean> {
    const now = Date.now();
    const { changes } = await this.#db.run(
      `UPDATE exbo_tokens SET refresh_claimed_until = ?
       WHERE user_id = ? AND refresh_token = ? AND rejected = 0
       AND (refresh_claimed_until IS NULL OR refresh_claimed_until < ?)`,
      [now + this.#claimMs, userId, refreshToken, now],
    );
    return changes === 1;
  }

  /** The winner's part: refresh, then store the new pair (or keep the old one) and drop the claim. */
  async #refresh(userId: number, old: StoredExboTokens): Promise<string> {
    let answer: Awaited<ReturnType<ExboRefresher['refresh']>>;
    try {
      answer = await this.#refresher.refresh(old.refreshToken);
    } catch (err) {
      const rejected = isOAuthError(err) && err.code === 'REFRESH_REJECTED';
      await this.#db.run(
        `UPDATE exbo_tokens SET refresh_claimed_until = NULL, rejected = ?
         WHERE user_id = ? AND refresh_token = ?`,
        [rejected ? 1 : 0, userId, old.refreshToken],
      );
      const code = isOAuthError(err) ? err.code : 'UNEXPECTED';
      this.#log(
        `EXBO token refresh for user ${userId} failed (${code}): ${(err as Error).message}${rejected ? '' : '; the stored pair is kept'}`,
      );
      if (rejected) {
        throw new ExboTokenProblem(
          'rejected',
          'EXBO refused to refresh the stored tokens (revoked or replaced): log in with EXBO again.',
        );
      }
      return this.#stillValid(old);
    }
    const now = Date.now();
    await this.#db.run(
      `UPDATE exbo_tokens SET access_token = ?, refresh_token = ?, expires_at = ?,
         refresh_claimed_until = NULL, updated_at = ?
       WHERE user_id = ? AND refresh_token = ?`,
      [
        answer.access_token,
        // EXBO always rotates; should an answer ever lack a refresh token, the old one stays.
        answer.refresh_token ?? old.refreshToken,
        now + answer.expires_in * 1000,
        now,
        userId,
        old.refreshToken,
      ],
    );
    return answer.access_token;
  }

  /** Polls the row until the pair changed or the claim is gone (or `deadline` passed). */
  async #waitForRefresh(
    userId: number,
    before: StoredExboTokens,
    deadline: number,
  ): Promise<StoredExboTokens> {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const now = await this.#readUsable(userId);
      if (now.refreshToken !== before.refreshToken) return now;
      const claimed = now.claimedUntil !== undefined && now.claimedUntil > Date.now();
      if (!claimed || Date.now() > deadline) return now;
    }
  }

  /** After a failed refresh: the old access token while it is valid, else a clear problem. */
  #stillValid(tokens: StoredExboTokens): string {
    if (tokens.expiresAt > Date.now()) return tokens.accessToken;
    throw new ExboTokenProblem(
      'unavailable',
      'Your EXBO access has expired and EXBO could not be reached to renew it. Please try again in a moment.',
    );
  }
}
