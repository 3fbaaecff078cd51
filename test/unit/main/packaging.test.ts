// electron-builder.yml is checked by electron-builder's own schema validator, and electron-builder's
// own deb and AppImage targets run on it as far as they can here: up to the point where fpm and
// mksquashfs would pack, on a stand-in unpacked app (packaging itself needs Electron's release
// zips, which cannot be downloaded here). The deb's AppArmor scripts run for real in a private
// mount namespace, with stand-ins for AppArmor's tools (this Debian has no AppArmor userland).

import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const yaml = require('js-yaml') as { load(s: string): unknown }
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(c: unknown, log: unknown): Promise<void>
}
const { DebugLogger } = require('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown
}
const builder = require('electron-builder') as {
  build(options: Record<string, unknown>): Promise<unknown>
  Platform: { LINUX: { createTarget(types: string[], ...archs: unknown[]): unknown } }
  Arch: { x64: unknown }
}

type Target = { target: string }
interface Config {
  mac: { target: Target[]; icon: string }
  win: { target: Target[]; icon: string }
  linux: { target: Target[]; icon: string }
  appImage?: { executableArgs?: string[] }
  deb: { afterInstall?: string; afterRemove?: string }
  electronFuses: Record<string, boolean>
  extraResources: Array<{ from: string }>
  directories: Record<string, string>
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

  it('uses our icons: ICNS for macOS, ICO for Windows, the NxN.png folder for Linux', () => {
    expect(config.mac.icon).toBe('build/icon.icns')
    expect(config.win.icon).toBe('build/icon.ico')
    expect(config.linux.icon).toBe('build/icons')
    for (const p of [config.mac.icon, config.win.icon, config.linux.icon]) {
      expect(existsSync(p), p).toBe(true)
    }
  })

  it("keeps electron-builder's own deb scripts, which carry the AppArmor profile", () => {
    expect(config.deb.afterInstall).toBeUndefined()
    expect(config.deb.afterRemove).toBeUndefined()
  })
})

describe("electron-builder's deb and AppImage targets on this config (stopped before fpm/mksquashfs)", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'netns-studio-pack-'))
  const unpacked = join(tmp, 'linux-unpacked')
  let fpmArgs: string[] = []
  let afterInstall = ''
  let afterRemove = ''
  let desktopEntry = ''

  beforeAll(async () => {
    mkdirSync(join(unpacked, 'resources'), { recursive: true })
    writeFileSync(join(unpacked, 'netns-studio'), '#!/bin/sh\n', { mode: 0o755 })
    const arg = (args: string[], flag: string): string => args[args.indexOf(flag) + 1]!
    await builder.build({
      projectDir: process.cwd(),
      targets: builder.Platform.LINUX.createTarget(['AppImage', 'deb'], builder.Arch.x64),
      config: { ...config, directories: { ...config.directories, output: join(tmp, 'dist') } },
      prepackaged: unpacked,
      publish: 'never',
      // electron-builder's hook for its own tests: it gets what the packer would get; true = stop.
      effectiveOptionComputed: (computed: unknown): Promise<boolean> => {
        if (Array.isArray(computed)) {
          fpmArgs = computed[0] as string[]
          afterInstall = readFileSync(arg(fpmArgs, '--after-install'), 'utf8')
          afterRemove = readFileSync(arg(fpmArgs, '--after-remove'), 'utf8')
        } else desktopEntry = (computed as { desktop: string }).desktop
        return Promise.resolve(true)
      },
    })
  }, 60_000)
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('deb: the app in /opt/netns-studio, every Linux icon size in hicolor, a homepage', () => {
    expect(fpmArgs).toContain(`${unpacked}/=/opt/netns-studio`)
    for (const s of [16, 24, 32, 48, 64, 128, 256, 512]) {
      expect(fpmArgs).toContain(
        `${resolve('build/icons')}/${s}x${s}.png=/usr/share/icons/hicolor/${s}x${s}/apps/netns-studio.png`,
      )
    }
    expect(fpmArgs[fpmArgs.indexOf('--url') + 1]).toMatch(/^https:\/\//)
  })

  it('deb: ships the AppArmor profile that lets the app use user namespaces (Ubuntu 24.04+)', () => {
    const profile = readFileSync(join(unpacked, 'resources', 'apparmor-profile'), 'utf8')
    expect(profile).toMatch(/^abi <abi\/4\.0>,$/m)
    expect(profile).toMatch(/^include <tunables\/global>$/m)
    expect(profile).toMatch(
      /^profile "netns-studio" "\/opt\/netns-studio\/netns-studio" flags=\(unconfined\) \{$/m,
    )
    expect(profile).toMatch(/^\s+userns,$/m)
    expect(profile).toMatch(/^\s+include if exists <local\/netns-studio>$/m)
  })

  it('deb: its after-install and after-remove scripts are valid shell', () => {
    for (const script of [afterInstall, afterRemove]) {
      expect(script.startsWith('#!/bin/bash\n')).toBe(true)
      const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' })
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
    }
  })

  it('AppImage: no --no-sandbox in its desktop entry (the launcher decides at start)', () => {
    expect(desktopEntry).toMatch(/^Exec=AppRun %U$/m)
    expect(desktopEntry).toMatch(/^Icon=netns-studio$/m)
  })

  describe('deb scripts run for real in a private mount namespace', () => {
    const isRoot = process.getuid?.() === 0
    const canUnshare =
      isRoot && spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' }).status === 0
    const skip = !isRoot
      ? 'they need root (mounts over /opt and /etc/apparmor.d)'
      : !canUnshare
        ? 'unshare --mount is not available'
        : !existsSync('/etc/apparmor.d') || !existsSync('/usr/bin/ischroot')
          ? 'no /etc/apparmor.d or /usr/bin/ischroot to mount over'
          : null
    if (skip) console.warn(`SKIP deb scripts in a mount namespace: ${skip}`)

    /**
     * Runs after-install then after-remove with /opt and /etc/apparmor.d replaced by private
     * folders, and stand-ins (named as such) for the tools that would change this machine:
     * apparmor_status, apparmor_parser, update-alternatives, update-*-database, ischroot.
     */
    function runScripts(apparmor: 'enabled' | 'disabled' | 'old-parser'): {
      calls: string[]
      installed: string
      sandboxMode: string
      removed: boolean
      out: string
    } {
      const root = mkdtempSync(join(tmp, `root-${apparmor}-`))
      const bin = join(root, 'standin-bin')
      mkdirSync(bin)
      mkdirSync(join(root, 'apparmor.d'))
      const calls = join(root, 'calls')
      const standin = (name: string, body: string): void => {
        writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\n${body}\n`)
        chmodSync(join(bin, name), 0o755)
      }
      standin('apparmor_status', apparmor === 'disabled' ? 'exit 1' : 'exit 0')
      standin(
        'apparmor_parser',
        apparmor === 'old-parser' ? 'case "$*" in *--skip-kernel-load*) exit 1;; esac' : 'exit 0',
      )
      for (const t of ['update-alternatives', 'update-mime-database', 'update-desktop-database']) {
        standin(t, 'exit 0')
      }
      standin('ischroot', 'exit 1') // not a chroot: the live-load branch runs
      writeFileSync(join(root, 'after-install'), afterInstall)
      writeFileSync(join(root, 'after-remove'), afterRemove)
      const profile = join(unpacked, 'resources', 'apparmor-profile')
      const script = `
        set -e
        mount -t tmpfs tmpfs /opt
        mount --bind '${root}/apparmor.d' /etc/apparmor.d
        mount --bind '${bin}/ischroot' /usr/bin/ischroot
        mkdir -p /opt/netns-studio/resources
        cp '${profile}' /opt/netns-studio/resources/apparmor-profile
        printf '#!/bin/sh\\n' > /opt/netns-studio/netns-studio
        touch /opt/netns-studio/chrome-sandbox
        export PATH='${bin}':"$PATH"
        bash '${root}/after-install'
        echo "installed: $(cat /etc/apparmor.d/netns-studio 2>/dev/null | grep -c userns)"
        echo "sandbox mode: $(stat -c %a /opt/netns-studio/chrome-sandbox)"
        bash '${root}/after-remove'
        echo "removed: $(test -e /etc/apparmor.d/netns-studio && echo no || echo yes)"
      `
      const r = spawnSync(
        'unshare',
        ['--mount', '--propagation', 'private', 'bash', '-c', script],
        {
          encoding: 'utf8',
        },
      )
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
      return {
        calls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [],
        installed: /installed: (\d+)/.exec(r.stdout)![1]!,
        sandboxMode: /sandbox mode: (\d+)/.exec(r.stdout)![1]!,
        removed: /removed: yes/.test(r.stdout),
        out: r.stdout,
      }
    }

    it.skipIf(!!skip)(
      'AppArmor enabled: the profile is installed, loaded, then unloaded and removed',
      () => {
        const r = runScripts('enabled')
        expect(r.installed).toBe('1')
        expect(r.calls).toContain(
          'apparmor_parser --skip-kernel-load --debug /opt/netns-studio/resources/apparmor-profile',
        )
        expect(r.calls).toContain(
          'apparmor_parser --replace --write-cache --skip-read-cache /etc/apparmor.d/netns-studio',
        )
        expect(r.calls).toContain('apparmor_parser --remove /etc/apparmor.d/netns-studio')
        expect(r.removed).toBe(true)
        // User namespaces work here (root), so chrome-sandbox is not made setuid.
        expect(r.sandboxMode).toBe('755')
        expect(
          r.calls.some((c) => c.startsWith('update-alternatives --install /usr/bin/netns-studio')),
        ).toBe(true)
      },
    )

    it.skipIf(!!skip)(
      'AppArmor that cannot read the profile (Ubuntu 22.04): skipped, nothing loaded',
      () => {
        const r = runScripts('old-parser')
        expect(r.installed).toBe('0')
        expect(r.out).toContain('Skipping the installation of the AppArmor profile')
        expect(r.calls.filter((c) => c.includes('--replace'))).toEqual([])
      },
    )

    it.skipIf(!!skip)('AppArmor not enabled (this Debian): no profile, no parser call', () => {
      const r = runScripts('disabled')
      expect(r.installed).toBe('0')
      expect(r.calls.filter((c) => c.startsWith('apparmor_parser'))).toEqual([])
    })
  })
})
