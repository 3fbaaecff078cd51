// Wall-clock times for the status bar and the command log, formatted by hand: the first
// toLocaleTimeString call loads the locale data (~20 ms), which the first render should not pay.

const two = (n: number): string => String(n).padStart(2, '0')

/** "HH:MM:SS" in local time for a ms-since-epoch timestamp. */
export function clock(at: number): string {
  const d = new Date(at)
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}
