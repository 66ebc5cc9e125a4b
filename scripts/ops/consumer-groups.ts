import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as contracts from '@sms/contracts';
import ts from 'typescript';

/**
 * The consumer groups of the services, read from their source: every `<bus>.subscribe({ groupId, topics })`
 * call under libs/ and apps/. The ops checks (KEDA triggers, absent-lag alerts) compare the deployment with
 * this list, so a new subscription without a trigger or an alert fails a test instead of going unnoticed.
 *
 * Only the syntax is read (no type checking, so it takes milliseconds): a groupId or topic must be a string,
 * a template of strings, a `const` of the same file, or an export of @sms/contracts (`TOPICS.status`). The
 * one call allowed is `randomUUID()`, which makes a per-process group. Anything else throws, naming the file:
 * teach the evaluator rather than let a subscription slip through.
 */
export interface ConsumerGroupUse {
  /** The group id, with `<uuid>` standing for a per-process random part. */
  readonly groupId: string;
  /** The `group` label of its lag metric (lagGroupLabel in @sms/bus: the per-process part dropped). */
  readonly label: string;
  /** Each replica reads the whole topics under a group of its own: there is nothing to scale on. */
  readonly perProcess: boolean;
  /** The Deployment that runs it (the service lib it is subscribed in); undefined for a shared lib. */
  readonly service: string | undefined;
  readonly topics: readonly string[];
  readonly files: readonly string[];
}

const ROOT = path.join(__dirname, '..', '..');
const UUID = '<uuid>';
/** Test code, the test kit and the bus itself (its own behaviour tests subscribe made-up groups). */
const SKIPPED = /(\.spec\.ts|-spec\.ts|\.harness\.ts)$|^libs\/shared\/(data-access-bus|util-testing|testing-[a-z-]+)\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : sourceFiles(full);
    }

    return entry.name.endsWith('.ts') && !SKIPPED.test(path.relative(ROOT, full)) ? [full] : [];
  });
}

class Evaluator {
  private readonly constants = new Map<string, ts.Expression>();

  constructor(
    private readonly file: ts.SourceFile,
    private readonly where: string,
  ) {
    for (const statement of file.statements) {
      if (ts.isVariableStatement(statement) && statement.declarationList.flags & ts.NodeFlags.Const) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name) && declaration.initializer) {
            this.constants.set(declaration.name.text, declaration.initializer);
          }
        }
      }
    }
  }

  value(node: ts.Expression): unknown {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      return node.text;
    }
    if (ts.isTemplateExpression(node)) {
      return node.templateSpans.reduce(
        (text, span) => text + this.string(span.expression) + span.literal.text,
        node.head.text,
      );
    }
    if (ts.isAsExpression(node) || ts.isParenthesizedExpression(node)) {
      return this.value(node.expression);
    }
    if (ts.isIdentifier(node)) {
      const local = this.constants.get(node.text);
      if (local) {
        return this.value(local);
      }
      if (node.text in contracts) {
        return (contracts as Record<string, unknown>)[node.text];
      }
    }
    if (ts.isPropertyAccessExpression(node)) {
      const object = this.value(node.expression);
      if (object && typeof object === 'object' && node.name.text in object) {
        return (object as Record<string, unknown>)[node.name.text];
      }
    }
    if (ts.isCallExpression(node) && node.expression.getText(this.file) === 'randomUUID') {
      return UUID;
    }
    throw new Error(`${this.where}: cannot evaluate \`${node.getText(this.file)}\` in a subscribe() call`);
  }

  string(node: ts.Expression): string {
    const value = this.value(node);
    if (typeof value !== 'string') {
      throw new Error(`${this.where}: \`${node.getText(this.file)}\` is not a string`);
    }

    return value;
  }
}

function property(literal: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const element of literal.properties) {
    if (ts.isPropertyAssignment(element) && element.name.getText() === name) {
      return element.initializer;
    }
  }

  return undefined;
}

/**
 * The topics one element of a `topics` array names. A conditional spread (`...(on ? [A] : [])`) names
 * both branches: the group may read either, so its scaling must cover both.
 */
function topicsOf(element: ts.Expression, evaluator: Evaluator, where: string): string[] {
  if (!ts.isSpreadElement(element)) {
    return [evaluator.string(element)];
  }
  let spread = element.expression;
  while (ts.isParenthesizedExpression(spread)) {
    spread = spread.expression;
  }
  if (
    ts.isConditionalExpression(spread) &&
    ts.isArrayLiteralExpression(spread.whenTrue) &&
    ts.isArrayLiteralExpression(spread.whenFalse)
  ) {
    return [...spread.whenTrue.elements, ...spread.whenFalse.elements].flatMap((e) => topicsOf(e, evaluator, where));
  }
  throw new Error(`${where}: subscribe() spreads \`${element.getText()}\`, not \`...(cond ? [..] : [..])\``);
}

/** The subscribe() calls of one source file. */
export function subscriptionsIn(where: string, text: string): { groupId: string; topics: string[] }[] {
  const file = ts.createSourceFile(where, text, ts.ScriptTarget.Latest, true);
  const evaluator = new Evaluator(file, where);
  const found: { groupId: string; topics: string[] }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'subscribe' &&
      node.arguments[0] &&
      ts.isObjectLiteralExpression(node.arguments[0])
    ) {
      const options = node.arguments[0];
      const groupId = property(options, 'groupId');
      const topics = property(options, 'topics');
      if (groupId) {
        if (!topics || !ts.isArrayLiteralExpression(topics)) {
          throw new Error(`${where}: subscribe() with topics that are not an array literal`);
        }
        found.push({
          groupId: evaluator.string(groupId),
          topics: topics.elements.flatMap((element) => topicsOf(element, evaluator, where)),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  return found;
}

/** Every consumer group of the services, merged over the files that subscribe it. */
export function consumerGroups(): ConsumerGroupUse[] {
  const groups = new Map<string, ConsumerGroupUse>();
  for (const full of [...sourceFiles(path.join(ROOT, 'libs')), ...sourceFiles(path.join(ROOT, 'apps'))]) {
    const text = readFileSync(full, 'utf8');
    if (!text.includes('groupId')) {
      continue;
    }
    const where = path.relative(ROOT, full);
    const service = /^libs\/([^/]+)\/feature\//.exec(where)?.[1];
    for (const { groupId, topics } of subscriptionsIn(where, text)) {
      const perProcess = groupId.includes(UUID);
      const known = groups.get(groupId);
      groups.set(groupId, {
        groupId,
        label: groupId.replace(`.${UUID}`, ''),
        perProcess,
        service: known ? (known.service === service ? service : undefined) : service,
        topics: [...new Set([...(known?.topics ?? []), ...topics])].sort(),
        files: [...(known?.files ?? []), where],
      });
    }
  }

  return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
}
