// Messages from main mark commands with backticks ("run `vagrant box add NAME FILE`"): split them
// so the view can show the commands as code.

/** A piece of a message: plain text, or a command to show as code. */
export interface TextPart {
  text: string
  code: boolean
}

/** Split on backtick pairs; an unpaired backtick stays text. */
export function codeParts(message: string): TextPart[] {
  const out: TextPart[] = []
  const re = /`([^`]+)`/g
  let last = 0
  for (let m = re.exec(message); m; m = re.exec(message)) {
    if (m.index > last) out.push({ text: message.slice(last, m.index), code: false })
    out.push({ text: m[1] ?? '', code: true })
    last = m.index + m[0].length
  }
  if (last < message.length) out.push({ text: message.slice(last), code: false })
  return out
}
