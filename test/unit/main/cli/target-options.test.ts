// The CLI's target options: USER@HOST[:PORT] (IPv6 in brackets), which key is used, defaults per
// platform, and every bad combination refused as a usage error (exit 2) with a specific message.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { appDataDir } from '../../../../src-main/cli/data-dir'
import { CliError, EXIT } from '../../../../src-main/cli/errors'
import { parseSshAddress, targetChoice } from '../../../../src-main/cli/target-options'

const home = mkdtempSync(join(tmpdir(), 'nss-cli-home-'))
const keyFile = join(home, 'key')
writeFileSync(keyFile, 'not read here', { mode: 0o600 })
afterAll(() => rmSync(home, { recursive: true, force: true }))

function usage(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(CliError)
    expect((e as CliError).exitCode).toBe(EXIT.USAGE)
    return (e as CliError).message
  }
  throw new Error('expected a usage error')
}

describe('parseSshAddress', () => {
  it.each([
    ['root@10.0.0.1', { username: 'root', host: '10.0.0.1', port: 22 }],
    ['vagrant@lab.example:2222', { username: 'vagrant', host: 'lab.example', port: 2222 }],
    ['root@[::1]:2200', { username: 'root', host: '::1', port: 2200 }],
    ['root@[fd00::2]', { username: 'root', host: 'fd00::2', port: 22 }],
    ['root@fd00::2', { username: 'root', host: 'fd00::2', port: 22 }],
  ])('%s', (text, want) => expect(parseSshAddress(text)).toEqual(want))

  it.each([
    ['host', /wants USER@HOST\[:PORT\]/],
    ['@host', /wants USER@HOST/],
    ['a@b@c', /wants USER@HOST/],
    ['root@host:', /port "" is not a number/],
    ['root@host:22x', /port "22x" is not a number/],
    ['root@[::1]x', /"x" after the IPv6 address is not :PORT/],
  ])('refuses %s', (text, message) => expect(usage(() => parseSshAddress(text))).toMatch(message))
})

describe('targetChoice', () => {
  const noAgent = {}
  it('is --local on Linux by default, and a usage error elsewhere', () => {
    expect(targetChoice({}, noAgent, 'linux', home)).toEqual({
      spec: { kind: 'local' },
      boot: false,
    })
    expect(usage(() => targetChoice({}, noAgent, 'darwin', home))).toMatch(
      /Choose a target: --vm .* or --ssh/,
    )
    expect(usage(() => targetChoice({ local: true }, noAgent, 'win32', home))).toMatch(
      /--local needs Linux/,
    )
  })

  it('--vm with --boot', () => {
    expect(targetChoice({ vm: true, boot: true }, noAgent, 'darwin', home)).toEqual({
      spec: { kind: 'vm' },
      boot: true,
    })
    expect(usage(() => targetChoice({ boot: true }, noAgent, 'linux', home))).toMatch(
      /--boot goes with --vm/,
    )
  })

  it('--ssh takes --key, else the agent, else the first default key in ~/.ssh', () => {
    const withKey = targetChoice({ ssh: 'root@h:2222', key: keyFile }, noAgent, 'linux', home)
    expect(withKey.spec).toEqual({
      kind: 'ssh',
      username: 'root',
      host: 'h',
      port: 2222,
      privateKeyPath: keyFile,
    })
    const agent = targetChoice({ ssh: 'root@h' }, { SSH_AUTH_SOCK: '/run/agent' }, 'linux', home)
    expect(agent.spec).toEqual({
      kind: 'ssh',
      username: 'root',
      host: 'h',
      port: 22,
      useAgent: true,
    })
    expect(usage(() => targetChoice({ ssh: 'root@h' }, noAgent, 'linux', home))).toMatch(
      /--ssh needs a key: give --key PATH, or start ssh-agent/,
    )
    mkdirSync(join(home, '.ssh'))
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'x')
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'x')
    expect(targetChoice({ ssh: 'root@h' }, noAgent, 'linux', home).spec).toMatchObject({
      privateKeyPath: join(home, '.ssh', 'id_ed25519'),
    })
  })

  it('checks host, user and port as the app checks target:connect, and --key is a file', () => {
    const k = { key: keyFile }
    expect(
      usage(() => targetChoice({ ssh: 'root@-oProxyCommand=x', ...k }, {}, 'linux', home)),
    ).toMatch(/Host must be a host name or IP address/)
    expect(usage(() => targetChoice({ ssh: 'Root$@h', ...k }, {}, 'linux', home))).toMatch(
      /valid Linux user name/,
    )
    expect(usage(() => targetChoice({ ssh: 'root@h:70000', ...k }, {}, 'linux', home))).toMatch(
      /[Pp]ort/,
    )
    expect(usage(() => targetChoice({ ssh: 'root@h', key: home }, {}, 'linux', home))).toMatch(
      /is not a file/,
    )
    expect(usage(() => targetChoice({ key: keyFile }, {}, 'linux', home))).toMatch(
      /--key goes with --ssh/,
    )
  })
})

describe('appDataDir', () => {
  it("is Electron's userData for netns-studio on each platform, NETNS_STUDIO_DATA_DIR first", () => {
    expect(appDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/netns-studio')
    expect(appDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/netns-studio')
    expect(appDataDir({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/netns-studio',
    )
    expect(appDataDir({ APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32', 'C:/Users/u')).toBe(
      join('C:/Users/u/AppData/Roaming', 'netns-studio'),
    )
    expect(appDataDir({ NETNS_STUDIO_DATA_DIR: '/tmp/d' }, 'linux', '/home/u')).toBe('/tmp/d')
  })
})
