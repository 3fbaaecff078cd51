// `npm run lab-schema`: write the lab file's JSON Schema (from the zod schema in shared/lab) to
// shared/lab/lab.schema.json, where editors find it. A unit test fails when the file is stale.

import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { labJsonSchemaText } from '../../shared/lab/schema'

/** Where the published schema lives. */
export const LAB_SCHEMA_FILE = fileURLToPath(
  new URL('../../shared/lab/lab.schema.json', import.meta.url),
)

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(LAB_SCHEMA_FILE, labJsonSchemaText())
  console.log(`Wrote ${LAB_SCHEMA_FILE}`)
}
