/**
 * The EXBO steps that need no browser (docs/protocols/exbo.md, "Unknown, and how to settle it"
 * says which open question each settles). They go through passport-exbo's own clients, so a step's
 * outcome is also what our code makes of the answer.
 *
 * Side effects on a real account, which the README spells out: `app-token` mints an application
 * token (EXBO then revokes the app's earlier ones); `refresh` spends EXBO_REFRESH_TOKEN (EXBO
 * rotates the pair, so the given pair stops working).
 */
import { ExboClient, ExboGameApi } from './packages.js';
import { Recorder } from './record.js';
import { StepLog, type StepResult, tokenKind } from './steps.js';

/** Where and as whom the EXBO steps run. */
export interface ExboTarget {
  /** OAuth base, e.g. `https://exbo.net`. */
  baseUrl: string;
  /** Game API base, e.g. `https://eapi.stalcraft.net`. */
  gameUrl: string;
  clientId: string;
  clientSecret: string;
  /** A registered redirect URI: without it the bad-code step is skipped (see docs/protocols/exbo.md, "Code exchange"). */
  callbackUrl?: string | undefined;
  userToken?: string | undefined;
  refreshToken?: string | undefined;
  timeout: number;
}

/** Not a code EXBO issued: league answers it before looking anything up. */
const BOGUS_CODE = `def50200${'0'.repeat(64)}`;
const BOGUS_REFRESH = `def50200${'1'.repeat(64)}`;
const REGION = 'EU';

export async function runExboSteps(target: ExboTarget): Promise<StepResult[]> {
  const recorder = new Recorder([target.baseUrl, target.gameUrl]);
  const common = { baseURL: target.baseUrl, fetch: recorder.fetch, timeout: target.timeout };
  const client = new ExboClient({
    ...common,
    clientID: target.clientId,
    clientSecret: target.clientSecret,
    callbackURL: target.callbackUrl,
  });
  // No timeout or fetch here: the game API then shares the client's (recording) transport.
  const api = new ExboGameApi({ baseURL: target.gameUrl, client });
  const log = new StepLog(recorder);
  const step = log.step.bind(log);
  const { userToken, refreshToken } = target;
  const noUser = 'set EXBO_USER_TOKEN';
  const noRefresh = 'set EXBO_REFRESH_TOKEN';

  let appToken: string | undefined;
  await step('app-token', async () => {
    appToken = (await client.requestAppToken()).access_token;
    return { access_token: tokenKind(appToken) };
  });
  // An application token as a bearer token: `{ userToken }` is only how ExboGameApi names it.
  const withAppToken = (path: string) =>
    appToken === undefined
      ? 'no application token (the app-token step failed)'
      : async () => void (await api.request({ path, auth: { userToken: appToken! } }));
  await step('regions, no credential', async () => {
    await api.request({ path: '/regions', auth: 'none' });
  });
  await step('regions, Client-Id/Secret', async () => {
    await api.request({ path: '/regions', auth: 'client-secret' });
  });
  await step('regions, app token', withAppToken('/regions'));
  await step(`${REGION} emission, app token`, withAppToken(`/${REGION}/emission`));
  await step(`${REGION} emission, Client-Id/Secret`, async () => {
    await api.request({ path: `/${REGION}/emission`, auth: 'client-secret' });
  });
  await step('wrong client secret', async () => {
    const wrong = target.clientSecret === 'x'.repeat(40) ? 'y'.repeat(40) : 'x'.repeat(40);
    await new ExboClient({
      ...common,
      clientID: target.clientId,
      clientSecret: wrong,
    }).requestAppToken();
  });
  await step(
    'bad code',
    target.callbackUrl === undefined
      ? 'set EXBO_CALLBACK_URL (a registered redirect URI)'
      : async () => void (await client.exchangeCode(BOGUS_CODE)),
  );
  await step('bad refresh token', async () => void (await client.refresh(BOGUS_REFRESH)));

  await step(
    'user info',
    userToken === undefined ? noUser : async () => void (await client.fetchProfile(userToken)),
  );
  await step(
    'token kinds',
    userToken === undefined && refreshToken === undefined
      ? `${noUser} or ${noRefresh}`
      : async () => ({
          access_token: tokenKind(userToken),
          refresh_token: tokenKind(refreshToken),
        }),
  );
  let renewed: { access_token: string; refresh_token?: string | undefined } | undefined;
  await step(
    'refresh',
    refreshToken === undefined
      ? noRefresh
      : async () => {
          renewed = await client.refresh(refreshToken);
          return {
            access_token: tokenKind(renewed.access_token),
            refresh_token: tokenKind(renewed.refresh_token),
            rotated: String(renewed.refresh_token !== refreshToken),
          };
        },
  );
  await step(
    'old refresh token again',
    renewed === undefined ? 'no refresh' : async () => void (await client.refresh(refreshToken!)),
  );
  await step(
    'old access token after refresh',
    renewed === undefined || userToken === undefined
      ? 'no refresh, or no EXBO_USER_TOKEN'
      : async () => void (await client.fetchProfile(userToken)),
  );
  await step(
    'new access token',
    renewed === undefined
      ? 'no refresh'
      : async () => void (await client.fetchProfile(renewed!.access_token)),
  );
  return log.results;
}
