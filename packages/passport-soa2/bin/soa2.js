#!/usr/bin/env node
// The `soa2` command. A file of its own so that npm can link the command before the package is
// built (a fresh clone of the repository runs `npm ci`, then the build).
require('../dist/cli.js');
