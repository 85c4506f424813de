import { runEngineSuite } from './engine-suite';
import { runFormatSuite } from './format-suite';
import { runKafkaSuite } from './kafka-suite';
import type { BenchResult } from './measure';

/**
 * `npm run bench [-- --json] [-- <suite> ...]`: runs the benchmark suites and prints each figure
 * beside its baseline measured in the same run. Figures are throughputs (higher is better), so a
 * ratio at or above its target meets the aim.
 */
const SUITES: Record<string, () => BenchResult[]> = {
  format: runFormatSuite,
  engine: runEngineSuite,
  kafka: runKafkaSuite,
};

function describe(result: BenchResult): string {
  const parts = [`${result.suite}/${result.workload}: ${result.value.toLocaleString('en-US')} ${result.unit}`];
  if (result.baseline !== null) parts.push(`baseline ${result.baseline.toLocaleString('en-US')} ${result.unit}`);
  if (result.ratio !== null) parts.push(`ratio ${result.ratio}`);
  // A target applies to the ratio when there is a baseline, else (or when it says so) to the value itself.
  const judged = result.targetOn === 'value' ? result.value : (result.ratio ?? result.value);
  if (result.target !== null) parts.push(`target >= ${result.target}${result.targetOn === 'value' ? ` ${result.unit}` : ''} ${judged >= result.target ? '(met)' : '(NOT met)'}`);
  parts.push(`peak RSS ${result.peakRssMB} MB`);
  return parts.join('  |  ');
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((name) => !(name in SUITES));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(SUITES)) {
  for (const result of SUITES[name]!()) console.log(json ? JSON.stringify(result) : describe(result));
}
