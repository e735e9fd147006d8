import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { ROUTABLE_CHANNELS } from '../config/schema.js';
import { requireAgents } from '../config/startup-checks.js';
import { compileRules, routeMessage } from '../core/routing/rules.js';
import { createProviders } from '../providers/registry.js';

interface RouteFlags {
  config?: string;
  channel: string;
  sender?: string;
  scope?: string[];
  text: string;
}

function parseChannel(value: string): string {
  if (!(ROUTABLE_CHANNELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${ROUTABLE_CHANNELS.join(', ')}`);
  }
  return value;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `gatehouse route`: which `[[routing.rules]]` entry a message would match and which agent would
 * answer. Reads the config only; calls no provider and sends nothing.
 */
export function registerRouteCommand(program: Command): void {
  program
    .command('route')
    .description('show which routing rule matches a message and which agent would answer')
    .requiredOption('--channel <name>', `channel: ${ROUTABLE_CHANNELS.join(', ')}`, parseChannel)
    .requiredOption('--text <text>', 'message text')
    .option('--sender <id>', 'sender id or principal subject (user:alice, paired:<prefix>)')
    .option('--scope <scope>', 'a scope the credential carries (repeatable)', collect)
    .option(
      '-c, --config <path>',
      'config file (default: $GATEHOUSE_CONFIG or $GATEHOUSE_HOME/config.toml)',
    )
    .action((flags: RouteFlags) => {
      const { config, warnings } = loadConfig({ path: flags.config, env: process.env });
      for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
      const agents = requireAgents(config, createProviders(config));
      const sender = flags.sender ?? '';
      const decision = routeMessage(compileRules(config.routing.rules), {
        channel: flags.channel,
        senderId: sender,
        ...(flags.sender === undefined ? {} : { subject: sender }),
        scopes: new Set(flags.scope ?? []),
        text: flags.text,
      });
      const agent = agents.get(decision.agent);
      const matched =
        decision.ruleIndex === undefined
          ? 'no rule matched'
          : `rule routing.rules[${decision.ruleIndex}] matched`;
      const detail =
        agent === undefined ? '' : ` (provider ${agent.provider}, model ${agent.model})`;
      process.stdout.write(`${matched}: agent ${decision.agent}${detail}\n`);
    });
}
