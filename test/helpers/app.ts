/**
 * A real Express 5 app with express-session and Passport 0.7 around the strategies under test,
 * plus a recorder that checks Passport's rule: exactly one of success / fail / error / redirect /
 * pass per authenticate call.
 */
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { type AuthenticateOptions, Passport, type Strategy } from 'passport';
import { listen, type RunningServer } from './server.js';

const ACTIONS = ['success', 'fail', 'error', 'redirect', 'pass'] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionRecord {
  strategy: string;
  actions: ActionName[];
  /** Arguments of the last action, for inspection (fail info, error object, redirect URL). */
  last?: unknown[];
}

export interface TestApp extends RunningServer {
  /** One entry per authenticate call, in order. */
  records: ActionRecord[];
  /** Errors that reached Express's error handler. */
  errors: unknown[];
  /**
   * Waits a little for late actions, then asserts every authenticate call ended in exactly one
   * action. Returns the records for further checks.
   */
  assertOneActionEach(): Promise<ActionRecord[]>;
}

export interface TestAppOptions {
  /** Strategies to register, under their own `name`. */
  strategies: Strategy[];
  /** Extra options for `passport.authenticate` on the login route, per strategy name. */
  loginOptions?: Record<string, object>;
  /** Runs with `passReqToCallback`-style access before routes, e.g. to disable sessions. */
  withoutSession?: boolean;
}

/** Wraps `strategy.authenticate` so each call's actions are recorded. */
function recordActions(strategy: Strategy, records: ActionRecord[]): void {
  const original = strategy.authenticate as (this: unknown, req: unknown, options: unknown) => void;
  strategy.authenticate = function recorded(this: Record<string, unknown>, req, options) {
    const record: ActionRecord = { strategy: strategy.name ?? '?', actions: [] };
    records.push(record);
    for (const action of ACTIONS) {
      const fn = this[action];
      if (typeof fn !== 'function') continue;
      this[action] = (...args: unknown[]) => {
        record.actions.push(action);
        record.last = args;
        return fn.apply(this, args);
      };
    }
    return original.call(this, req, options);
  };
}

/**
 * Starts the app. Routes:
 * - `GET /login/:name` starts a login (`?returnTo=/x` is carried as app state);
 * - `GET|POST /callback/:name` finishes it (POST accepts a pasted code form);
 * - `GET /me` → `{ user, authInfo, sessionID }` or 401;
 * - `GET /failed` → `{ messages }` (Passport's failure messages);
 * - errors → `{ error: { name, code, message, status } }` with the error's status.
 */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const passport = new Passport();
  const records: ActionRecord[] = [];
  const errors: unknown[] = [];
  for (const strategy of options.strategies) {
    recordActions(strategy, records);
    passport.use(strategy);
  }
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  if (!options.withoutSession) {
    app.use(
      session({
        name: 'test.sid',
        secret: 'test-session-secret',
        resave: false,
        saveUninitialized: false,
      }),
    );
    app.use(passport.session());
  }

  app.get('/login/:name', (req, res, next) => {
    const returnTo = typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined;
    const name = req.params.name as string;
    const extra = options.loginOptions?.[name] ?? {};
    // @types/passport types `state` as a string; passport-oauth2 also takes an object (app state).
    const authenticateOptions = { ...extra, ...(returnTo && { state: { returnTo } }) };
    passport.authenticate(name, authenticateOptions as AuthenticateOptions)(req, res, next);
  });
  const callback: express.RequestHandler = (req, res, next) =>
    passport.authenticate(req.params.name as string, {
      failureRedirect: '/failed',
      failureMessage: true,
    })(req, res, next);
  app.get('/callback/:name', callback, (req, res) => {
    res.json({ user: req.user, authInfo: req.authInfo, sessionID: req.sessionID });
  });
  app.post('/callback/:name', callback, (req, res) => {
    res.json({ user: req.user, authInfo: req.authInfo, sessionID: req.sessionID });
  });
  app.get('/me', (req, res) => {
    if (!req.user) return void res.status(401).json({ user: null, sessionID: req.sessionID });
    res.json({ user: req.user, sessionID: req.sessionID });
  });
  app.get('/failed', (req, res) => {
    const messages = (req.session as { messages?: string[] } | undefined)?.messages ?? [];
    res.status(401).json({ messages });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    errors.push(err);
    const e = err as { name?: string; code?: string; message?: string; status?: number };
    res
      .status(e.status && e.status >= 400 ? e.status : 500)
      .json({ error: { name: e.name, code: e.code, message: e.message, status: e.status } });
  };
  app.use(onError);

  const running = await listen(app as unknown as import('node:http').RequestListener);
  return {
    ...running,
    records,
    errors,
    async assertOneActionEach() {
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const record of records) {
        if (record.actions.length !== 1) {
          throw new Error(
            `authenticate on "${record.strategy}" ended in ${record.actions.length} actions: ${record.actions.join(', ') || 'none'}`,
          );
        }
      }
      return records;
    },
  };
}

/** Collects unhandled rejections and uncaught exceptions while a test runs. */
export function trackProcessErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onError);
      process.off('uncaughtException', onError);
    },
  };
}
