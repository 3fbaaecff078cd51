// Tab and Shift+Tab inside a modal dialog: focus goes round its own controls and never leaves it.

const FOCUSABLE = 'select, input, textarea, button, summary, [tabindex]:not([tabindex="-1"])'

/** Move focus to the next (Shift: previous) enabled control of `dialog`, wrapping round. */
export function trapTab(e: KeyboardEvent, dialog: HTMLElement): void {
  const f = Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !(el as HTMLInputElement).disabled,
  )
  const i = f.indexOf(document.activeElement as HTMLElement)
  const next = f[(i + (e.shiftKey ? -1 : 1) + f.length) % f.length]
  e.preventDefault()
  next?.focus()
}
