/**
 * What both strategies share: transport, errors, state store, verify adapter. Applications use it
 * through `passport-exbo` and `passport-soa2`, which re-export its errors.
 *
 * @module @exbo-soa2/core
 */
export * from '../../packages/core/src/index.js';
