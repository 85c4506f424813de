// The layering rules from DESIGN.md ("the house"), as an ESLint rule, so they live in code.
// Every source file belongs to one layer, decided by its path; every import (static, dynamic,
// re-export or require) is resolved to a layer or a package and checked against LAYERS below.
import { isBuiltin } from 'node:module';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * For each layer: which layers it may import, and which packages it must not import.
 * `node` stands for Node's built-in modules (the renderer and the API contract run in browsers).
 */
export const LAYERS = {
  'core/api': { mayImport: ['core/api'], forbidden: ['node', 'electron', 'react', 'react-dom'] },
  core: { mayImport: ['core', 'core/api'], forbidden: ['electron', 'react', 'react-dom'] },
  'main/host': { mayImport: ['main/host', 'core', 'core/api'], forbidden: ['electron', 'react', 'react-dom'] },
  'main/electron': { mayImport: ['main/electron', 'main/host', 'core', 'core/api'], forbidden: ['react', 'react-dom'] },
  'main/serve': { mayImport: ['main/serve', 'main/host', 'core', 'core/api'], forbidden: ['electron', 'react', 'react-dom'] },
  'main/cli': { mayImport: ['main/cli', 'main/host', 'core', 'core/api'], forbidden: ['electron', 'react', 'react-dom'] },
  renderer: { mayImport: ['renderer', 'core/api'], forbidden: ['node', 'electron'] },
  // Tooling around the product: tests that drive it, benchmarks, scripts. They may use any layer,
  // but never Electron, whose binary cannot run where tests run.
  tooling: { mayImport: ['core', 'core/api', 'main/host', 'main/serve', 'main/cli', 'renderer', 'tooling'], forbidden: ['electron'] },
};

/** The layer a repository-relative path belongs to, or undefined when it is outside them all. */
export function layerOf(relativePath) {
  const p = relativePath.split(path.sep).join('/');
  if (p.startsWith('core/api/')) return 'core/api';
  if (p.startsWith('core/')) return 'core';
  for (const sub of ['host', 'electron', 'serve', 'cli']) {
    if (p.startsWith(`main/${sub}/`)) return `main/${sub}`;
  }
  if (p.startsWith('renderer/')) return 'renderer';
  if (/^(e2e|bench|scripts)\//.test(p)) return 'tooling';
  return undefined;
}

function packageName(specifier) {
  if (specifier.startsWith('node:')) return 'node';
  if (isBuiltin(specifier)) return 'node';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const isTestFile = (file) => /\.(test|spec)\.[cm]?[jt]sx?$/.test(file);

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep the import direction of DESIGN.md: renderer -> core/api, main -> core, only main/electron imports electron' },
    schema: [],
    messages: {
      layer: "{{from}} may not import {{to}} ('{{specifier}}'); allowed: {{allowed}}",
      pkg: "{{from}} may not import '{{specifier}}'",
      electronInTest: "tests must never import electron ('{{specifier}}'): its binary cannot run where tests run",
    },
  },
  create(context) {
    const filename = context.filename ?? context.getFilename();
    const relative = path.relative(repoRoot, filename);
    const from = layerOf(relative);
    if (!from) return {};
    const rules = LAYERS[from];

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = path.relative(repoRoot, path.resolve(path.dirname(filename), specifier));
        const to = layerOf(target);
        if (to && !rules.mayImport.includes(to)) {
          context.report({ node, messageId: 'layer', data: { from, to, specifier, allowed: rules.mayImport.join(', ') } });
        }
        return;
      }
      const pkg = packageName(specifier);
      if (pkg === 'electron' && isTestFile(filename)) {
        context.report({ node, messageId: 'electronInTest', data: { specifier } });
      } else if (rules.forbidden.includes(pkg)) {
        context.report({ node, messageId: 'pkg', data: { from, specifier } });
      }
    }

    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node.source, node.source.value);
      },
      CallExpression(node) {
        const [arg] = node.arguments;
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && arg?.type === 'Literal') {
          check(arg, arg.value);
        }
      },
    };
  },
};

export default { rules: { layers: layersRule } };
