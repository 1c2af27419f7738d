/**
 * Passport strategy for "Login with EXBO" (STALCRAFT / STALZONE accounts), and the EXBO client.
 * `require('passport-exbo')` is the Strategy (with these names as its properties); with `import`,
 * `Strategy` is also the default export.
 *
 * @module passport-exbo
 */
export * from '../../packages/passport-exbo/src/entries/root.js';
