/**
 * Passport strategy for "Login with EXBO" (STALCRAFT / STALZONE accounts), plus the EXBO client,
 * application tokens and the game API. `Strategy` is also the default export.
 *
 * @module passport-exbo
 */
export * from '../../packages/passport-exbo/src/index.js';
