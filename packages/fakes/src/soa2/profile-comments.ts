/**
 * Comments on the fake Scratch users' profiles. SOA2 verifies an account login by finding the login
 * text in a comment the user posted on their own profile (docs/protocols/soa2.md, "Login by profile
 * comment: /login/{username}"); the fake has no Scratch, so tests (or a person, through the fake's
 * profile page) post it here.
 */

export class ProfileComments {
  /** Comments by profile owner (lower case: Scratch names are case-insensitive), newest last. */
  readonly #byProfile = new Map<string, string[]>();

  /** `username` comments `text` on their own profile. */
  post(username: string, text: string): void {
    const key = username.toLowerCase();
    const list = this.#byProfile.get(key) ?? [];
    list.push(text);
    this.#byProfile.set(key, list);
  }

  /**
   * Whether `username` commented exactly `text` (surrounding whitespace aside, as Scratch trims
   * comments) on their own profile: SOA2 compares the whole comment, not a substring.
   */
  hasPosted(username: string, text: string): boolean {
    const list = this.#byProfile.get(username.toLowerCase()) ?? [];
    return list.some((comment) => comment.trim() === text);
  }

  /** The comments on `username`'s profile, oldest first. */
  on(username: string): readonly string[] {
    return [...(this.#byProfile.get(username.toLowerCase()) ?? [])];
  }
}
