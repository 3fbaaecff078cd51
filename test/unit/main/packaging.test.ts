// electron-builder.yml is checked by electron-builder's own schema validator (packaging itself
// cannot run here), and holds what the issue asks: the four targets and the fuses set.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { load(s: string): unknown }
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(c: unknown, log: unknown): Promise<void>
}
const { DebugLogger } = require('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown
}

type Target = { target: string }
interface Config {
  mac: { target: Target[] }
  win: { target: Target[] }
  linux: { target: Target[] }
  electronFuses: Record<string, boolean>
  extraResources: Array<{ from: string }>
}

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as Config

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('a misspelt key would be caught by the same validator', async () => {
    await expect(
      validateConfiguration({ ...config, fusses: {} }, new DebugLogger(false)),
    ).rejects.toThrow(/fusses/)
  })

  it('builds dmg, nsis, AppImage and deb, with fuses that close Node entry points', () => {
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg'])
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb'])
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    })
    expect(config.extraResources.map((r) => r.from)).toContain('Vagrantfile')
  })
})
