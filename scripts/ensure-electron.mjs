#!/usr/bin/env node
// Makes sure Electron's binary is installed before `npm start` / `npm run dev` (Electron 45 no
// longer downloads it at `npm install`): runs Electron's own install.js when it is missing, and on
// any failure prints ONE line saying what failed and how to retry, then exits non-zero.
//
// Usage: node scripts/ensure-electron.mjs install-electron   (npm's prestart/predev): the argument
// names the bin of the electron package that fetches its binary (`install-electron`, its
// install.js); it runs through a hook that keeps the cause of a failure in one line.
// Environment: everything Electron's installer honours (ELECTRON_MIRROR, electron_config_cache,
// HTTPS_PROXY/HTTP_PROXY/NO_PROXY, ...), ELECTRON_EXEC_PATH (use that binary instead), and
// NETNS_STUDIO_DOWNLOAD_STALL_SECONDS (give up when no data arrives for that long; default 60).

import { spawn } from 'node:child_process'
import {
  accessSync,
  constants,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { clearInterval, setInterval } from 'node:timers'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const oneLineErrors = pathToFileURL(join(here, 'one-line-errors.mjs')).href
const retry = process.env.npm_lifecycle_event === 'predev' ? 'npm run dev' : 'npm start'
const stallSeconds = Number(process.env.NETNS_STUDIO_DOWNLOAD_STALL_SECONDS ?? 60)

/** Prints the one line and exits non-zero. */
function fail(what) {
  process.stderr.write(`netns-studio: ${what}\n`)
  process.exit(1)
}

/** True when `file` exists and may be executed. */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** The Electron package of the project in the current folder, or null when it is not installed. */
function electronPackage() {
  try {
    const req = createRequire(join(process.cwd(), 'package.json'))
    return dirname(req.resolve('electron/package.json'))
  } catch {
    return null
  }
}

/** The binary electron-vite will start (it reads path.txt), or null when that file is missing. */
function installedBinary(pkg) {
  try {
    const rel = readFileSync(join(pkg, 'path.txt'), 'utf8').trim()
    return rel ? join(pkg, 'dist', rel) : null
  } catch {
    return null
  }
}

/** Total bytes of the files under `dir` (0 when it does not exist). */
function bytesUnder(dir) {
  let total = 0
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory()) total += bytesUnder(p)
    else if (e.isFile()) {
      try {
        total += statSync(p).size
      } catch {
        // removed while we looked: the installer moves its temporary files
      }
    }
  }
  return total
}

/** Environment for install.js: private temp folder (watched for progress) and proxy support. */
function installerEnv(tmp) {
  const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp }
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => env[k])
  if (proxied) {
    // Node's own fetch honours the proxy variables with NODE_USE_ENV_PROXY (Node 22.21+, 24.5+);
    // @electron/get's ELECTRON_GET_USE_PROXY does the same through the undici package.
    env.NODE_USE_ENV_PROXY ??= '1'
    env.ELECTRON_GET_USE_PROXY ??= '1'
  }
  return env
}

/** The file of the electron package's bin `name` (install-electron → install.js), or null. */
function electronBin(pkg, name) {
  const bin = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).bin
  const file = typeof bin === 'object' && bin !== null ? bin[name] : undefined
  return typeof file === 'string' ? join(pkg, file) : null
}

/**
 * Runs Electron's installer (its `install-electron` bin); resolves with null on success or the
 * reason it failed. A download that receives nothing for `stallSeconds` is stopped.
 */
function runInstaller(pkg, version) {
  const installer = electronBin(pkg, process.argv[2] ?? 'install-electron')
  if (!installer)
    return Promise.resolve(
      `the electron package has no ${process.argv[2] ?? 'install-electron'} bin`,
    )
  const tmp = mkdtempSync(join(tmpdir(), 'netns-studio-electron-'))
  const dist = join(pkg, 'dist')
  const child = spawn(process.execPath, ['--import', oneLineErrors, installer], {
    cwd: pkg,
    env: installerEnv(tmp),
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s) => (stderr += s))

  const tty = process.stdout.isTTY
  process.stdout.write(`Downloading Electron ${version} (about 100 MB, once)...${tty ? '' : '\n'}`)
  let seen = -1
  let quietSince = Date.now()
  let stalled = false
  const watch = setInterval(() => {
    const now = bytesUnder(tmp) + bytesUnder(dist)
    if (now !== seen) {
      seen = now
      quietSince = Date.now()
      if (tty)
        process.stdout.write(`\rDownloading Electron ${version}... ${Math.round(now / 1e6)} MB`)
    } else if (Date.now() - quietSince >= stallSeconds * 1000) {
      stalled = true
      child.kill('SIGKILL')
    }
  }, 500)
  const interrupt = () => child.kill('SIGKILL')
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)

  return new Promise((resolve) => {
    const done = (reason) => {
      clearInterval(watch)
      process.removeListener('SIGINT', interrupt)
      process.removeListener('SIGTERM', interrupt)
      rmSync(tmp, { recursive: true, force: true })
      if (tty) process.stdout.write('\n')
      resolve(reason)
    }
    child.on('error', (err) => done(err.message))
    child.on('close', (code, signal) => {
      if (stalled) return done(`no data received for ${stallSeconds} s`)
      if (code === 0) return done(null)
      const lines = stderr.split('\n').map((l) => l.trim())
      const last = lines.filter(Boolean).pop()
      done((last ?? `installer ended with ${signal ?? `exit code ${code}`}`).slice(0, 300))
    })
  })
}

const pkg = electronPackage()
if (!pkg) fail(`Electron is not installed here. Run \`npm install\`, then run \`${retry}\` again.`)
const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))

const override = process.env.ELECTRON_EXEC_PATH
if (override) {
  if (isExecutable(override)) process.exit(0)
  fail(
    `ELECTRON_EXEC_PATH is set to ${override}, which is not an executable file. ` +
      `Unset it or point it at an Electron ${version} binary, then run \`${retry}\` again.`,
  )
}

const before = installedBinary(pkg)
if (before && isExecutable(before)) process.exit(0)

const reason = await runInstaller(pkg, version)
if (reason !== null) {
  fail(
    `could not download Electron ${version} (${reason}). ` +
      `Check your connection or proxy (HTTPS_PROXY), then run \`${retry}\` again.`,
  )
}
const after = installedBinary(pkg)
if (!after || !isExecutable(after)) {
  fail(
    `Electron ${version} was downloaded but its binary is missing (${after ?? join(pkg, 'path.txt')}). ` +
      `Delete node_modules/electron/dist, then run \`${retry}\` again.`,
  )
}
