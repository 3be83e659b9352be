// Runs a command with one Auth emulator for all of it, so a suite of several test files pays the
// emulator's startup once: `node tests/support/with_auth_emulator.mjs node --test a.test.mjs ...`.
// The command sees CIELO_TEST_AUTH_EMULATOR ("host:port project"), through which
// startAuthEmulator() attaches instead of starting its own. Exits with the command's status; the
// emulator is stopped in every case (Ctrl-C and SIGTERM included).
import { spawn } from 'node:child_process';
import { sharedEmulatorVariable, startAuthEmulator } from './auth_emulator.mjs';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node tests/support/with_auth_emulator.mjs <command> [args...]');
  process.exit(2);
}
const started = Date.now();
const auth = await startAuthEmulator();
console.log(`auth emulator on ${auth.origin} (${auth.project}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
const child = spawn(command[0], command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, [sharedEmulatorVariable]: `${auth.hostPort} ${auth.project}` },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const status = await new Promise((resolve) => {
  child.on('error', (error) => {
    console.error(`cannot run ${command[0]}: ${error.message}`);
    resolve(1);
  });
  child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});
try {
  await auth.stop();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
process.exit(status);
