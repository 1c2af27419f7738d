/**
 * Hands a promise's outcome to a Node-style callback, outside the promise chain.
 *
 * passport-oauth2 drives the login through callbacks. If a callback (and what Passport runs after
 * it: `req.login`, serializers) threw inside a `.then`, the throw would turn into a rejection that
 * nobody observes. Delivering on the next tick keeps callback semantics: a throw belongs to the
 * caller, exactly as with node-oauth's own callbacks.
 */
export function callbackify<T>(
  promise: Promise<T>,
  callback: (err: unknown, value?: T) => void,
): void {
  promise.then(
    (value) => process.nextTick(callback, null, value),
    (err: unknown) => process.nextTick(callback, err),
  );
}
