/** One routing rule, compiled: every field that is present must match. */
export interface RoutingRule {
  agent: string;
  channels?: ReadonlySet<string>;
  /** Compiled sender globs; any one matching the sender id or the principal subject suffices. */
  senders?: readonly RegExp[];
  scope?: string;
  text?: RegExp;
}

/** What a rule can look at: nothing else about a message influences routing. */
export interface RouteInput {
  channel: string;
  /** Platform sender id (E.164 number, Slack user id, Telegram id as text). */
  senderId: string;
  /** Authenticated subject (`user:alice`, `paired:<prefix>`); undefined for platform senders. */
  subject?: string;
  scopes: ReadonlySet<string>;
  text: string;
}

/** The chosen agent, and the index of the rule that chose it (undefined: no rule, the default). */
export interface RouteDecision {
  agent: string;
  ruleIndex?: number;
}

/** The agent that answers when no rule matches. */
export const DEFAULT_AGENT = 'default';

/** Raw rule fields as the config holds them. */
export interface RoutingRuleSource {
  agent: string;
  channel?: string | readonly string[] | undefined;
  sender?: readonly string[] | undefined;
  scope?: string | undefined;
  text?: string | undefined;
}

/** Compiles config rules once at start-up (regexes and globs are never built per message). */
export function compileRules(sources: readonly RoutingRuleSource[]): RoutingRule[] {
  return sources.map((source) => {
    const rule: RoutingRule = { agent: source.agent };
    if (source.channel !== undefined) {
      rule.channels = new Set(
        typeof source.channel === 'string' ? [source.channel] : source.channel,
      );
    }
    if (source.sender !== undefined) rule.senders = source.sender.map(globToRegExp);
    if (source.scope !== undefined) rule.scope = source.scope;
    if (source.text !== undefined) rule.text = new RegExp(source.text, 'i');
    return rule;
  });
}

/** First matching rule wins, in file order; no match routes to `default`. */
export function routeMessage(rules: readonly RoutingRule[], input: RouteInput): RouteDecision {
  for (const [index, rule] of rules.entries()) {
    if (ruleMatches(rule, input)) return { agent: rule.agent, ruleIndex: index };
  }
  return { agent: DEFAULT_AGENT };
}

/** True when every field the rule sets matches the input. */
export function ruleMatches(rule: RoutingRule, input: RouteInput): boolean {
  if (rule.channels !== undefined && !rule.channels.has(input.channel)) return false;
  if (rule.senders !== undefined) {
    const candidates =
      input.subject === undefined ? [input.senderId] : [input.senderId, input.subject];
    const matched = rule.senders.some((glob) => candidates.some((value) => glob.test(value)));
    if (!matched) return false;
  }
  if (rule.scope !== undefined && !input.scopes.has(rule.scope)) return false;
  if (rule.text !== undefined && !rule.text.test(input.text)) return false;
  return true;
}

/** `*` matches any run of characters, `?` exactly one; everything else is literal and case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}
