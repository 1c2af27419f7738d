/**
 * Local fakes of EXBO's and SOA2's login servers, for development and tests.
 *
 * @module @exbo-soa2/fakes
 */
export * from '../../packages/fakes/src/index.js';
