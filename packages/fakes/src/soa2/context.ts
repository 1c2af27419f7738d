/** What the SOA2 fake's endpoint handlers share: one instance per running fake. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientRegistry } from './clients.js';
import type { AuthorizationCodes } from './codes.js';
import type { TokenStore } from './tokens.js';
import type { UserDirectory } from './users.js';

export interface Soa2Context {
  clients: ClientRegistry;
  users: UserDirectory;
  codes: AuthorizationCodes;
  tokens: TokenStore;
  /** Codes are redeemable only by the client they were issued to (soa2.md §8). */
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
