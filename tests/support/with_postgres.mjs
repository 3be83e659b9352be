// Runs a command with one PostgreSQL for all of it (tests/support/postgres.mjs), so the account
// tests run against PostgreSQL pay initdb and startup once:
// `node tests/support/with_postgres.mjs node --test a.test.mjs ...`. The command sees
// CIELO_TEST_POSTGRES, through which startPostgres() attaches instead of starting its own; each
// test makes its own database in it. Exits with the command's status; PostgreSQL is stopped and
// its folder removed in every case (Ctrl-C and SIGTERM included).
import { spawn } from 'node:child_process';
import { sharedPostgresVariable, startPostgres } from './postgres.mjs';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node tests/support/with_postgres.mjs <command> [args...]');
  process.exit(2);
}
const started = Date.now();
const pg = await startPostgres();
console.log(`PostgreSQL on 127.0.0.1:${pg.port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
const child = spawn(command[0], command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, [sharedPostgresVariable]: JSON.stringify(pg.settings) },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const status = await new Promise((resolve) => {
  child.on('error', (error) => {
    console.error(`cannot run ${command[0]}: ${error.message}`);
    resolve(1);
  });
  child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});
await pg.stop();
process.exit(status);
