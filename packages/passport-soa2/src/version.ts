/** Kept equal to package.json's version (a test checks); sent in the User-Agent of every request. */
export const VERSION = '0.1.0';
export const USER_AGENT = `passport-soa2/${VERSION}`;
