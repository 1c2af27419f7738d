/**
 * Child process: one variant in a real Express 5 + express-session + passport 0.7 app, alone in its
 * process so that `process.cpuUsage()` and the peak RSS are its own.
 *
 * `node bench/dist/app-process.js '<AppConfig JSON>'` listens on 127.0.0.1, announces
 * `{ port, callbackURL }`, and answers `snapshot` (its CPU time, RSS and connection count).
 *
 * No full GC is forced before a measured phase. On an idle heap a full GC frees the maps that
 * optimized code depends on ("weak objects"), so V8 throws away and recompiles the hot path inside
 * the next phase: on Node 20 that cost 40 % more CPU per login, more for the variant with more code,
 * and a server under steady load does not pay it (bench/README.md, "Steady state, not a forced GC").
 * Without it, the warm-up's garbage is collected during the measured phase, as each phase's own
 * garbage is collected during the next: the steady state the benchmark is after.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { type AppConfig, type BenchUser, buildLoginRoutes } from './apps.js';
import { serveParent, takeSnapshot } from './children.js';

export interface AppReady {
  port: number;
  callbackURL: string;
}

/** Every outgoing TCP connection (undici and node:http alike): shows whether requests reuse them. */
let connectionsOpened = 0;
diagnosticsChannel.subscribe('net.client.socket', () => {
  connectionsOpened++;
});

/** The first few errors are printed: a benchmark of failing logins would measure nothing useful. */
const MAX_PRINTED_ERRORS = 3;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as AppConfig;
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: BenchUser, done) => done(null, user));

  const app = express();
  app.use(
    session({
      name: 'bench.sid',
      secret: 'bench-session-secret',
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const callbackURL = `http://127.0.0.1:${port}/callback`;

  const routes = buildLoginRoutes(config, callbackURL, passport);
  app.get('/login', routes.login);
  app.get('/callback', routes.callback, (req, res) => {
    res.json({ user: (req.user as BenchUser | undefined)?.id });
  });
  let printed = 0;
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    if (printed++ < MAX_PRINTED_ERRORS) console.error(`[${config.variant}]`, err);
    const status = (err as { status?: number }).status;
    res.status(status && status >= 400 ? status : 500).json({ error: String(err) });
  };
  app.use(onError);

  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  serveParent({ port, callbackURL } satisfies AppReady, {
    snapshot: () => takeSnapshot(connectionsOpened),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
