/**
 * What the CLI prints: for people, aligned labels and plain words for flags; for scripts (`--json`)
 * SOA2's own field names. A client secret appears only where the caller asks for it (an
 * application just created or whose secret was just reset).
 */
import type { Soa2Application, Soa2ApplicationSummary } from '../applications.js';
import { flagNames, isNameApproved } from '../flags.js';

const FLAG_WORDS: Record<string, string> = {
  NAME_APPROVED: 'name approved',
  VERIFIED: 'verified',
  HIDE_OWNER: 'owner hidden',
};

/** The application as JSON for scripts; `client_secret` only when `withSecret`. */
export function applicationJson(
  app: Soa2Application,
  withSecret: boolean,
): Partial<Soa2Application> {
  if (withSecret) return { ...app };
  const { client_secret: _secret, ...rest } = app;
  return rest;
}

function nameLine(app: Soa2Application): string {
  if (app.app_name === null) return '(none: users see "[unnamed application]")';
  const name = JSON.stringify(app.app_name);
  return isNameApproved(app)
    ? name
    : `${name} (awaiting moderation: users see "[application name unmoderated]")`;
}

function rows(pairs: Array<[string, string[]]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 2;
  return pairs
    .flatMap(([label, values]) =>
      values.map((value, i) => `  ${(i === 0 ? label : '').padEnd(width)}${value}`),
    )
    .join('\n');
}

/** An application for people; the secret only when `withSecret`. */
export function formatApplication(app: Soa2Application, withSecret: boolean): string {
  const flags = flagNames(app).map((name) => FLAG_WORDS[name] ?? `flag ${name}`);
  const pairs: Array<[string, string[]]> = [
    ['client id', [String(app.client_id)]],
    ['name', [nameLine(app)]],
    ['flags', [flags.length === 0 ? 'none' : flags.join(', ')]],
    [
      'redirect URIs',
      app.redirect_uris.length === 0
        ? ['(none: users are shown a code to paste into your app)']
        : app.redirect_uris,
    ],
  ];
  if (app.created_at !== undefined) {
    pairs.push(['created', [new Date(app.created_at * 1000).toISOString()]]);
  }
  if (withSecret) pairs.push(['client secret', [app.client_secret]]);
  return rows(pairs);
}

/** The application list for people. */
export function formatApplicationList(list: readonly Soa2ApplicationSummary[]): string {
  if (list.length === 0) {
    return 'You have no SOA2 applications. Register one with: soa2 apps create --name NAME --redirect-uri URL';
  }
  const width = Math.max('CLIENT ID'.length, ...list.map((app) => String(app.client_id).length));
  const lines = list.map(
    (app) =>
      `${String(app.client_id).padEnd(width)}  ${app.app_name === null ? '(unnamed)' : app.app_name}`,
  );
  return [`${'CLIENT ID'.padEnd(width)}  NAME`, ...lines].join('\n');
}
