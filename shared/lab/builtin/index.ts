// The labs the app ships: the tutorials' end states, as YAML text (modules, not files, so the
// renderer, main, the CLI and tests load them without a file system).

import type { BuiltinLab } from '../types'
import { tutorial1 } from './tutorial-1'
import { tutorial2 } from './tutorial-2'
import { tutorial3 } from './tutorial-3'
import { tutorial4 } from './tutorial-4'
import { tutorial5 } from './tutorial-5'

/** Every built-in lab, in tutorial order (a test checks name, kind and title against the YAML). */
export const BUILTIN_LABS: readonly BuiltinLab[] = [
  {
    name: 'tutorial-1',
    kind: 'tutorial',
    title: 'Two namespaces joined by a veth cable',
    yaml: tutorial1,
  },
  { name: 'tutorial-2', kind: 'tutorial', title: 'A bridge joins red and green', yaml: tutorial2 },
  {
    name: 'tutorial-3',
    kind: 'tutorial',
    title: 'The host routes and NATs for its namespaces',
    yaml: tutorial3,
  },
  {
    name: 'tutorial-4',
    kind: 'tutorial',
    title: 'ARP and routing tables of two namespaces',
    yaml: tutorial4,
  },
  { name: 'tutorial-5', kind: 'tutorial', title: 'veth states across namespaces', yaml: tutorial5 },
]
