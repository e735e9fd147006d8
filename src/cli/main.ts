import { registerConfigCheckCommand } from './config-check.js';
import { registerPairCommand } from './pair.js';
import { createProgram, runProgram } from './program.js';
import { registerStartCommand } from './start.js';
import { registerTokensCommand } from './tokens.js';
import { registerTokenCommand } from './token.js';
import { registerSessionsCommand } from './sessions.js';
import { registerInboxCommand } from './inbox.js';
import { registerDoctorCommand } from './doctor.js';
import { registerReloadCommand } from './reload.js';
import { registerRouteCommand } from './route.js';

/*
 * The CLI only parses argv and calls domain code. Each command lives in its own file and exports
 * `registerXxxCommand(program)`; adding a command is one import and one call below.
 */
const program = createProgram();
registerStartCommand(program);
registerConfigCheckCommand(program);
registerPairCommand(program);
registerTokensCommand(program);
registerTokenCommand(program);
registerSessionsCommand(program);
registerInboxCommand(program);
registerDoctorCommand(program);
registerReloadCommand(program);
registerRouteCommand(program);

// No top-level await: the bundle built from this file is a CommonJS script (see scripts/bundle.mjs).
void runProgram(program, process.argv).then((code) => {
  // Exit explicitly: a failed start may leave timers or a log worker behind that would keep the
  // process alive. stdout/stderr writes to pipes and files are synchronous on POSIX, so none is lost.
  if (code !== undefined) process.exit(code);
});
