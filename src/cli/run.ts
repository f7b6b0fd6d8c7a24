import type { Command } from 'commander';
import { ProgramStartError, startProgram, type StartedProgram } from '../host/session/program.js';
import { addDashboardOptions, note, runDashboard, type DashboardFlags } from './serve.js';

/** `heapscope run [--port N] [--dir DIR] [--no-open] [--] COMMAND...` */
export function registerRun(program: Command): void {
  // `heapscope run node app.js --flag`: everything after COMMAND belongs to it, not to us. Commander
  // needs positional options on the parent for that; heapscope itself has no options a subcommand
  // could be confused with (only --version and --help).
  program.enablePositionalOptions();
  addDashboardOptions(program
    .command('run')
    .description('start COMMAND (a Node program) with the inspector on a free loopback port and open the dashboard attached to it')
    .argument('<COMMAND...>', 'the program and its arguments, e.g. node app.js (use -- before it if it starts with a dash)')
    .passThroughOptions())
    .addHelpText('after', `
\`node ...\` gets --inspect=127.0.0.1:0 right after \`node\`; a script (app.js) runs with this
Node; any other launcher (npm start, npx, a shell script) gets it through NODE_OPTIONS, and
the first Node process to open an inspector is the one attached to.

The program's stdin, stdout and stderr are its own (the inspector's secret URL is hidden
from its stderr). stdout also carries the one dashboard line:
  heapscope dashboard: http://127.0.0.1:PORT/?token=TOKEN
When the program exits the dashboard stays up and shows the target as died. Ctrl-C
(SIGINT) or SIGTERM stops the program (SIGTERM, then SIGKILL after 3 s) and the dashboard.

Examples:
  heapscope run -- node server.js --port 8080
  heapscope run --no-open -- npm start`)
    .action(async (command: string[], flags: DashboardFlags) => {
      let started: StartedProgram | undefined;
      let stopping = false;
      await runDashboard(flags, {
        async prepare(session) {
          started = await startProgram(command);
          note(`started ${started.title} (pid ${started.pid})`);
          const p = started;
          let dto;
          try {
            dto = await session.attach(p.wsUrl, { started: { child: p.child, title: p.title } });
          } catch (err) {
            // An inspector that refuses us moments after opening usually means the program is ending.
            const ended = await Promise.race([p.exited, new Promise<undefined>((r) => setTimeout(r, 1000, undefined))]);
            if (!ended) throw err;
            throw new ProgramStartError(`${p.title} exited (${ended.signal ? `killed by ${ended.signal}` : `code ${ended.code}`}) before heapscope could attach`);
          }
          void p.exited.then(({ code, signal }) => {
            if (!stopping) note(`the program exited (${signal ? `killed by ${signal}` : `code ${code}`}); the dashboard keeps running`);
          });
          note(`attached to ${dto.address}`);
        },
        async cleanup() {
          stopping = true;
          await started?.stop();
        },
      });
    });
}
