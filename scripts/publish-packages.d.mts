// Types of scripts/publish-packages.mjs for its test (test/release/publish-packages.test.ts).
export interface WorkspacePackage {
  /** The folder, relative to the root, e.g. `packages/passport-exbo`. */
  dir: string;
  pkg: { name: string; version: string; [field: string]: unknown };
}
export function publishOrder(root?: string): WorkspacePackage[];
export function dryRunProblems(dir: string, root?: string): string[];
