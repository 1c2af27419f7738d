/** What the SOA2 fake's endpoint handlers share: one instance per running fake. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationOwners } from './application-owners.js';
import type { ClientRegistry } from './clients.js';
import type { AuthorizationCodes } from './codes.js';
import type { LoginSessions } from './login-sessions.js';
import type { ProfileComments } from './profile-comments.js';
import type { TokenStore } from './tokens.js';
import type { UserDirectory } from './users.js';

export interface Soa2Context {
  clients: ClientRegistry;
  users: UserDirectory;
  codes: AuthorizationCodes;
  tokens: TokenStore;
  /** Login sessions of the account API (cookie `soa2fake_session`). */
  sessions: LoginSessions;
  /** Comments on the users' Scratch profiles, where the account login text is posted. */
  comments: ProfileComments;
  /** Who registered which application through the account API. */
  owners: ApplicationOwners;
  /**
   * Codes are redeemable only by the client they were issued to (docs/protocols/soa2.md, "Server
   * quirks").
   */
  strict: boolean;
  /** The fake's clock, in Unix seconds (SOA2's unit for every expiry). */
  nowSeconds(): number;
  /** The fake's own base URL (known once it listens). */
  baseUrl(): string;
}

/** One endpoint: the body has already been read (and recorded). */
export type EndpointHandler = (
  ctx: Soa2Context,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
) => void | Promise<void>;
