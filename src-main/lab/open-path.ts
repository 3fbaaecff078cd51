// Which lab file to open: the user picks it in an open dialog (Electron's in the app, a stand-in
// in tests); the renderer never names a path.

/** What the open dialog is asked. */
export interface OpenPathRequest {
  /** The window that asked (the dialog is attached to it). */
  owner: number
  title: string
  filters: Array<{ name: string; extensions: string[] }>
}

/** Asks the user which file to open. Resolves with an absolute path, or null when they cancelled. */
export type ChooseOpenPath = (req: OpenPathRequest) => Promise<string | null>

/** The file filter of lab files in the open and save dialogs. */
export const LAB_FILE_FILTERS = [{ name: 'Lab file (YAML)', extensions: ['yaml', 'yml'] }]
