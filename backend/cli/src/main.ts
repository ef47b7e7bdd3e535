#!/usr/bin/env node
/**
 * tributary: workflows as code. Pull every workflow of a workspace into a folder of JSON files,
 * review and commit them with git, validate them in CI, push them back (new versions only where
 * something changed), run one, and tail executions live.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { Api } from './api.js';
import { resolveConnection } from './config.js';
import { tail } from './commands/executions.js';
import { login } from './commands/login.js';
import { pull } from './commands/pull.js';
import { push } from './commands/push.js';
import { run } from './commands/run.js';
import { validate } from './commands/validate.js';
import { CliError, err, red } from './output.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('tributary')
  .description(
    'Workflows as code for Tributary: pull a workspace\'s workflows into a folder of JSON files, keep them in git, validate them in CI and push them back.\n\n' +
      'Connection: `tributary login` saves the api URL and an API key in ~/.config/tributary/config.json (mode 0600);\n' +
      'TRIBUTARY_API_URL and TRIBUTARY_API_KEY override it, and --api-url overrides both.',
  )
  .version(pkg.version, '-V, --version', 'print the CLI version')
  .option('--api-url <url>', 'the api to talk to (e.g. https://tributary.example.com); default: TRIBUTARY_API_URL, then the saved login')
  .showHelpAfterError('(tributary --help lists the commands)')
  .configureHelp({ sortSubcommands: false })
  .addHelpText(
    'after',
    `
Typical git workflow:
  tributary login --api-url https://tributary.example.com --key trb_…
  tributary pull                      # workflows/*.workflow.json
  git add workflows && git commit     # review changes as ordinary diffs
  tributary validate                  # in CI: exit code 1 on any invalid file
  tributary push --dry-run            # show what would change
  tributary push                      # apply (on merge)

Docs: docs/cli.md`,
  );

const api = async (cmd: Command) => new Api(await resolveConnection(cmd.optsWithGlobals<{ apiUrl?: string }>()));
const dirOption = () => new Option('-d, --dir <folder>', 'the folder of workflow files').default('workflows');

program
  .command('login')
  .description('check an API key against the api and save it (with the api URL) for the other commands')
  .option('--key <key>', 'the API key (trb_…); read from stdin when left out, so it stays out of your shell history')
  .addHelpText('after', '\nExamples:\n  tributary login --api-url https://tributary.example.com --key trb_…\n  echo "$TRIBUTARY_KEY" | tributary login --api-url https://tributary.example.com')
  .action(async (opts: { key?: string }, cmd: Command) => login({ ...opts, apiUrl: cmd.optsWithGlobals<{ apiUrl?: string }>().apiUrl }));

program
  .command('pull')
  .description('write every workflow of the workspace to <folder>/<name>.workflow.json (stable key order, 2-space indent): pulling twice gives identical files')
  .addOption(dirOption())
  .option('--prune', 'delete files whose workflow was deleted on the server (otherwise they are reported)')
  .action(async (opts: { dir: string; prune?: boolean }, cmd: Command) => pull(await api(cmd), opts));

program
  .command('push')
  .description(
    'apply the folder to the workspace: files without a _tributary block are created, changed files become new versions, unchanged ones are left alone (no call, no version). ' +
      'Every file is validated first; the changes are shown as a diff; a file whose workflow changed on the server since its pull is refused unless --force.',
  )
  .argument('[files...]', 'only these files (default: every *.workflow.json in --dir)')
  .addOption(dirOption())
  .option('-n, --dry-run', 'show the plan and the diff, change nothing')
  .option('-f, --force', 'overwrite workflows that changed on the server since the pull (and re-create deleted ones)')
  .option('--prune', 'also delete workflows of the workspace that have no file (asks first; --yes when not interactive)')
  .option('-y, --yes', 'do not ask before deleting (with --prune)')
  .option('--no-diff', 'print the plan without the diff')
  .addHelpText('after', '\nExit code 1 when a file is invalid, refused or failed; nothing is sent while a file is invalid or refused.')
  .action(async (files: string[], opts: { dir: string; dryRun?: boolean; force?: boolean; prune?: boolean; yes?: boolean; diff?: boolean }, cmd: Command) =>
    push(await api(cmd), files, opts),
  );

program
  .command('validate')
  .description('check workflow files against the workflow language (the contracts\' schema), offline: no api, no key; for CI')
  .argument('[paths...]', 'files or folders (default: --dir)')
  .addOption(dirOption())
  .option('-q, --quiet', 'print only problems')
  .addHelpText('after', '\nPrints one "file: field: message" line per problem; exit code 1 when any file is invalid.')
  .action(async (paths: string[], opts: { dir: string; quiet?: boolean }) => validate(paths, opts));

program
  .command('run')
  .description('start a manual run of a workflow, wait until it ends and print each step\'s status and output; exit code 1 when it failed')
  .argument('<workflow>', 'a workflow file, a workflow id, or a workflow\'s exact name')
  .option('-p, --payload <file>', 'JSON file with the run\'s payload ("-" for stdin); default {}')
  .option('-t, --timeout <duration>', 'how long to wait (30s, 2m…); exit code 2 when it is still running then', '60s')
  .option('--json', 'print the execution as the api answers it (GET /api/executions/:id)')
  .option('--no-wait', 'print the execution id and return at once')
  .action(async (ref: string, opts: { payload?: string; timeout: string; json?: boolean; wait?: boolean }, cmd: Command) => run(await api(cmd), ref, opts));

const executions = program.command('executions').description('executions of the workspace');
executions
  .command('tail')
  .description('print execution events live (queued, started, each step, the end), one line each, over the api\'s WebSocket; reconnects when the connection drops')
  .option('-w, --workflow <workflow>', 'only this workflow (a file, an id or an exact name)')
  .option('--json', 'print each event as its JSON envelope, one per line')
  .action(async (opts: { workflow?: string; json?: boolean }, cmd: Command) => tail(await api(cmd), opts));

program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else if (e instanceof CliError) {
    if (e.message) err(red(`error: ${e.message}`));
    process.exitCode = e.exitCode;
  } else {
    err(red(`error: ${(e as Error).stack ?? String(e)}`));
    process.exitCode = 1;
  }
}
