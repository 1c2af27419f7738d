#!/usr/bin/env node
/**
 * The `soa2` command: log in to SOA2 with a Scratch account and manage your SOA2 applications from
 * a terminal or a script. `soa2 --help` lists the commands.
 */
import { runCli } from './cli/main.js';

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then((status) => {
  // exitCode, not exit(): output still being written to a pipe is not cut off.
  process.exitCode = status;
});
