/**
 * What passport-exbo needs to send a request to EXBO and read its answer: the transport (senders,
 * deadline, redaction, proxy), the token and profile readers and the error mapping. `ExboClient`
 * requires this module on its first request (client.ts), so `require('passport-exbo')` and
 * `new Strategy()` do not compile it: about half the root's code, which an app's start-up then
 * does not pay for (issue 25's load-time goal, bench/README.md, "Where passport-exbo's added
 * require() time goes"). Published as its own bundle, dist/requests.js (scripts/bundle-entries.mjs).
 */
export { PURPOSE } from './errors.js';
export { readProfileAnswer } from './profile.js';
export { readTokenAnswer } from './token-answer.js';
export { exboTransport } from './transport.js';
