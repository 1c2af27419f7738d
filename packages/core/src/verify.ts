/**
 * Calls the application's verify function in any of the forms Passport users write, and turns its
 * outcome into exactly one of error / fail / success.
 *
 * passport-oauth2 only catches a synchronous throw: an `async` verify that rejects becomes an
 * unhandled rejection and the request never ends. Here a returned promise is followed too.
 *
 * Which arguments a verify receives is passport-oauth2's convention, by declared parameter count, for
 * callback and async functions alike (`async (accessToken, refreshToken, profile, done)` is common
 * in the wild and must keep working):
 * - `(accessToken, refreshToken, params, profile, done)` when it declares 5 or more parameters;
 * - `(accessToken, refreshToken, profile, done)` otherwise, which is also what wrappers with no fixed
 *   arity (NestJS's `PassportStrategy`, `(...args) => ...`) receive;
 * - with `passReqToCallback`, `req` comes first and each count above grows by one.
 */

/** `done` as Passport defines it. */
export type VerifyCallback = (err?: unknown, user?: unknown, info?: unknown) => void;

/*
 * The verify function types of both strategies, one family with the provider's profile, token
 * params and request as parameters. Each strategy declares one constructor overload per form, the
 * usual one first, so TypeScript infers the parameters of an unannotated inline arrow (a union
 * would leave them implicitly `any`). The `{ verify(...) }['verify']` wrapper makes the parameters
 * bivariant, as methods are: an app may annotate `req` with its framework's own request type
 * (Express's `Request`) where the strategy promises an `IncomingMessage` merged with the global
 * `Express.Request` (app-request.ts), which is what an unannotated `req` gets.
 */

/** `(accessToken, refreshToken, profile, done)`: the usual form (callback or async). */
export type VerifyWithProfile<Profile> = {
  /** The verify function itself. */
  verify(
    accessToken: string,
    refreshToken: string,
    profile: Profile,
    done: VerifyCallback,
  ): unknown;
}['verify'];

/** `(accessToken, refreshToken, params, profile, done)`: also receives the token response's params. */
export type VerifyWithParams<Profile, Params> = {
  /** The verify function itself. */
  verify(
    accessToken: string,
    refreshToken: string,
    params: Params,
    profile: Profile,
    done: VerifyCallback,
  ): unknown;
}['verify'];

/** {@link VerifyWithProfile} with the request first (`passReqToCallback: true`). */
export type VerifyWithProfileAndRequest<Request, Profile> = {
  /** The verify function itself. */
  verify(
    req: Request,
    accessToken: string,
    refreshToken: string,
    profile: Profile,
    done: VerifyCallback,
  ): unknown;
}['verify'];

/** {@link VerifyWithParams} with the request first (`passReqToCallback: true`). */
export type VerifyWithParamsAndRequest<Request, Profile, Params> = {
  /** The verify function itself. */
  verify(
    req: Request,
    accessToken: string,
    refreshToken: string,
    params: Params,
    profile: Profile,
    done: VerifyCallback,
  ): unknown;
}['verify'];

/** Any verify form without the request (which one is decided by its parameter count). */
export type VerifyFunction<Profile, Params> =
  | VerifyWithProfile<Profile>
  | VerifyWithParams<Profile, Params>;

/** Any verify form with the request first. */
export type VerifyFunctionWithRequest<Request, Profile, Params> =
  | VerifyWithProfileAndRequest<Request, Profile>
  | VerifyWithParamsAndRequest<Request, Profile, Params>;

/** What a verify function may be given (which of these it receives depends on its arity). */
export interface VerifyArguments<Profile, Params> {
  accessToken: string;
  refreshToken: string | undefined;
  params: Params;
  profile: Profile;
}

/** The single outcome of a verify call. */
export interface VerifyOutcome {
  /** `done(err)`, a throw or a rejection: usually Passport's `this.error`. */
  error(err: unknown): void;
  /** `done(null, false, info)`: usually Passport's `this.fail`. */
  fail(info: unknown): void;
  /** `done(null, user, info)` or a resolved user: usually Passport's `this.success`. */
  success(user: unknown, info: unknown): void;
}

// biome-ignore lint/complexity/noBannedTypes: verify functions come in many shapes; see above.
type AnyFunction = Function;

/** Whether `verify` wants the token response `params` before the profile. */
export function wantsParams(verify: AnyFunction, passReqToCallback: boolean): boolean {
  return verify.length >= (passReqToCallback ? 6 : 5);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Calls `verify` and reports one outcome. The first of `done(...)`, a resolved value or a rejection
 * wins; later ones are ignored. A promise that resolves to `undefined` leaves the outcome to `done`
 * (an `async` function may hand `done` to a callback API without awaiting it).
 */
export function invokeVerify<Profile, Params>(
  verify: AnyFunction,
  passReqToCallback: boolean,
  req: unknown,
  args: VerifyArguments<Profile, Params>,
  outcome: VerifyOutcome,
): void {
  let settled = false;
  const done: VerifyCallback = (err, user, info) => {
    if (settled) return;
    settled = true;
    if (err) outcome.error(err);
    else if (!user) outcome.fail(info);
    else outcome.success(user, info);
  };

  const tokenArgs: unknown[] = wantsParams(verify, passReqToCallback)
    ? [args.accessToken, args.refreshToken, args.params, args.profile, done]
    : [args.accessToken, args.refreshToken, args.profile, done];
  if (passReqToCallback) tokenArgs.unshift(req);

  let returned: unknown;
  try {
    returned = verify(...tokenArgs);
  } catch (err) {
    done(err ?? new Error('verify threw a falsy value'));
    return;
  }
  if (!isThenable(returned)) return;
  returned.then(
    (user) => {
      if (user !== undefined) done(null, user);
    },
    (err: unknown) => done(err ?? new Error('verify rejected with a falsy value')),
  );
}
