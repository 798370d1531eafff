// Prints vitest's JSON report as the plain closing line CI reads: "N passed, N failed, N skipped".
// Exits non-zero when the report is missing or any test failed.
import { existsSync, readFileSync } from 'node:fs'

const file = process.argv[2] ?? 'test-output/vitest.json'
if (!existsSync(file)) {
  console.log(`no test report at ${file}`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const report = JSON.parse(readFileSync(file, 'utf8'))
const passed = report.numPassedTests ?? 0
// A suite that failed to load counts as a failure even though none of its tests ran.
const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length
const failed = (report.numFailedTests ?? 0) + failedSuites
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
for (const r of report.testResults ?? []) {
  for (const a of r.assertionResults ?? []) if (a.status === 'skipped' || a.status === 'pending') console.log(`skipped: ${a.fullName}`)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
