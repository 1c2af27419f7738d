/**
 * The fake side of a comparison: this project's fake of the provider, started on 127.0.0.1 with its
 * default application, and logged in on (fake-login.ts) exactly when the real side has user
 * settings, so that both sides run the same steps and skip the same ones.
 */

import type { ExboTarget } from './exbo.js';
import { exboFakeLogin, soa2FakeCode } from './fake-login.js';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  startExboFake,
  startSoa2Fake,
} from './packages.js';
import type { Soa2Target } from './soa2.js';

export interface FakeSide<T> {
  target: T;
  close(): Promise<void>;
}

export async function startExboFakeSide(real: ExboTarget): Promise<FakeSide<ExboTarget>> {
  const fake = await startExboFake();
  const client = {
    clientId: DEFAULT_EXBO_CLIENT.clientId,
    clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
    callbackUrl: DEFAULT_EXBO_CLIENT.redirectUris[0]!,
  };
  try {
    const needsUser = real.userToken !== undefined || real.refreshToken !== undefined;
    const tokens = needsUser ? await exboFakeLogin(fake.url, client) : undefined;
    return {
      target: {
        baseUrl: fake.url,
        gameUrl: fake.gameApiURL,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        callbackUrl: real.callbackUrl === undefined ? undefined : client.callbackUrl,
        userToken: real.userToken === undefined ? undefined : tokens?.accessToken,
        refreshToken: real.refreshToken === undefined ? undefined : tokens?.refreshToken,
        timeout: real.timeout,
      },
      close: () => fake.close(),
    };
  } catch (err) {
    await fake.close();
    throw err;
  }
}

export async function startSoa2FakeSide(real: Soa2Target): Promise<FakeSide<Soa2Target>> {
  const fake = await startSoa2Fake();
  const client = {
    clientId: DEFAULT_SOA2_CLIENT.clientId,
    callbackUrl: DEFAULT_SOA2_CLIENT.redirectUris[0]!,
  };
  try {
    const code = real.code === undefined ? undefined : await soa2FakeCode(fake.url, client);
    return {
      target: {
        baseUrl: fake.url,
        clientId: client.clientId,
        clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
        code,
        timeout: real.timeout,
      },
      close: () => fake.close(),
    };
  } catch (err) {
    await fake.close();
    throw err;
  }
}
