/**
 * A real Express 5 app with express-session and Passport 0.7 where a signed-in user links a second
 * account: `passport.authorize('exbo-link' | 'soa2-link')` on its own routes, next to the usual
 * logins (`passport.authenticate('exbo' | 'soa2')`) and a local sign-in (`req.login` with a user
 * of the app's own, as a password form would). Passport's authorize puts the verified account in
 * `req.account` and leaves `req.user` and the login session alone; the app then links it.
 *
 * Used by test/compat/account-linking.test.ts (over HTTP) and account-linking-browser.test.ts (in
 * Chromium). Besides its pages the app records what each linking callback saw, for the tests.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { Strategy as ExboStrategy } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { listen, type RunningServer } from './server.js';

export type Provider = 'exbo' | 'soa2';
export const PROVIDERS: readonly Provider[] = ['exbo', 'soa2'];
const LABELS: Record<Provider, string> = { exbo: 'EXBO', soa2: 'Scratch' };

/** A provider account as the link strategies' verify returns it (what lands in `req.account`). */
export interface LinkedAccount {
  provider: Provider;
  id: string;
  username: string;
}

/** One of the app's users: local ones have no provider account until they link one. */
export interface AppUser {
  id: string;
  name: string;
  accounts: Partial<Record<Provider, LinkedAccount>>;
}

/** What one linking callback saw, recorded before the app linked anything. */
export interface LinkRecord {
  provider: Provider;
  /** `req.user` as it was before `passport.authorize` ran (a copy). */
  userBefore: AppUser;
  /** `req.user` after it: the very same object. */
  sameUserObject: boolean;
  /** `req.account`: the verified provider account. */
  account: unknown;
  /** The session's Passport login (`req.session.passport.user`) after authorize. */
  sessionUser: unknown;
  sessionIDBefore: string;
  sessionID: string;
}

export interface LinkingApp extends RunningServer {
  users: Map<string, AppUser>;
  links: LinkRecord[];
  /** `req.user?.id` as each link strategy's verify saw it (`passReqToCallback: true`). */
  verifySawUser: Array<string | undefined>;
  /** The redirect URIs to register with the fakes. */
  callbacks: Record<Provider, string[]>;
}

export interface LinkingAppOptions {
  exboURL: string;
  soa2URL: string;
  clients: {
    exbo: { clientId: string; clientSecret: string };
    soa2: { clientId: number; clientSecret: string };
  };
}

/** The app's local users (signed in without a provider, as with a password). */
export const LOCAL_USERS = ['alice', 'mallory'] as const;

/**
 * The app's user as Passport holds it. `Express.User` is global: in the repository's test program
 * it is whatever another app there declares (the example's), so this app converts explicitly.
 */
const appUser = (user: unknown) => user as AppUser | undefined;
const passportUser = (user: AppUser) => user as unknown as Express.User;

const escapeHTML = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function accountOf(provider: Provider, profile: { id: string; username: string }): LinkedAccount {
  return { provider, id: profile.id, username: profile.username };
}

export async function startLinkingApp(options: LinkingAppOptions): Promise<LinkingApp> {
  const users = new Map<string, AppUser>();
  for (const name of LOCAL_USERS)
    users.set(`local-${name}`, { id: `local-${name}`, name, accounts: {} });
  const links: LinkRecord[] = [];
  const verifySawUser: Array<string | undefined> = [];
  const userWith = (account: LinkedAccount) =>
    [...users.values()].find((user) => user.accounts[account.provider]?.id === account.id);

  /** Login: the user this account is linked to, or a new user with it. */
  const findOrCreate = (account: LinkedAccount): AppUser => {
    const found = userWith(account);
    if (found) return found;
    const user: AppUser = {
      id: `${account.provider}-${account.id}`,
      name: account.username,
      accounts: { [account.provider]: account },
    };
    users.set(user.id, user);
    return user;
  };

  const passport = new Passport();
  const exbo = {
    clientID: options.clients.exbo.clientId,
    clientSecret: options.clients.exbo.clientSecret,
    baseURL: options.exboURL,
  };
  const soa2 = {
    clientID: options.clients.soa2.clientId,
    clientSecret: options.clients.soa2.clientSecret,
    baseURL: options.soa2URL,
  };
  // Relative callback URLs: resolved from the request's host (the app's port).
  passport.use(
    new ExboStrategy({ ...exbo, callbackURL: '/auth/exbo/callback' }, async (_a, _r, profile) =>
      findOrCreate(accountOf('exbo', profile)),
    ),
  );
  passport.use(
    new Soa2Strategy({ ...soa2, callbackURL: '/auth/soa2/callback' }, async (_a, _r, profile) =>
      findOrCreate(accountOf('soa2', profile)),
    ),
  );
  // The link strategies return the account itself: authorize puts it in req.account. With
  // passReqToCallback the verify also sees the signed-in user (typed: app-request.ts).
  passport.use(
    new ExboStrategy(
      {
        ...exbo,
        name: 'exbo-link',
        callbackURL: '/connect/exbo/callback',
        passReqToCallback: true,
      },
      async (req, _a, _r, profile) => {
        verifySawUser.push(appUser(req.user)?.id);
        return accountOf('exbo', profile);
      },
    ),
  );
  passport.use(
    new Soa2Strategy(
      {
        ...soa2,
        name: 'soa2-link',
        callbackURL: '/connect/soa2/callback',
        passReqToCallback: true,
      },
      async (req, _a, _r, profile) => {
        verifySawUser.push(appUser(req.user)?.id);
        return accountOf('soa2', profile);
      },
    ),
  );
  passport.serializeUser((user, done) => done(null, appUser(user)?.id));
  passport.deserializeUser((id: string, done) => {
    const user = users.get(id);
    done(null, user ? passportUser(user) : false);
  });

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({
      name: 'link.sid',
      secret: 'linking-test-session-secret',
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(passport.session());

  const provider = (name: unknown): Provider | undefined =>
    PROVIDERS.find((candidate) => candidate === name);
  const messagesOf = (req: express.Request) => {
    const holder = req.session as { messages?: string[] };
    const messages = holder.messages ?? [];
    delete holder.messages;
    return messages;
  };

  app.get('/', (req, res) => {
    const user = appUser(req.user);
    const notice = typeof req.query.notice === 'string' ? req.query.notice : '';
    const messages = messagesOf(req);
    const alerts = [notice, ...messages]
      .filter(Boolean)
      .map((text) => `<p role="alert">${escapeHTML(text)}</p>`)
      .join('');
    if (!user) {
      res.send(`<!doctype html><title>Linking</title><h1>Welcome</h1>${alerts}
        <p><a href="/auth/exbo">Login with EXBO</a> <a href="/auth/soa2">Login with Scratch</a></p>
        <form method="post" action="/login/local"><label>Local user
          <select name="username">${LOCAL_USERS.map((n) => `<option>${n}</option>`).join('')}</select></label>
          <button>Sign in</button></form>`);
      return;
    }
    const rows = PROVIDERS.map((p) => {
      const account = user.accounts[p];
      const cell = account
        ? `${escapeHTML(account.username)} (id ${escapeHTML(account.id)})`
        : `<a href="/connect/${p}">Link your ${LABELS[p]} account</a>`;
      return `<tr><th>${LABELS[p]}</th><td>${cell}</td></tr>`;
    }).join('');
    res.send(`<!doctype html><title>Linking</title><h1>Signed in as ${escapeHTML(user.name)}</h1>
      ${alerts}<table>${rows}</table>
      <form method="post" action="/logout"><button>Log out</button></form>`);
  });

  app.post('/login/local', (req, res, next) => {
    const user = users.get(`local-${String(req.body?.username)}`);
    if (!user) return void res.status(401).send('unknown local user');
    req.login(passportUser(user), (err) => (err ? next(err) : res.redirect('/')));
  });
  app.post('/logout', (req, res, next) => {
    req.logout((err) => (err ? next(err) : res.redirect('/')));
  });
  app.get('/me', (req, res) => {
    const sessionUser = (req.session as { passport?: { user?: unknown } }).passport?.user;
    res.json({ user: req.user ?? null, sessionID: req.sessionID, sessionUser });
  });

  // Logins.
  app.get('/auth/:provider', (req, res, next) => {
    const name = provider(req.params.provider);
    if (!name) return next();
    passport.authenticate(name)(req, res, next);
  });
  app.get('/auth/:provider/callback', (req, res, next) => {
    const name = provider(req.params.provider);
    if (!name) return next();
    passport.authenticate(name, { failureRedirect: '/', failureMessage: true })(req, res, () =>
      res.redirect('/'),
    );
  });

  // Linking: only for a signed-in user. Without one (never signed in, or the session ended
  // between the start and the callback) the app answers itself; the strategy never runs.
  const requireUser: RequestHandler = (req, res, next) => {
    if (req.user) return next();
    res
      .status(401)
      .send(
        '<!doctype html><title>Sign in first</title><h1>Sign in first</h1><p>Linking an account needs a signed-in user.</p>',
      );
  };
  app.get('/connect/:provider', requireUser, (req, res, next) => {
    const name = provider(req.params.provider);
    if (!name) return next();
    passport.authorize(`${name}-link`)(req, res, next);
  });
  app.get('/connect/:provider/callback', requireUser, (req, res, next) => {
    const name = provider(req.params.provider);
    if (!name) return next();
    const before = appUser(req.user) as AppUser;
    const userBefore = structuredClone(before);
    const sessionIDBefore = req.sessionID;
    passport.authorize(`${name}-link`, { failureRedirect: '/', failureMessage: true })(
      req,
      res,
      () => {
        const user = appUser(req.user) as AppUser;
        const account = (req as { account?: unknown }).account;
        links.push({
          provider: name,
          userBefore,
          sameUserObject: user === before,
          account: structuredClone(account),
          sessionUser: (req.session as { passport?: { user?: unknown } }).passport?.user,
          sessionIDBefore,
          sessionID: req.sessionID,
        });
        const linked = account as LinkedAccount;
        const owner = userWith(linked);
        if (owner && owner !== user) {
          return res.redirect(
            `/?notice=${encodeURIComponent(`That ${LABELS[name]} account is linked to another user.`)}`,
          );
        }
        user.accounts[name] = linked;
        res.redirect(`/?notice=${encodeURIComponent(`${LABELS[name]} account linked.`)}`);
      },
    );
  });

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err as { name?: string; code?: string; message?: string; status?: number };
    res
      .status(e.status && e.status >= 400 ? e.status : 500)
      .json({ error: { name: e.name, code: e.code, message: e.message } });
  };
  app.use(onError);

  const running = await listen(app as unknown as import('node:http').RequestListener);
  const callbacks = {
    exbo: [`${running.url}/auth/exbo/callback`, `${running.url}/connect/exbo/callback`],
    soa2: [`${running.url}/auth/soa2/callback`, `${running.url}/connect/soa2/callback`],
  };
  return Object.assign(running, { users, links, verifySawUser, callbacks });
}
