#!/usr/bin/env node
// The `exbo-soa2-fakes` command. A file of its own so that npm can link the command before the
// package is built (a fresh clone of the repository runs `npm ci`, then the build).
import '../dist/esm/cli.js';
