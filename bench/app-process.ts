/**
 * Child process: one variant in a real Express 5 + express-session + passport 0.7 app, alone in its
 * process so that its CPU time and peak RSS are its own. `node app-process.js '<AppConfig JSON>'`
 * listens on 127.0.0.1, announces `{ port, callbackURL }` and answers `snapshot`.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { type AppConfig, type BenchUser, buildLoginRoutes } from './apps.js';
import { serveParent } from './children.js';

export interface AppReady {
  port: number;
  callbackURL: string;
}

/** Every outgoing TCP connection (undici and node:http alike): shows whether requests reuse them. */
let connectionsOpened = 0;
diagnosticsChannel.subscribe('net.client.socket', () => connectionsOpened++);

const config = JSON.parse(process.argv[2] ?? '') as AppConfig;
const passport = new Passport();
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user: Express.User, done) => done(null, user));
const app = express();
const secret = 'bench-session-secret';
app.use(session({ name: 'bench.sid', secret, resave: false, saveUninitialized: false }));
app.use(passport.initialize(), passport.session());
const server = createServer(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const callbackURL = `http://127.0.0.1:${port}${config.callbackPath}`;

const routes = buildLoginRoutes(config, callbackURL, passport);
app.get('/login', routes.login);
app.get(config.callbackPath, routes.callback, (req, res) => {
  res.json({ user: (req.user as BenchUser | undefined)?.id });
});
let printed = 0;
const onError: ErrorRequestHandler = (err, _req, res, _next) => {
  // The first few only: a benchmark of failing logins measures nothing, the driver reports them.
  if (printed++ < 3) console.error(`[${config.variant}]`, err);
  const status = (err as { status?: number }).status;
  res.status(status && status >= 400 ? status : 500).json({ error: String(err) });
};
app.use(onError);

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
serveParent({ port, callbackURL } satisfies AppReady, () => connectionsOpened);
