/** Where the fake serves what, mirroring the real host's URLs (docs/protocols/soa2.md, "URLs"). */

/** The consent page. */
export const AUTHORIZE_PATH = '/wiki/Special:ScratchOAuth2/authorize';
/** Where the code is shown when the request had no redirect_uri. */
export const CODE_PAGE_PATH = '/wiki/Special:SOA2Code';
/** MediaWiki's older URL form: `/w/index.php?title=Special:ScratchOAuth2/authorize&…`. */
export const INDEX_PHP_PATH = '/w/index.php';
/** MediaWiki's REST entry point; SOA2's routes live under `/soa2/v0`. */
export const REST_PATH = '/w/rest.php';
export const API_PATH = `${REST_PATH}/soa2/v0`;
export const TOKENS_PATH = `${API_PATH}/tokens`;
export const USER_PATH = `${API_PATH}/user`;

/** The only scope SOA2 has. */
export const IDENTIFY_SCOPE = 'identify';
