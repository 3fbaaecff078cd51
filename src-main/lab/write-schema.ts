// `npm run lab-schema`: write the lab file's JSON Schema (from the zod schema in shared/lab) to
// shared/lab/lab.schema.json and its checks vocabulary to shared/lab/lab-checks.schema.json, where
// editors find them. A unit test fails when a file is stale.

import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { labJsonSchemaFiles, LAB_SCHEMA_FILES } from '../../shared/lab/schema'

/** Where a published schema file lives. */
export function labSchemaPath(name: (typeof LAB_SCHEMA_FILES)[number]): string {
  return fileURLToPath(new URL(`../../shared/lab/${name}`, import.meta.url))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = labJsonSchemaFiles()
  for (const name of LAB_SCHEMA_FILES) {
    writeFileSync(labSchemaPath(name), files[name])
    console.log(`Wrote ${labSchemaPath(name)}`)
  }
}
