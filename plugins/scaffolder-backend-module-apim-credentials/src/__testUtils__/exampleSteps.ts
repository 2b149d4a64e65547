/**
 * Reads an action's `examples` the way the scaffolder would run them: parses each example's YAML,
 * keeps the steps that use the action, and renders their `${{ ... }}` placeholders from the
 * values a test gives. Only plain lookups (`parameters.x`, `secrets.x`, `steps.id.output.x`) are
 * supported, which is all an example needs; anything else fails the test instead of being
 * silently left in the input.
 */
import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export interface ExampleStep {
  description: string;
  stepId: string;
  input: Record<string, unknown>;
}

const WHOLE = /^\$\{\{\s*([\w.]+)\s*\}\}$/;
const INSIDE = /\$\{\{\s*([\w.]+)\s*\}\}/g;

function lookup(path: string, context: Record<string, unknown>): unknown {
  const value = path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node && typeof node === 'object'
          ? (node as Record<string, unknown>)[key]
          : undefined,
      context,
    );
  if (value === undefined) {
    throw new Error(
      `the example uses \${{ ${path} }}, which the test does not provide`,
    );
  }
  return value;
}

function render(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    // A whole-value placeholder keeps its type (lists, numbers), like the scaffolder's renderer.
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1], context);
    return value.replace(INSIDE, (_, path: string) =>
      String(lookup(path, context)),
    );
  }
  if (Array.isArray(value)) return value.map(v => render(v, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, render(v, context)]),
    );
  }
  return value;
}

/** The rendered inputs of every step of every example that uses `actionId`. */
export function exampleSteps(
  examples: TemplateExample[],
  actionId: string,
  context: {
    parameters: Record<string, unknown>;
    secrets: Record<string, string>;
  },
): ExampleStep[] {
  return examples.flatMap(example => {
    const parsed = yaml.parse(example.example) as {
      steps?: Array<{ id: string; action: string; input?: unknown }>;
    };
    const steps = (parsed.steps ?? []).filter(s => s.action === actionId);
    if (steps.length === 0) {
      throw new Error(
        `example "${example.description}" has no step using ${actionId}`,
      );
    }
    return steps.map(step => ({
      description: example.description,
      stepId: step.id,
      input: render(step.input ?? {}, context) as Record<string, unknown>,
    }));
  });
}
