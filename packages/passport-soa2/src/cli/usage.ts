/** The CLI's help text and its two kinds of failure: wrong usage (exit 2) and anything else (1). */
import { API_PATH, DEFAULT_BASE_URL } from '../endpoints.js';

export const DEFAULT_API_URL = `${DEFAULT_BASE_URL}${API_PATH}`;
/** The environment variable that sets the API URL when `--api-url` is not given. */
export const API_URL_VARIABLE = 'SOA2_API_URL';

/** A failure the CLI explains in one message (exit status 1). */
export class CliError extends Error {
  /** Stable code for `--json` output, e.g. `NOT_LOGGED_IN`. */
  readonly code: string;

  constructor(message: string, code = 'FAILED') {
    super(message);
    this.code = code;
  }
}

/** The command line is wrong (exit status 2): the message says how, and the usage follows. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 'USAGE');
  }
}

export const USAGE = `Usage: soa2 <command> [options]

Log in to ScratchOAuth2 (SOA2, "Login with Scratch") with your Scratch account and manage your
SOA2 applications: client ids, client secrets and redirect URIs.

Commands:
  login <username>          Start a login: prints a text to post as a comment on your own Scratch
                            profile, waits for Enter, checks the comment and saves the session.
        --no-wait           Only start the login (save it and exit); finish with login --finish.
  login --finish            Finish a started login once the text is posted.
  logout                    Forget the login: delete the session file.
  apps list                 Your applications: client id and name.
  apps show <client-id>     One application: name, flags, redirect URIs, creation time.
  apps create [--name NAME] [--redirect-uri URL]...
                            Register an application; prints its client id and client secret.
  apps update <client-id> [--name NAME | --no-name]
              [--redirect-uri URL... | --no-redirect-uris]
              [--add-redirect-uri URL]... [--remove-redirect-uri URL]...
                            Rename it (a new name waits for moderation) or change its redirect
                            URIs (--redirect-uri replaces the whole list).
  apps reset-secret <client-id>
                            Issue a new client secret and print it; the old one stops working.
  apps delete <client-id> [--yes]
                            Delete the application and every token issued for it (asks first,
                            unless --yes).

Options:
  --api-url URL             SOA2's REST API (default: $${API_URL_VARIABLE} if set, else
                            ${DEFAULT_API_URL}); for the local fake, the API URL
                            \`exbo-soa2-fakes soa2\` prints. The login text is then posted on
                            the fake's own profile page, which login links.
  --session-file PATH       Where the login is kept, readable by you only (default
                            $XDG_CONFIG_HOME/passport-soa2/session.json or
                            ~/.config/passport-soa2/session.json).
  --json                    JSON on stdout for scripts (one object per line; errors as
                            {"error": {"code", "message"}} on stderr).
  --timeout MS              Milliseconds for each request to SOA2 (default 10000).
  -h, --help                This help.

A client secret is printed only by apps create and apps reset-secret.
Exit status: 0 done, 1 failed (the message says why), 2 wrong usage.
`;
