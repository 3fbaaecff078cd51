// Preloaded (node --import) into Electron's install.js by ensure-electron.mjs: install.js reports
// a failure by printing err.stack, which drops the cause ("fetch failed" without the DNS error).
// Here an error's stack is its message and its causes' messages on one line, nothing else.

Error.prepareStackTrace = (err) => {
  const parts = []
  for (let e = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    const text = (e instanceof Error ? e.message : String(e)).trim().replace(/\.$/, '')
    if (text && !parts.includes(text)) parts.push(text)
  }
  return parts.join(': ') || String(err && err.name)
}
