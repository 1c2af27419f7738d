/**
 * Passport strategy for "Login with Scratch" through ScratchOAuth2 (SOA2), plus the SOA2 client.
 * `Strategy` is also the default export.
 *
 * @module passport-soa2
 */
export * from '../../packages/passport-soa2/src/index.js';
