/**
 * Beyond login: the STALCRAFT game API, application tokens and their stores, the regions and
 * access-token decoding.
 *
 * @module passport-exbo/game-api
 */
export * from '../../packages/passport-exbo/src/entries/game-api.js';
