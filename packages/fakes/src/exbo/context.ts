/** What the EXBO fake's endpoint handlers share: one instance per running fake. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientRegistry } from './clients.js';
import type { ConsentRequests } from './consent-requests.js';
import type { TokenStore } from './tokens.js';
import type { UserDirectory } from './users.js';

export interface ExboContext {
  clients: ClientRegistry;
  users: UserDirectory;
  tokens: TokenStore;
  consents: ConsentRequests;
  /** The fake's own base URL (known once it listens). */
  baseUrl(): string;
}

/** One endpoint: the body has already been read (and recorded). */
export type EndpointHandler = (
  ctx: ExboContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
) => void | Promise<void>;
