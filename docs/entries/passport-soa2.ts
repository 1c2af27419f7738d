/**
 * Passport strategy for "Login with Scratch" through ScratchOAuth2 (SOA2), and the SOA2 client.
 * `require('passport-soa2')` is the Strategy (with these names as its properties); with `import`,
 * `Strategy` is also the default export.
 *
 * @module passport-soa2
 */
export * from '../../packages/passport-soa2/src/entries/root.js';
